/* path.h - resolving paths inside the container's root as if it were "/", so a
 * symlink in the rootfs can never point a mount or device outside of it. */
#ifndef BERTH_CT_PATH_H
#define BERTH_CT_PATH_H

#include <stddef.h>

#include "common/error.h"

enum path_create { PATH_EXISTING, PATH_MKDIR, PATH_MKFILE };

/* An O_PATH fd for path below rootfd, resolved in root; missing parts are made as
 * directories, and the last one as create says. */
int path_open_in_root(int rootfd, const char *path, enum path_create create,
		      struct berth_error *err);

/* "/proc/self/fd/N" for fd into buf, to mount onto a resolved path. */
const char *path_fd_link(int fd, char *buf, size_t len);

#endif
