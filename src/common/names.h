/* names.h - names of servers and images, shared by berthd and berth: they become file
 * names under the state directory and parts of URLs, so only a safe alphabet is allowed. */
#ifndef BERTH_COMMON_NAMES_H
#define BERTH_COMMON_NAMES_H

#include <stdbool.h>

#include "error.h"

#define NAME_MAX_LEN 63 /* names match ^[a-z0-9][a-z0-9-]{0,62}$ */

/* Is name a valid server or image name? */
bool name_valid(const char *name);

/* Check name; what ("server", "image", "plan") names the thing in the message. */
int name_check(const char *what, const char *name, struct berth_error *err);

#endif
