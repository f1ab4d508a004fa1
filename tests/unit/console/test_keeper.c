/* test_keeper.c - the container terminal's keeper (src/console/keeper.c) against a real
 * pty standing in for the container: the master handed over as berth-ct hands it, output
 * to the client and the capped log, input to the container, a second client refused, a
 * client that never reads stalling nothing, the keeper's end when the terminal closes. */
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "common/fdpass.h"
#include "console/keeper.h"

#define CAP (64 << 10)

struct fixture {
	char dir[64], rt[96], sock[96], log[96];
	int slave; /* the "container's" end of the terminal */
	pid_t keeper;
};

static int connect_to(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Read from fd until want is seen in what came (at most size - 1 bytes) or ms passed
 * without anything coming. */
static bool read_within(int fd, const char *want, char *buf, size_t size, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t len = 0;
	ssize_t n;

	buf[0] = '\0';
	while (len + 1 < size && poll(&p, 1, ms) > 0) {
		n = read(fd, buf + len, size - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, want))
			return true;
	}
	return false;
}

static bool read_until(int fd, const char *want, char *buf, size_t size)
{
	return read_within(fd, want, buf, size, 5000);
}

/* The container says text until client c sees it: c may not be accepted yet at first. */
static void say_until_seen(struct fixture *f, int c, const char *text)
{
	char buf[4096];
	int i;

	for (i = 0; i < 50; i++) {
		assert_int_equal(write(f->slave, text, strlen(text)), (ssize_t)strlen(text));
		if (read_within(c, text, buf, sizeof(buf), 100))
			return;
	}
	fail_msg("the client never saw '%s'", text);
}

/* A client once the previous one is gone (the keeper may not have noticed yet). */
static int attach_when_free(struct fixture *f)
{
	char buf[128];
	int i, c;

	for (i = 0; i < 50; i++) {
		c = connect_to(f->sock);
		assert_true(c >= 0);
		if (!read_within(c, "in use", buf, sizeof(buf), 100))
			return c;
		close(c);
	}
	fail_msg("the console stayed busy");
	return -1;
}

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* A keeper in a child process, given a pty master through its runtime socket. */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct berth_error err;
	struct termios raw;
	int master, listener, conn, i;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_keeper.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->rt, sizeof(f->rt), "%s/rt.sock", f->dir);
	snprintf(f->sock, sizeof(f->sock), "%s/console.sock", f->dir);
	snprintf(f->log, sizeof(f->log), "%s/console.log", f->dir);
	assert_int_equal(openpty(&master, &f->slave, NULL, NULL, NULL), 0);
	tcgetattr(f->slave, &raw);
	cfmakeraw(&raw); /* bytes as they are, no echo */
	tcsetattr(f->slave, TCSANOW, &raw);
	listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", f->rt);
	assert_int_equal(bind(listener, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(listener, 1), 0);
	f->keeper = fork();
	if (f->keeper == 0) {
		struct keeper_opts o = { .runtime_listener = listener,
					 .log = f->log,
					 .log_max = CAP,
					 .socket = f->sock,
					 .wait_s = 5 };

		signal(SIGPIPE, SIG_IGN);
		close(master);
		close(f->slave);
		_exit(keeper_run(&o, &err) < 0 ? 1 : 0);
	}
	close(listener);
	conn = connect_to(f->rt);
	assert_true(conn >= 0);
	assert_int_equal(fdpass_send(conn, "/dev/pts/x", 10, &master, 1, &err), 0);
	close(conn);
	close(master); /* the keeper holds the only master now */
	for (i = 0; i < 50 && access(f->sock, F_OK) < 0; i++)
		usleep(100000);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	if (f->slave >= 0)
		close(f->slave);
	if (f->keeper > 0) {
		kill(f->keeper, SIGKILL);
		waitpid(f->keeper, NULL, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void relays_both_ways_and_logs(void **state)
{
	struct fixture *f = *state;
	char buf[4096];
	int c = connect_to(f->sock);

	assert_true(c >= 0);
	say_until_seen(f, c, "hello from ct\r\n");
	assert_int_equal(write(c, "typed", 5), 5);
	assert_true(read_until(f->slave, "typed", buf, sizeof(buf)));
	close(c);
	assert_true(file_size(f->log) >= 15); /* logged before it was relayed */
}

static void second_client_is_refused_then_welcome(void **state)
{
	struct fixture *f = *state;
	char buf[256];
	int a = connect_to(f->sock), b;
	ssize_t n;

	assert_true(a >= 0);
	say_until_seen(f, a, "first\r\n"); /* a is the client now */
	b = connect_to(f->sock);
	assert_true(b >= 0);
	assert_true(read_until(b, KEEPER_BUSY, buf, sizeof(buf)));
	n = read(b, buf, sizeof(buf));
	assert_int_equal(n, 0); /* then closed */
	close(b);
	close(a);
	b = attach_when_free(f);
	say_until_seen(f, b, "next\r\n");
	close(b);
}

static void a_client_that_never_reads_stalls_nothing(void **state)
{
	struct fixture *f = *state;
	char chunk[4096];
	size_t total = 0;
	int c = connect_to(f->sock);
	struct pollfd p = { .fd = f->slave, .events = POLLOUT };

	assert_true(c >= 0);
	say_until_seen(f, c, "flood\r\n"); /* attached, and never reads again */
	memset(chunk, 'x', sizeof(chunk));
	fcntl(f->slave, F_SETFL, O_NONBLOCK);
	/* 2 MiB: far more than the client's socket and the keeper's queue hold */
	while (total < (2u << 20)) {
		ssize_t n;

		if (poll(&p, 1, 5000) <= 0)
			fail_msg("the container stalled after %zu bytes", total);
		n = write(f->slave, chunk, sizeof(chunk));
		if (n > 0)
			total += (size_t)n;
		else
			assert_int_equal(errno, EAGAIN);
	}
	usleep(300000);
	assert_true(file_size(f->log) <= CAP);
	assert_true(file_size(f->log) > 0);
	snprintf(chunk, sizeof(chunk), "%s.1", f->log);
	assert_true(file_size(chunk) <= CAP && file_size(chunk) > 0);
	close(c);
}

static void input_the_container_does_not_read_stalls_nothing(void **state)
{
	struct fixture *f = *state;
	char chunk[4096];
	int c = connect_to(f->sock);
	size_t sent = 0;
	ssize_t n;

	assert_true(c >= 0);
	say_until_seen(f, c, "ready\r\n");
	memset(chunk, 'y', sizeof(chunk));
	fcntl(c, F_SETFL, O_NONBLOCK);
	/* the container never reads: the keeper's queue, the pty and the socket fill up */
	while ((n = write(c, chunk, sizeof(chunk))) > 0 && sent < (64u << 20))
		sent += (size_t)n;
	assert_int_equal(errno, EAGAIN);
	/* ... and the container's output still comes through */
	say_until_seen(f, c, "still here\r\n");
	close(c);
}

static void ends_when_the_terminal_closes(void **state)
{
	struct fixture *f = *state;
	int status, i, c = connect_to(f->sock);
	char buf[16];

	assert_true(c >= 0);
	say_until_seen(f, c, "bye\r\n"); /* accepted: it sees an end, not a reset */
	close(f->slave);
	f->slave = -1;
	for (i = 0; i < 50 && waitpid(f->keeper, &status, WNOHANG) == 0; i++)
		usleep(100000);
	assert_true(i < 50);
	f->keeper = 0;
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(access(f->sock, F_OK), -1);	/* its socket is gone */
	assert_int_equal(read(c, buf, sizeof(buf)), 0); /* the client sees the end */
	close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(relays_both_ways_and_logs, setup, teardown),
		cmocka_unit_test_setup_teardown(second_client_is_refused_then_welcome, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_client_that_never_reads_stalls_nothing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(input_the_container_does_not_read_stalls_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(ends_when_the_terminal_closes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
