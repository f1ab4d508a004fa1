/* keeper.h - the keeper of a container's terminal: it takes the pty master that berth-ct
 * sends to its console socket, logs what the container prints (capped), and serves one
 * attached client at a time on its own socket, the same contract as berth-vmm's console
 * socket: raw bytes both ways, a second client told it is busy, no escape keys. It ends
 * when the container's terminal is gone. */
#ifndef BERTH_CONSOLE_KEEPER_H
#define BERTH_CONSOLE_KEEPER_H

#include <stdint.h>

#include "common/error.h"

/* What a second client reads before it is closed. */
#define KEEPER_BUSY "berth-vmm: the console is in use by another client\r\n"

struct keeper_opts {
	int runtime_listener; /* listening socket berth-ct's --console-socket connects to */
	const char *log;      /* the console log */
	uint64_t log_max;     /* its cap (0: none) */
	const char *socket;   /* the attach socket to create, mode 0660 */
	int wait_s;	      /* how long to wait for the pty master */
};

/* Run the keeper until the container's terminal is gone; -1 when it could not start. */
int keeper_run(const struct keeper_opts *o, struct berth_error *err);

#endif
