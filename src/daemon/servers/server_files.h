/* server_files.h - paths of the files a driver keeps for a server (s->dir/...) and reads
 * from its image (s->image_dir/...), refused when too long rather than cut. */
#ifndef BERTH_DAEMON_SERVER_FILES_H
#define BERTH_DAEMON_SERVER_FILES_H

#include <limits.h>

#include "common/error.h"
#include "daemon/servers/server.h"

/* buf = s->dir/leaf. */
int server_file(char buf[PATH_MAX], const struct server *s, const char *leaf,
		struct berth_error *err);

/* buf = s->image_dir/leaf. */
int image_file(char buf[PATH_MAX], const struct server *s, const char *leaf,
	       struct berth_error *err);

#endif
