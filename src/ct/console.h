/* console.h - process.terminal: a pty whose master goes to the --console-socket. */
#ifndef BERTH_CT_CONSOLE_H
#define BERTH_CT_CONSOLE_H

#include "common/error.h"

/* Connect to the AF_UNIX console socket at path; returns the fd. */
int console_connect(const char *path, struct berth_error *err);

/* In the container: open a pty, send its master over sock, make the slave our
 * controlling terminal and stdin/stdout/stderr. */
int console_setup(int sock, struct berth_error *err);

#endif
