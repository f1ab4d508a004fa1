/* session.c - one `berth exec` (see session.h).
 *
 * Without a terminal the command's stdio are the client's own fds, so stdout and stderr
 * stay apart and nothing is relayed. With one, berth-ct sends the pty master to a private
 * socket beside the session's; the session hands it to the client, which relays it
 * between its own terminal and the command and resizes it. */
#include "console/session.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fdpass.h"
#include "common/unix_sock.h"
#include "console/terminal.h"

#define SESSION_MSG_MS 5000 /* for the client's first message */
#define SESSION_ARGS   512

struct hello {
	int fds[3]; /* the client's stdin, stdout, stderr */
	struct winsize ws;
};

static void close_fds(int *fds, size_t n)
{
	while (n--)
		if (fds[n] >= 0)
			close(fds[n]);
}

/* Wait for the one client; the socket file goes at once, so nobody else can come. */
static int accept_client(const struct session_opts *o, struct berth_error *err)
{
	struct pollfd p = { .fd = o->listener, .events = POLLIN };
	int r = poll(&p, 1, o->wait_s * 1000), fd;

	unlink(o->socket);
	if (r <= 0)
		return berr(err, ETIMEDOUT, "nobody came to %s within %d s", o->socket, o->wait_s);
	fd = accept4(o->listener, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return berr(err, errno, "accept on %s", o->socket);
	return fd;
}

/* A directory (or O_PATH) fd in a container lets its root walk out of its root file system
 * with openat(fd, ".."): the command gets streams only. */
static bool is_stream(int fd)
{
	struct stat st;
	int fl = fcntl(fd, F_GETFL);

	return fl >= 0 && !(fl & O_PATH) && fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode);
}

static int read_hello(int client, struct hello *h, struct berth_error *err)
{
	struct timeval tv = { .tv_sec = SESSION_MSG_MS / 1000 };
	unsigned rows = 0, cols = 0;
	char line[64];
	size_t len, n;

	setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (fdpass_recv(client, line, sizeof(line) - 1, &len, h->fds, 3, &n, err) < 0)
		return -1;
	line[len] = '\0';
	if (n != 3 || strncmp(line, SESSION_HELLO " ", strlen(SESSION_HELLO) + 1) ||
	    sscanf(line + strlen(SESSION_HELLO), "%u %u", &rows, &cols) != 2) {
		close_fds(h->fds, n);
		return berr(err, EPROTO, "the client's first message is not an exec request");
	}
	if (!is_stream(h->fds[0]) || !is_stream(h->fds[1]) || !is_stream(h->fds[2])) {
		close_fds(h->fds, n);
		return berr(err, EPERM, "the client's stdin, stdout or stderr is a directory");
	}
	h->ws = (struct winsize){ .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };
	return 0;
}

/* Run berth-ct exec with stdin in (-1: /dev/null), stdout out and stderr errfd. */
static pid_t run_ct(char **argv, int in, int out, int errfd)
{
	pid_t pid = fork();
	int null, i;

	if (pid != 0)
		return pid;
	null = open("/dev/null", O_RDONLY);
	if (dup2(in >= 0 ? in : null, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
		_exit(127);
	for (i = 0; i < 3; i++) /* dup2 onto itself keeps a received fd's close-on-exec */
		fcntl(i, F_SETFD, 0);
	signal(SIGPIPE, SIG_DFL);
	close_range(3, ~0U, 0);
	execv(argv[0], argv);
	dprintf(2, "berth exec: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* The pty master berth-ct sends to pty_listener, or -1 when berth-ct ended first. */
static int take_pty(int pty_listener, int pidfd, struct berth_error *err)
{
	struct pollfd p[2] = { { .fd = pty_listener, .events = POLLIN },
			       { .fd = pidfd, .events = POLLIN } };

	while (poll(p, 2, -1) < 0)
		if (errno != EINTR)
			return berr(err, errno, "poll");
	if (!(p[0].revents & POLLIN))
		return berr(err, 0, "berth-ct exec ended before it made a terminal");
	return terminal_accept(pty_listener, err);
}

/* With a tty: berth-ct's terminal goes to the client, sized as the client's. */
static int hand_pty(int client, const char *pty_path, int pty_listener, int pidfd,
		    const struct winsize *ws, struct berth_error *err)
{
	_cleanup_close_ int master = take_pty(pty_listener, pidfd, err);

	unlink(pty_path);
	if (master < 0)
		return -1;
	if (ws->ws_row && ws->ws_col)
		ioctl(master, TIOCSWINSZ, ws);
	return fdpass_send(client, SESSION_PTY, strlen(SESSION_PTY), &master, 1, err);
}

/* argv: ct_argv, then --tty --console-socket PATH when pty, then rest. */
static int build_argv(const struct session_opts *o, const char *pty, char **argv)
{
	int n = 0, i;

	for (i = 0; o->ct_argv[i] && n < SESSION_ARGS - 4; i++)
		argv[n++] = o->ct_argv[i];
	if (pty) {
		argv[n++] = "--tty";
		argv[n++] = "--console-socket";
		argv[n++] = (char *)pty;
	}
	for (i = 0; o->rest[i]; i++) {
		if (n == SESSION_ARGS - 1)
			return -1;
		argv[n++] = o->rest[i];
	}
	argv[n] = NULL;
	return 0;
}

static int wait_child(pid_t pid)
{
	int ws;

	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR)
			return 127;
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

/* Start berth-ct exec for the client; its pid, or -1. */
static pid_t start(const struct session_opts *o, int client, const char *pty, int *pty_listener,
		   struct winsize *ws, struct berth_error *err)
{
	struct hello h = { .fds = { -1, -1, -1 } };
	struct unix_listen_file file;
	char *argv[SESSION_ARGS];
	pid_t pid = -1;

	if (read_hello(client, &h, err) < 0)
		return -1;
	*ws = h.ws;
	if (build_argv(o, o->tty ? pty : NULL, argv) < 0)
		berr(err, E2BIG, "too many arguments");
	else if (o->tty &&
		 (*pty_listener = unix_listen(pty, 0600, "terminal socket", &file, err)) < 0)
		;
	else if ((pid = run_ct(argv, o->tty ? -1 : h.fds[0], h.fds[1], h.fds[2])) < 0)
		berr(err, errno, "fork");
	close_fds(h.fds, 3);
	return pid;
}

int session_run(const struct session_opts *o, struct berth_error *err)
{
	_cleanup_close_ int client = -1, pty_listener = -1, pidfd = -1;
	char pty[PATH_MAX + 4], line[sizeof(err->msg) + 16];
	struct winsize ws;
	int status, rc = 0;
	pid_t pid;

	client = accept_client(o, err);
	close(o->listener);
	if (client < 0)
		return -1;
	snprintf(pty, sizeof(pty), "%sp", o->socket);
	pid = start(o, client, pty, &pty_listener, &ws, err);
	if (pid < 0) {
		/* the client says why, instead of an exit status */
		snprintf(line, sizeof(line), SESSION_ERROR " %s\n", err->msg);
		(void)!send(client, line, strlen(line), MSG_NOSIGNAL);
		return -1;
	}
	if (o->tty) {
		pidfd = pidfd_open(pid, 0);
		if (pidfd < 0 || hand_pty(client, pty, pty_listener, pidfd, &ws, err) < 0)
			rc = -1; /* berth-ct said why on the client's stderr, or ends soon */
	}
	status = wait_child(pid);
	snprintf(line, sizeof(line), SESSION_EXIT " %d\n", status);
	(void)!send(client, line, strlen(line), MSG_NOSIGNAL);
	return rc;
}
