/* test_fdpass.c - fds over a Unix socket (src/common/fdpass.c): data and fds arrive
 * together, fds beyond what the receiver takes are closed rather than leaked, the end of
 * the stream is a zero length, bad arguments are refused. */
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fdpass.h"

/* Is fd open? */
static bool is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static void sends_data_and_fds(void **state)
{
	struct berth_error err;
	int sv[2], p[2], fds[3] = { 0, 1, 2 }, got[4];
	struct stat a, b;
	size_t len, n, i;
	char buf[32];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(pipe(p), 0);
	fds[1] = p[1];
	assert_int_equal(fdpass_send(sv[0], "hello", 5, fds, 3, &err), 0);
	assert_int_equal(fdpass_recv(sv[1], buf, sizeof(buf), &len, got, 4, &n, &err), 0);
	assert_int_equal(len, 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(n, 3);
	fstat(p[1], &a);
	fstat(got[1], &b);
	assert_true(a.st_ino == b.st_ino); /* the same pipe */
	assert_true(fcntl(got[0], F_GETFD) & FD_CLOEXEC);
	for (i = 0; i < n; i++)
		close(got[i]);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

static void extra_fds_are_closed(void **state)
{
	struct berth_error err;
	int sv[2], fds[3] = { 0, 1, 2 }, got[1];
	size_t len, n;
	char buf[8];
	int probe;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(fdpass_send(sv[0], "x", 1, fds, 3, &err), 0);
	assert_int_equal(fdpass_recv(sv[1], buf, sizeof(buf), &len, got, 1, &n, &err), 0);
	assert_int_equal(n, 1);
	/* the two it did not take were closed: the next fd number is got[0] + 1 */
	probe = dup(0);
	assert_int_equal(probe, got[0] + 1);
	close(probe);
	close(got[0]);
	close(sv[0]);
	assert_int_equal(fdpass_recv(sv[1], buf, sizeof(buf), &len, got, 1, &n, &err), 0);
	assert_int_equal(len, 0); /* the end */
	assert_int_equal(n, 0);
	close(sv[1]);
}

static void refuses_bad_arguments(void **state)
{
	struct berth_error err;
	int sv[2], fds[FDPASS_MAX + 1] = { 0 };

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(fdpass_send(sv[0], "x", 1, fds, FDPASS_MAX + 1, &err), -1);
	assert_int_equal(fdpass_send(sv[0], "", 0, fds, 1, &err), -1);
	close(sv[1]);
	assert_int_equal(fdpass_send(sv[0], "x", 1, fds, 1, &err), -1);
	assert_int_equal(err.errnum, EPIPE);
	assert_true(is_open(sv[0]));
	close(sv[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sends_data_and_fds),
		cmocka_unit_test(extra_fds_are_closed),
		cmocka_unit_test(refuses_bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
