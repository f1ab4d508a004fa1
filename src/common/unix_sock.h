/* unix_sock.h - Unix stream sockets by path. Connecting; and listening on a socket file of
 * a given mode, where a stale one is replaced, a live one is refused, and only the file made
 * here is removed at the end. Used for berth-vmm's control and console sockets, berthd's
 * API, console and exec sockets, and their clients. */
#ifndef BERTH_COMMON_UNIX_SOCK_H
#define BERTH_COMMON_UNIX_SOCK_H

#include <sys/types.h>

#include "common/error.h"

/* Connect to the socket at path; flags may hold SOCK_NONBLOCK. Returns the fd, or -1 with
 * err (its errnum the connect's errno: ECONNREFUSED when nobody listens, EAGAIN when a
 * non-blocking connect meets a full backlog, EACCES, ENOENT). */
int unix_connect(const char *path, int flags, struct berth_error *err);

/* Which file the listener made, so that only that file is removed at exit. */
struct unix_listen_file {
	dev_t dev;
	ino_t ino;
};

/* Listen on a Unix stream socket at path with permissions mode (e.g. 0600), replacing a
 * stale socket file that nobody accepts on; what names the socket in messages (e.g.
 * "--api-sock"). The file is never wider than mode, whatever the umask; safe in threaded
 * programs. Returns the non-blocking listening fd, or -1 with err. */
int unix_listen(const char *path, mode_t mode, const char *what, struct unix_listen_file *file,
		struct berth_error *err);

/* Take fd, a listening Unix stream socket another process made (a jailer that gives the
 * program no right to make it), as unix_listen() would have returned it: non-blocking,
 * close-on-exec. file is zeroed: that file is never removed here. what names it in
 * messages. Returns fd, or -1 with err when fd is not such a socket. */
int unix_listen_inherited(int fd, const char *what, struct unix_listen_file *file,
			  struct berth_error *err);

/* Remove path if it is still the file unix_listen() made. */
void unix_listen_remove(const char *path, const struct unix_listen_file *file);

#endif
