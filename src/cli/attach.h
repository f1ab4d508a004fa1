/* attach.h - what `berth console` and `berth exec` do once berthd has named a socket: talk
 * to berth-vmm's or a keeper's console socket, or to an exec session (berth-console). */
#ifndef BERTH_CLI_ATTACH_H
#define BERTH_CLI_ATTACH_H

#include <stdbool.h>

#include "common/error.h"

/* Relay the user's terminal (raw, with the detach key Ctrl-A q) or stdin/stdout (piped)
 * to the console socket of server name until detached or the console closes. */
int attach_console(const char *socket, const char *name, struct berth_error *err);

/* Hand stdin, stdout and stderr to the exec session at socket; with tty, relay the pty it
 * sends back. *status is the command's exit status. */
int attach_exec(const char *socket, bool tty, int *status, struct berth_error *err);

#endif
