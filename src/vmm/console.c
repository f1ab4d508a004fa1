/* console.c - the serial console's host side: where output goes, input at the guest's pace,
 * and the terminal (see console.h). */
#include "console.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define KEY_CTRL_A 0x01

/* The terminal state to restore; global because fatal-signal handlers need it. */
static struct termios saved_termios;
static volatile sig_atomic_t termios_saved;

static void console_restore_terminal(void)
{
	if (termios_saved) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
		termios_saved = 0;
	}
}

/* A signal that would kill the process: put the terminal back, then die of that signal
 * (SA_RESETHAND restored the default action; the signal stays blocked until we return). */
static void console_fatal_signal(int sig)
{
	console_restore_terminal();
	raise(sig);
}

/* Does sig's default action end the process? Every signal does but these. */
static bool signal_kills_by_default(int sig)
{
	switch (sig) {
	case SIGKILL: /* cannot be caught: nothing restores the terminal then */
	case SIGCHLD:
	case SIGCONT:
	case SIGSTOP:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
	case SIGURG:
	case SIGWINCH:
		return false;
	default:
		return true;
	}
}

/* Restore the terminal on every signal that would kill the process with its default action,
 * real-time ones included. Signals the VMM already took are left alone: blocked ones are read
 * from a signalfd (SIGTERM, SIGINT, SIGHUP), SIGUSR1 kicks vCPUs, SIGPIPE is ignored. */
static void console_trap_fatal_signals(void)
{
	struct sigaction sa, old;
	sigset_t blocked;
	int sig;

	pthread_sigmask(SIG_BLOCK, NULL, &blocked);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = console_fatal_signal;
	sa.sa_flags = SA_RESETHAND;
	for (sig = 1; sig < NSIG; sig++) {
		if (!signal_kills_by_default(sig) || sigismember(&blocked, sig) == 1)
			continue;
		/* Fails for the C library's own real-time signals, which it keeps for itself. */
		if (sigaction(sig, NULL, &old) < 0 || old.sa_handler != SIG_DFL)
			continue;
		sigaction(sig, &sa, NULL);
	}
}

static int console_raw(struct console *c, struct berth_error *err)
{
	struct termios raw;

	if (tcgetattr(STDIN_FILENO, &saved_termios) < 0)
		return berr(err, errno, "cannot read terminal settings");
	raw = saved_termios;
	cfmakeraw(&raw);
	raw.c_oflag |= OPOST | ONLCR; /* our own messages still start at column 0 */
	console_trap_fatal_signals(); /* before raw mode: no moment without them */
	termios_saved = 1;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) < 0) {
		termios_saved = 0;
		return berr(err, errno, "cannot put the terminal in raw mode");
	}
	c->tty = true;
	return 0;
}

/* The UART's output, on a vCPU thread: nothing here may wait for a reader. */
static void console_transmit(void *opaque, uint8_t ch)
{
	struct console *c = opaque;
	ssize_t n;

	switch (c->mode) {
	case CONSOLE_STDIO:
		/* A failed write drops the byte: the reader went away (EPIPE), or a stop
		 * interrupted a write blocked on a reader that does not read (EINTR). Retrying
		 * could hold the vCPU for ever. */
		n = write(STDOUT_FILENO, &ch, 1);
		(void)n;
		break;
	case CONSOLE_FILE:
		caplog_write(&c->log, &ch, 1);
		break;
	case CONSOLE_NONE:
		break;
	}
	if (c->sock.path)
		console_sock_send(&c->sock, ch);
}

/* The UART has room again (from a vCPU thread): wake the loop to offer what is pending. */
static void console_rx_room(void *opaque)
{
	struct console *c = opaque;
	uint64_t one = 1;
	ssize_t n = write(c->room.fd, &one, sizeof(one));

	(void)n; /* only fails when the counter is already non-zero: the loop is woken anyway */
}

int console_open(struct console *c, const struct vm_config *cfg, struct berth_error *err)
{
	memset(c, 0, sizeof(*c));
	c->mode = cfg->console;
	c->in.fd = c->room.fd = c->log.fd = -1;
	c->line = (struct uart_line){ .transmit = console_transmit,
				      .rx_room = console_rx_room,
				      .opaque = c };
	if (cfg->console == CONSOLE_FILE &&
	    caplog_open(&c->log, cfg->console_path, cfg->console_max, err))
		return -1;
	if (cfg->console_sock &&
	    console_sock_open(&c->sock, cfg->console_sock, cfg->console_sock_fd, err)) {
		caplog_close(&c->log);
		return -1;
	}
	return 0;
}

/* Watch the input source or stop watching it. */
static void console_watch(struct console *c, bool on)
{
	struct berth_error err = { 0 };

	if (on == c->watching || c->in.fd < 0)
		return;
	if (!on) {
		loop_del(c->loop, &c->in);
	} else if (loop_add(c->loop, &c->in, &err)) {
		fprintf(stderr, "berth-vmm: console input stops: %s\n", err.msg);
		return;
	}
	c->watching = on;
}

/* Offer the guest what is pending; read more only once the UART has taken all of it. */
static void console_push(struct console *c)
{
	c->pending_off +=
	    uart_receive(c->uart, c->pending + c->pending_off, c->pending_len - c->pending_off);
	if (c->pending_off < c->pending_len) {
		console_watch(c, false); /* until console_rx_room */
		return;
	}
	c->pending_off = c->pending_len = 0;
	console_watch(c, true);
}

/* Read from fd (the socket's new client), or from nothing (-1), keeping what is pending. */
static void console_set_input(void *opaque, int fd)
{
	struct console *c = opaque;

	console_watch(c, false);
	c->in.fd = fd;
	c->escape = false;
	if (c->pending_off == c->pending_len)
		console_watch(c, true);
}

/* Turn what was read into pending bytes, acting on the escape key when stdin is a terminal. */
static void console_filter(struct console *c, const uint8_t *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint8_t k = buf[i];

		if (c->escape) {
			c->escape = false;
			if (k == 'x' || k == 'X') {
				c->quit(c->quit_opaque);
				return;
			}
			if (k != KEY_CTRL_A) /* at most once per read: pending has room for it */
				c->pending[c->pending_len++] = KEY_CTRL_A;
		} else if (c->tty && k == KEY_CTRL_A) {
			c->escape = true;
			continue;
		}
		c->pending[c->pending_len++] = k;
	}
}

static void console_on_input(struct loop_source *src, uint32_t events)
{
	struct console *c = src->opaque;
	uint8_t buf[CONSOLE_READ];
	ssize_t n;

	(void)events;
	if (!c->watching || c->pending_len)
		return; /* an event from before the source was switched or paused */
	n = read(src->fd, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) { /* end of input: the guest keeps running without it */
		if (c->sock.path)
			console_sock_drop(&c->sock); /* and waits for the next client */
		else
			console_set_input(c, -1);
		return;
	}
	console_filter(c, buf, (size_t)n);
	console_push(c);
}

static void console_on_room(struct loop_source *src, uint32_t events)
{
	struct console *c = src->opaque;
	uint64_t n;

	(void)events;
	if (read(src->fd, &n, sizeof(n)) == sizeof(n) && c->pending_len)
		console_push(c);
}

int console_attach(struct console *c, struct loop *loop, struct uart *uart, void (*quit)(void *),
		   void *opaque, struct berth_error *err)
{
	c->uart = uart;
	c->loop = loop;
	c->quit = quit;
	c->quit_opaque = opaque;
	if (c->mode != CONSOLE_STDIO && !c->sock.path)
		return 0; /* nothing to read input from */
	c->room = (struct loop_source){ .fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK),
					.fn = console_on_room,
					.opaque = c };
	if (c->room.fd < 0)
		return berr(err, errno, "eventfd");
	if (loop_add(loop, &c->room, err))
		return -1;
	c->in = (struct loop_source){ .fd = -1, .fn = console_on_input, .opaque = c };
	if (c->sock.path)
		return console_sock_start(&c->sock, loop, console_set_input, c, err);
	c->in.fd = STDIN_FILENO;
	if (loop_add(loop, &c->in, err) < 0) {
		c->in.fd = -1;
		if (err->errnum == EPERM || err->errnum == EBADF)
			return 0; /* stdin is a regular file, /dev/null or closed: no input */
		return -1;
	}
	c->watching = true;
	if (isatty(STDIN_FILENO))
		return console_raw(c, err);
	return 0;
}

void console_close(struct console *c)
{
	console_restore_terminal();
	if (!c->line.opaque)
		return; /* console_open() never ran: nothing else to close */
	console_sock_close(&c->sock);
	console_watch(c, false);
	if (c->room.fd >= 0) {
		if (c->loop)
			loop_del(c->loop, &c->room);
		close(c->room.fd);
	}
	c->room.fd = -1;
	caplog_close(&c->log);
}
