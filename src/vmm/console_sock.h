/* console_sock.h - the guest's serial console served on a Unix socket (--console-sock).
 *
 * One client at a time gets the console's raw bytes both ways; another is told the console
 * is in use and closed. Output goes to the client without waiting: what its socket cannot
 * take at once is dropped for it, so a slow or stuck client never holds a vCPU. The client's
 * input is read by the console (console.c), which learns of each new client through attach. */
#ifndef BERTH_VMM_CONSOLE_SOCK_H
#define BERTH_VMM_CONSOLE_SOCK_H

#include <pthread.h>
#include <stdint.h>

#include "common/error.h"
#include "common/unix_listen.h"
#include "loop.h"

/* What a client that finds the console taken is told before it is closed. */
#define CONSOLE_SOCK_BUSY "berth-vmm: the console is in use by another client\r\n"

struct console_sock {
	struct loop_source listen;
	struct loop *loop;
	const char *path; /* NULL: not open */
	struct unix_listen_file file;
	int client;       /* the attached client, -1 none; owned by the loop's thread */
	pthread_mutex_t lock;
	int out_fd;       /* under lock: where output goes, -1 none (or its send failed) */
	/* A client was attached (fd) or let go (-1): read its input from fd from now on. */
	void (*attach)(void *opaque, int fd);
	void *opaque;
};

/* Listen on path (mode 0660); before other threads exist, as unix_listen() wants. */
int console_sock_open(struct console_sock *s, const char *path, struct berth_error *err);

/* Accept clients through loop, telling attach(opaque, fd) about each. */
int console_sock_start(struct console_sock *s, struct loop *loop, void (*attach)(void *, int), void *opaque,
		       struct berth_error *err);

/* Send c to the client, if any and if its socket takes it now; from any thread. */
void console_sock_send(struct console_sock *s, uint8_t c);

/* The client's input ended or failed: let it go (attach(opaque, -1) first) and wait for the next. */
void console_sock_drop(struct console_sock *s);

/* Let the client go, close the socket and remove its file (nothing if it was never opened). */
void console_sock_close(struct console_sock *s);

#endif
