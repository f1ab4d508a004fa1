/* console.h - the host side of the guest's serial console.
 *
 * Output goes to stdout, to a log file (capped by caplog when asked) and/or to the client of
 * the console socket. Input comes from stdin (--console stdio) or from the socket's client,
 * and reaches the UART at the pace the guest reads it: while the UART's buffer is full, the
 * console stops reading, so nothing typed is dropped or reordered, and each wake-up reads a
 * bounded amount, so a client that sends for ever cannot starve the rest of the loop.
 *
 * On a terminal, stdin is put in raw mode so every key reaches the guest; Ctrl-A x quits
 * and Ctrl-A Ctrl-A sends a Ctrl-A. The terminal is restored on every exit, including death
 * by any signal whose default action ends the process (but SIGKILL); the process then dies of
 * that signal. The socket's bytes are never interpreted. */
#ifndef BERTH_VMM_CONSOLE_H
#define BERTH_VMM_CONSOLE_H

#include <stdbool.h>
#include <termios.h>

#include "common/caplog.h"
#include "common/error.h"
#include "config.h"
#include "console_sock.h"
#include "dev/uart.h"
#include "loop.h"

/* Input read per wake-up. */
#define CONSOLE_READ 256

struct console {
	enum console_mode mode;
	struct uart_line line; /* what the UART calls: output, and room for more input */
	struct caplog log;     /* CONSOLE_FILE */
	struct console_sock sock;
	struct uart *uart;
	struct loop *loop;
	struct loop_source in;	 /* stdin or the socket's client; fd -1: no input */
	struct loop_source room; /* eventfd that line.rx_room writes */
	bool watching;		 /* in is on the loop */
	bool tty;		 /* stdin is a terminal in raw mode */
	bool escape;		 /* Ctrl-A seen, waiting for the next key */
	/* Input read but not yet taken by the UART (one read, plus a held-back Ctrl-A). */
	uint8_t pending[CONSOLE_READ + 1];
	size_t pending_off, pending_len;
	void (*quit)(void *opaque);
	void *quit_opaque;
};

/* Open the console chosen by cfg (log file, socket); c->line is what the UART connects to.
 * Before other threads exist (the socket is made under a temporary umask). */
int console_open(struct console *c, const struct vm_config *cfg, struct berth_error *err);

/* Start feeding input to uart through loop; quit(opaque) runs on Ctrl-A x (stdio only). */
int console_attach(struct console *c, struct loop *loop, struct uart *uart, void (*quit)(void *),
		   void *opaque, struct berth_error *err);

/* Restore the terminal and close what console_open() and console_attach() opened. */
void console_close(struct console *c);

#endif
