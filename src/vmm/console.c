/* console.c - stdin/stdout and terminal handling for the serial console. */
#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
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

static void console_fatal_signal(int sig)
{
	console_restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int console_raw(struct console *c, struct berth_error *err)
{
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGQUIT };
	struct termios raw;
	unsigned i;

	if (tcgetattr(STDIN_FILENO, &saved_termios) < 0)
		return berr(err, errno, "cannot read terminal settings");
	raw = saved_termios;
	cfmakeraw(&raw);
	raw.c_oflag |= OPOST | ONLCR; /* our own messages still start at column 0 */
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) < 0)
		return berr(err, errno, "cannot put the terminal in raw mode");
	termios_saved = 1;
	for (i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		signal(fatal[i], console_fatal_signal);
	c->tty = true;
	return 0;
}

int console_open(struct console *c, const struct vm_config *cfg, struct berth_error *err)
{
	memset(c, 0, sizeof(*c));
	c->src.fd = -1;
	c->out_fd = -1;
	switch (cfg->console) {
	case CONSOLE_STDIO:
		c->out_fd = STDOUT_FILENO;
		break;
	case CONSOLE_FILE:
		c->out_fd = open(cfg->console_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
		if (c->out_fd < 0)
			return berr(err, errno, "cannot open console file '%s'", cfg->console_path);
		c->owns_out = true;
		break;
	case CONSOLE_NONE:
		break;
	}
	return 0;
}

/* Feed bytes to the guest, acting on the escape key when stdin is a terminal. */
static void console_feed(struct console *c, const uint8_t *buf, size_t n)
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
			if (k != KEY_CTRL_A)
				uart_receive(c->uart, (const uint8_t[]){ KEY_CTRL_A }, 1);
		} else if (c->tty && k == KEY_CTRL_A) {
			c->escape = true;
			continue;
		}
		uart_receive(c->uart, &k, 1);
	}
}

static void console_on_input(struct loop_source *src, uint32_t events)
{
	struct console *c = src->opaque;
	uint8_t buf[256];
	ssize_t n;

	(void)events;
	n = read(src->fd, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) { /* end of input: the guest keeps running without it */
		loop_del(c->loop, src);
		c->input = false;
		return;
	}
	console_feed(c, buf, (size_t)n);
}

int console_attach(struct console *c, struct loop *loop, struct uart *uart, void (*quit)(void *), void *opaque,
		   struct berth_error *err)
{
	c->uart = uart;
	c->loop = loop;
	c->quit = quit;
	c->quit_opaque = opaque;
	if (c->out_fd != STDOUT_FILENO)
		return 0; /* file and none consoles take no input */
	c->src = (struct loop_source){ .fd = STDIN_FILENO, .fn = console_on_input, .opaque = c };
	if (loop_add(loop, &c->src, err) < 0) {
		if (err->errnum == EPERM || err->errnum == EBADF)
			return 0; /* stdin is a regular file, /dev/null or closed: no input */
		return -1;
	}
	c->input = true;
	if (isatty(STDIN_FILENO))
		return console_raw(c, err);
	return 0;
}

void console_close(struct console *c)
{
	console_restore_terminal();
	if (c->owns_out && c->out_fd >= 0)
		close(c->out_fd);
	c->out_fd = -1;
}
