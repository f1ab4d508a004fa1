/* sync.h - messages between berth-ct and the container process it is setting up,
 * over a SOCK_SEQPACKET socketpair (one message per packet, never split). */
#ifndef BERTH_CT_SYNC_H
#define BERTH_CT_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

enum sync_type {
	SYNC_MAPPED = 1, /* parent: ids mapped, cgroup made: the child may build the root */
	SYNC_GO,	 /* parent: cgroup joined, hooks run; payload = state JSON */
	SYNC_READY,	 /* child: set up, waiting for start */
	SYNC_ERROR,	 /* child: failed; payload = message */
};

#define SYNC_MAX 65536

/* Make the socketpair (both ends close-on-exec). */
int sync_pair(int fds[2], struct berth_error *err);

/* Send one message. */
int sync_send(int fd, enum sync_type type, const char *data, size_t len, struct berth_error *err);

/* Receive one message; *data is malloc'd and NUL-terminated. EOF is an error. */
int sync_recv(int fd, enum sync_type *type, char **data, struct berth_error *err);

/* In the child: report err to the parent and _exit(1). */
__attribute__((noreturn)) void sync_fail(int fd, const struct berth_error *err);

#endif
