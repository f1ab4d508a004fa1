/* console.h - the host side of the guest's serial console: terminal mode and escape key.
 *
 * On a terminal, stdin is put in raw mode so every key reaches the guest; Ctrl-A x quits
 * and Ctrl-A Ctrl-A sends a Ctrl-A. The terminal is restored on every exit, including
 * fatal signals. */
#ifndef BERTH_VMM_CONSOLE_H
#define BERTH_VMM_CONSOLE_H

#include <stdbool.h>
#include <termios.h>

#include "common/error.h"
#include "config.h"
#include "dev/uart.h"
#include "loop.h"

struct console {
	struct loop_source src; /* stdin, when the console takes input */
	struct uart *uart;
	struct loop *loop;
	int out_fd;      /* where guest output goes, -1 for none */
	bool owns_out;   /* out_fd was opened here (console file) */
	bool input;      /* stdin is being watched */
	bool tty;        /* stdin is a terminal in raw mode */
	bool escape;     /* Ctrl-A seen, waiting for the next key */
	void (*quit)(void *opaque);
	void *quit_opaque;
};

/* Open the console chosen by cfg: its output fd is c->out_fd. */
int console_open(struct console *c, const struct vm_config *cfg, struct berth_error *err);

/* Start feeding stdin to uart through loop; quit(opaque) runs on Ctrl-A x. */
int console_attach(struct console *c, struct loop *loop, struct uart *uart, void (*quit)(void *), void *opaque,
		   struct berth_error *err);

/* Restore the terminal and close what console_open() opened. */
void console_close(struct console *c);

#endif
