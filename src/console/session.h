/* session.h - one `berth exec`: a single-use socket whose first client hands over its
 * stdin, stdout and stderr (SCM_RIGHTS), on which `berth-ct exec` then runs; with a
 * terminal the client gets the pty master back and relays it itself. The client reads
 * "exit N" at the end: the command's status. */
#ifndef BERTH_CONSOLE_SESSION_H
#define BERTH_CONSOLE_SESSION_H

#include <stdbool.h>

#include "common/error.h"

/* The client's first message: a line "berth-exec ROWS COLS" with its three fds. */
#define SESSION_HELLO "berth-exec"
/* The session's messages: "pty" with the master (tty only), then "exit N"; or "error MSG"
 * when the command could not be started. */
#define SESSION_PTY   "pty\n"
#define SESSION_EXIT  "exit"
#define SESSION_ERROR "error"

struct session_opts {
	int listener;	    /* the listening socket berthd made (fd 0) */
	const char *socket; /* its path, removed once a client came or the wait ended */
	int wait_s;	    /* how long the socket waits for its client */
	bool tty;	    /* run the command on a new pty */
	char **ct_argv;	    /* `berth-ct --root DIR exec [OPTIONS]`, NULL-terminated, with
			     * room for two more options before `rest` */
	char **rest;	    /* NAME COMMAND ARGS..., NULL-terminated */
};

/* Serve one exec; -1 when it could not start (nobody came, berth-ct did not start). */
int session_run(const struct session_opts *o, struct berth_error *err);

#endif
