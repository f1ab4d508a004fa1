/* socket.h - the API socket's file: created 0600, a stale one replaced, a live one refused. */
#ifndef BERTH_VMM_API_SOCKET_H
#define BERTH_VMM_API_SOCKET_H

#include <sys/types.h>

#include "common/error.h"

/* Which file the listener made, so that only that file is removed at exit. */
struct api_socket_file {
	dev_t dev;
	ino_t ino;
};

/* Listen on a Unix stream socket at path (mode 0600), replacing a stale socket file that
 * nobody accepts on; returns the non-blocking listening fd, or -1 with err. */
int api_socket_listen(const char *path, struct api_socket_file *file, struct berth_error *err);

/* Remove path if it is still the file api_socket_listen() made. */
void api_socket_remove(const char *path, const struct api_socket_file *file);

#endif
