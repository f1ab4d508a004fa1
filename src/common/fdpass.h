/* fdpass.h - handing open file descriptors over a Unix socket (SCM_RIGHTS) with a few
 * bytes of data: a console keeper receives a container's pty master, an exec session the
 * client's stdin, stdout and stderr. */
#ifndef BERTH_COMMON_FDPASS_H
#define BERTH_COMMON_FDPASS_H

#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

#define FDPASS_MAX 4 /* the most fds one message carries */

/* Send len bytes of data (at least 1) with the n fds (n <= FDPASS_MAX) in one message. */
int fdpass_send(int sock, const void *data, size_t len, const int *fds, size_t n,
		struct berth_error *err);

/* Receive one message: up to size bytes into data (*len gets the count, 0 at EOF) and up
 * to max fds (CLOEXEC; *n gets the count). Fds beyond max are closed, never leaked. */
int fdpass_recv(int sock, void *data, size_t size, size_t *len, int *fds, size_t max, size_t *n,
		struct berth_error *err);

#endif
