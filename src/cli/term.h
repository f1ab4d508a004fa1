/* term.h - the user's terminal in raw mode while berth relays a console or an exec'd
 * command, restored on every way out: return, error, SIGINT/SIGTERM/SIGHUP. */
#ifndef BERTH_CLI_TERM_H
#define BERTH_CLI_TERM_H

#include <stdbool.h>

/* Put fd (a terminal) in raw mode; false when it is not a terminal (nothing changed). */
bool term_raw(int fd);

/* Restore what term_raw() changed (nothing when it changed nothing). */
void term_restore(void);

#endif
