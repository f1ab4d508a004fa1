/* run.h - carrying out a command's plan against berthd and printing what it shows. */
#ifndef BERTH_CLI_RUN_H
#define BERTH_CLI_RUN_H

#include <stdio.h>

#include "cli/client.h"
#include "cli/plan.h"

#define RUN_CALL_TIMEOUT_S 120 /* a call that is not an operation wait */

/* Make p's calls in order, stopping at the first failure. Replies go to out: JSON as
 * the daemon sent it (an operation's final state for long work) with --format json,
 * else through each step's table renderer; a console or exec step attaches to the socket
 * the reply names. Returns berth's exit status (an exec'd command's own), or -1. */
int run_plan(struct client *c, const struct plan *p, FILE *out, struct berth_error *err);

#endif
