/* attach.c - console and exec clients (see attach.h). */
#include "cli/attach.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "cli/escape.h"
#include "cli/term.h"
#include "common/cleanup.h"
#include "common/fdpass.h"
#include "common/unix_sock.h"

#define CHUNK 4096
/* What berth-vmm and the container keeper send a second client before closing it. */
#define BUSY "berth-vmm: the console is in use by another client"

static int connect_to(const char *path, struct berth_error *err)
{
	int fd = unix_connect(path, 0, err);

	if (fd >= 0)
		return fd;
	if (err->errnum == EACCES)
		return berr(err, EACCES, "cannot connect to %s (be root or in group berth)", path);
	return berr(err, err->errnum, "cannot connect to %s (has the server stopped?)", path);
}

/* Write all of buf; false when fd is gone. */
static bool put(int fd, const char *buf, size_t n)
{
	ssize_t w;

	while (n) {
		w = send(fd, buf, n, MSG_NOSIGNAL);
		if (w < 0 && errno == ENOTSOCK)
			w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		buf += w;
		n -= (size_t)w;
	}
	return true;
}

enum console_end { CONSOLE_CLOSED, CONSOLE_DETACHED, CONSOLE_BUSY, CONSOLE_FAILED };

static enum console_end console_relay(int sock, bool tty)
{
	struct escape esc = { 0 };
	bool in_open = true, first = true, detach;
	char buf[CHUNK], out[CHUNK + 1];
	ssize_t n;
	size_t o;

	for (;;) {
		struct pollfd p[2] = { { .fd = sock, .events = POLLIN },
				       { .fd = in_open ? 0 : -1, .events = POLLIN } };

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return CONSOLE_FAILED;
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(sock, buf, sizeof(buf));
			if (n <= 0)
				return CONSOLE_CLOSED;
			if (first && (size_t)n >= strlen(BUSY) && !memcmp(buf, BUSY, strlen(BUSY)))
				return CONSOLE_BUSY;
			first = false;
			if (!put(1, buf, (size_t)n))
				return CONSOLE_FAILED;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(0, buf, sizeof(buf));
			if (n <= 0) {
				in_open = false; /* piped input ended: keep showing the console */
				continue;
			}
			o = tty ? escape_feed(&esc, buf, (size_t)n, out, &detach)
				: (memcpy(out, buf, (size_t)n), (size_t)n);
			if (o && !put(sock, out, o))
				return CONSOLE_CLOSED;
			if (tty && detach)
				return CONSOLE_DETACHED;
		}
	}
}

int attach_console(const char *socket, const char *name, struct berth_error *err)
{
	_cleanup_close_ int sock = connect_to(socket, err);
	enum console_end end;
	bool tty;

	if (sock < 0)
		return berr_wrap(err, "console of %s", name);
	tty = term_raw(0);
	fprintf(stderr, "Connected to %s's console; press Ctrl-A q to detach%s", name,
		tty ? "\r\n" : "\n");
	end = console_relay(sock, tty);
	term_restore();
	switch (end) {
	case CONSOLE_DETACHED:
		fprintf(stderr, "\nDetached from %s's console.\n", name);
		return 0;
	case CONSOLE_CLOSED:
		fprintf(stderr, "%sThe console of %s closed.\n", tty ? "\n" : "", name);
		return 0;
	case CONSOLE_BUSY:
		return berr(err, 0,
			    "the console of %s is in use by another client; detach that one "
			    "first (Ctrl-A q)",
			    name);
	default:
		return berr(err, errno, "console of %s", name);
	}
}

static volatile sig_atomic_t resized;

static void on_winch(int sig)
{
	(void)sig;
	resized = 1;
}

/* The session's messages: "pty" (with the master), "exit N", "error MSG". */
struct exec_state {
	char text[640];
	size_t len;
	int master;
	int status; /* -1 until "exit N" came */
};

/* Read one message from the session; false when it closed or broke the protocol. */
static bool exec_message(int sock, struct exec_state *x, struct berth_error *err)
{
	size_t len, n, i;
	char *nl;
	int fd = -1;

	if (fdpass_recv(sock, x->text + x->len, sizeof(x->text) - 1 - x->len, &len, &fd, 1, &n,
			err) < 0)
		return false;
	if (len == 0) {
		if (n)
			close(fd);
		berr(err, 0, "the exec session ended without the command's status (see ct.log)");
		return false;
	}
	x->len += len;
	x->text[x->len] = '\0';
	while ((nl = strchr(x->text, '\n'))) {
		*nl = '\0';
		if (!strcmp(x->text, "pty") && n == 1 && x->master < 0) {
			x->master = fd;
			n = 0;
		} else if (!strncmp(x->text, "error ", 6)) {
			berr(err, 0, "%.500s", x->text + 6);
			if (n)
				close(fd);
			return false;
		} else if (sscanf(x->text, "exit %d", &x->status) != 1 || x->status < 0) {
			x->status = -1; /* not a message of this protocol: ignored */
		}
		i = (size_t)(nl + 1 - x->text);
		memmove(x->text, nl + 1, x->len - i + 1);
		x->len -= i;
	}
	if (n)
		close(fd);
	if (x->len < sizeof(x->text) - 1)
		return true;
	berr(err, EPROTO, "the exec session sent nonsense");
	return false;
}

/* stdin -> master -> stdout until the command's terminal closes. */
static void exec_relay(int sock, struct exec_state *x, struct berth_error *err)
{
	struct sigaction sa = { .sa_handler = on_winch };
	struct winsize ws;
	bool in_open = true;
	char buf[CHUNK];
	ssize_t n;

	sigaction(SIGWINCH, &sa, NULL);
	while (x->master >= 0) {
		struct pollfd p[3] = { { .fd = x->master, .events = POLLIN },
				       { .fd = in_open ? 0 : -1, .events = POLLIN },
				       { .fd = x->status < 0 ? sock : -1, .events = POLLIN } };

		if (resized && ioctl(0, TIOCGWINSZ, &ws) == 0)
			ioctl(x->master, TIOCSWINSZ, &ws);
		resized = 0;
		/* once the status came, what the terminal still holds is shown, then done */
		if (poll(p, 3, x->status < 0 ? -1 : 200) <= 0) {
			if (errno == EINTR || x->status < 0)
				continue;
			break;
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(x->master, buf, sizeof(buf));
			if (n <= 0 || !put(1, buf, (size_t)n))
				break;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(0, buf, sizeof(buf));
			if (n <= 0)
				in_open = false;
			else if (!put(x->master, buf, (size_t)n))
				break;
		}
		if ((p[2].revents & (POLLIN | POLLHUP | POLLERR)) && !exec_message(sock, x, err))
			break;
	}
	if (x->master >= 0)
		close(x->master);
	x->master = -1;
}

int attach_exec(const char *socket, bool tty, int *status, struct berth_error *err)
{
	_cleanup_close_ int sock = connect_to(socket, err);
	struct exec_state x = { .master = -1, .status = -1 };
	const int fds[3] = { 0, 1, 2 };
	struct winsize ws = { 0 };
	char hello[64];

	if (sock < 0)
		return berr_wrap(err, "exec");
	if (tty && ioctl(0, TIOCGWINSZ, &ws) < 0)
		ioctl(1, TIOCGWINSZ, &ws);
	snprintf(hello, sizeof(hello), "berth-exec %u %u\n", ws.ws_row, ws.ws_col);
	if (fdpass_send(sock, hello, strlen(hello), fds, 3, err) < 0)
		return berr_wrap(err, "exec");
	while (x.status < 0) {
		if (!exec_message(sock, &x, err))
			return -1;
		if (x.master >= 0) {
			term_raw(0);
			exec_relay(sock, &x, err);
			term_restore();
		}
	}
	*status = x.status;
	return 0;
}
