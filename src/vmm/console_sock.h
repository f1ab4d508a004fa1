/* console_sock.h - the guest's serial console served on a Unix socket (--console-sock).
 *
 * One client at a time gets the console's raw bytes both ways; another is told the console
 * is in use and closed. The vCPU threads only append output to a buffer; the loop's thread
 * sends it on in batches (one byte per send would fill a socket's buffer with per-message
 * overhead after a few hundred bytes) and never waits: what the client's socket cannot take
 * yet is tried again a little later, and what overflows the buffer meanwhile is dropped for
 * it, so a slow or stuck client holds neither a vCPU nor the loop. The client's input is read by
 * the console (console.c), which learns of each new client through attach. */
#ifndef BERTH_VMM_CONSOLE_SOCK_H
#define BERTH_VMM_CONSOLE_SOCK_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/unix_sock.h"
#include "vmm/accept_guard.h"
#include "vmm/loop.h"

/* What a client that finds the console taken is told before it is closed. */
#define CONSOLE_SOCK_BUSY "berth-vmm: the console is in use by another client\r\n"
#define CONSOLE_SOCK_NOFD "berth-vmm: out of file descriptors; try again later\r\n"

/* Output held for the client between two sends. */
#define CONSOLE_SOCK_BUF 65536

struct console_sock {
	struct loop_source listen;
	struct accept_guard guard; /* of listen: running out of fds does not spin the loop */
	struct loop_source flush;  /* eventfd: output is waiting in out */
	struct loop_source retry;  /* timerfd: the client's socket was full; try again */
	struct loop *loop;
	const char *path; /* NULL: not open */
	struct unix_listen_file file;
	int client; /* the attached client, -1 none; owned by the loop's thread */
	pthread_mutex_t lock;
	bool attached;	/* under lock: output is kept for a client */
	size_t out_len; /* under lock */
	uint8_t out[CONSOLE_SOCK_BUF];
	/* A client was attached (fd) or let go (-1): read its input from fd from now on. */
	void (*attach)(void *opaque, int fd);
	void *opaque;
};

/* Listen on path (mode 0660), or on inherited_fd when it is not -1 (a listening socket a
 * jailer made at path); before other threads exist, as unix_listen() wants. */
int console_sock_open(struct console_sock *s, const char *path, int inherited_fd,
		      struct berth_error *err);

/* Accept clients through loop, telling attach(opaque, fd) about each. */
int console_sock_start(struct console_sock *s, struct loop *loop, void (*attach)(void *, int),
		       void *opaque, struct berth_error *err);

/* Queue c for the client, if any and if there is room; from any thread. */
void console_sock_send(struct console_sock *s, uint8_t c);

/* The client's input ended or failed: let it go (attach(opaque, -1) first) and wait for the next.
 */
void console_sock_drop(struct console_sock *s);

/* Let the client go, close the socket and remove its file (nothing if it was never opened). */
void console_sock_close(struct console_sock *s);

#endif
