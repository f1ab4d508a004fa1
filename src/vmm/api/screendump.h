/* screendump.h - the screen as a PNG image in a sealed memory file, for the API socket's
 * "screendump": the file is handed to the client with the reply (SCM_RIGHTS), so a reply
 * of megabytes never waits in the VMM for a slow reader, and a jailed VMM opens no path. */
#ifndef BERTH_VMM_API_SCREENDUMP_H
#define BERTH_VMM_API_SCREENDUMP_H

#include <stdint.h>

#include "common/error.h"
#include "vmm/dev/bochs_display.h"

/* Encode s as an 8-bit RGB PNG into a new memory file, read position at 0: its fd in *fd,
 * its size in *len. */
int screendump_png(const struct screen *s, int *fd, uint64_t *len, struct berth_error *err);

#endif
