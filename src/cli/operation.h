/* operation.h - waiting for the daemon's long work (create, start, stop, delete, import)
 * and showing its progress on stderr: a percentage redrawn in place on a terminal,
 * plain lines otherwise. */
#ifndef BERTH_CLI_OPERATION_H
#define BERTH_CLI_OPERATION_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/client.h"

/* How progress is shown. */
struct progress {
	FILE *out;	  /* stderr, or a test's stream */
	bool tty;	  /* redraw one line in place */
	const char *what; /* "create web" */
	int shown;	  /* the last percentage shown, -1 before the first */
};

/* Show pct (0..100) of p's work, when it changed. */
void progress_update(struct progress *p, int pct);

/* End p's line: "create web: done" or, on failure, clear what was drawn. */
void progress_end(struct progress *p, bool ok);

/* Wait for the operation named in reply ({"operation": "/1.0/operations/ID"}) to end,
 * showing progress on stderr. *final gets its last state (NULL when reply names none: the
 * work was done at once). Fails with the operation's error when it failed. */
int op_wait(struct client *c, const json_t *reply, const char *what, json_t **final,
	    struct berth_error *err);

#endif
