/* terminal.h - taking a pty master from berth-ct: it connects to a listening socket given
 * as --console-socket and sends the master with SCM_RIGHTS (the OCI console socket). */
#ifndef BERTH_CONSOLE_TERMINAL_H
#define BERTH_CONSOLE_TERMINAL_H

#include "common/error.h"

/* Accept berth-ct's connection on listener (ready to accept) and return the master it sends
 * (blocking, close-on-exec), waiting at most a few seconds for the message. */
int terminal_accept(int listener, struct berth_error *err);

#endif
