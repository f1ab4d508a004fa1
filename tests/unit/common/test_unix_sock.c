/* test_unix_sock.c - a listening socket's file gets exactly the mode asked for, whatever
 * the umask; a stale one is replaced, a live one refused; connecting tells which is which. */
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/unix_sock.h"

static mode_t listen_mode(mode_t mask, mode_t mode)
{
	struct unix_listen_file file;
	struct berth_error err;
	char path[128];
	struct stat st;
	mode_t old;
	int fd;

	snprintf(path, sizeof(path), "%s/s.sock", testlib_dir);
	old = umask(mask);
	fd = unix_listen(path, mode, "test", &file, &err);
	umask(old);
	assert_true(fd >= 0);
	assert_int_equal(lstat(path, &st), 0);
	unix_listen_remove(path, &file);
	close(fd);
	return st.st_mode & 07777;
}

static void mode_is_exact_whatever_the_umask(void **state)
{
	(void)state;
	assert_int_equal(listen_mode(0, 0660), 0660);
	assert_int_equal(listen_mode(0077, 0660), 0660);
	assert_int_equal(listen_mode(0, 0600), 0600);
	assert_int_equal(listen_mode(0022, 0600), 0600);
}

static void live_socket_is_refused_stale_replaced(void **state)
{
	struct unix_listen_file file, file2;
	struct berth_error err;
	char path[128];
	int fd, client;

	(void)state;
	snprintf(path, sizeof(path), "%s/live.sock", testlib_dir);
	assert_int_equal(unix_connect(path, 0, &err), -1);
	assert_int_equal(err.errnum, ENOENT);
	fd = unix_listen(path, 0600, "--test", &file, &err);
	assert_true(fd >= 0);
	client = unix_connect(path, 0, &err);
	assert_true(client >= 0);
	close(client);
	assert_int_equal(unix_listen(path, 0600, "--test", &file2, &err), -1);
	assert_contains(err.msg, "another process listens on");
	close(fd); /* now stale: the file stays, nobody listens */
	assert_int_equal(unix_connect(path, SOCK_NONBLOCK, &err), -1);
	assert_int_equal(err.errnum, ECONNREFUSED);
	fd = unix_listen(path, 0600, "--test", &file2, &err);
	assert_true(fd >= 0);
	unix_listen_remove(path, &file2);
	close(fd);
}

/* An inherited listening socket is taken as it is (non-blocking, close-on-exec) and its file
 * is never removed; anything else is refused. */
static void inherited_listener(void **state)
{
	struct unix_listen_file file, inherited;
	struct berth_error err;
	char path[128];
	int fd, sv[2], p[2];
	struct stat st;

	(void)state;
	snprintf(path, sizeof(path), "%s/inh.sock", testlib_dir);
	fd = unix_listen(path, 0600, "--test", &file, &err);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_SETFL, 0), 0);
	assert_int_equal(fcntl(fd, F_SETFD, 0), 0);
	assert_int_equal(unix_listen_inherited(fd, "--test-fd", &inherited, &err), fd);
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	unix_listen_remove(path, &inherited);
	assert_int_equal(lstat(path, &st), 0); /* the jailer's file, not ours */
	unix_listen_remove(path, &file);
	close(fd);

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(unix_listen_inherited(sv[0], "--test-fd", &inherited, &err), -1);
	assert_contains(err.msg, "not a listening Unix stream socket");
	close(sv[0]);
	close(sv[1]);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(unix_listen_inherited(p[0], "--test-fd", &inherited, &err), -1);
	assert_contains(err.msg, "is not a socket");
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mode_is_exact_whatever_the_umask),
		cmocka_unit_test(live_socket_is_refused_stale_replaced),
		cmocka_unit_test(inherited_listener),
	};
	return cmocka_run_group_tests(tests, testlib_dir_make, testlib_dir_remove);
}
