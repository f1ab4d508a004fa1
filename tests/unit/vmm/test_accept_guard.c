/* Unit tests for src/vmm/accept_guard.c: a listener on the event loop whose process runs
 * out of file descriptors neither spins the loop nor stops accepting for good. The test
 * lowers its own RLIMIT_NOFILE and fills every fd, then connects. */
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vmm/accept_guard.h"
#include "vmm/loop.h"

#define NOFILE 256

static struct loop loop;
static struct loop_source listener;
static struct accept_guard guard;
static struct sockaddr_un addr = { .sun_family = AF_UNIX };
static unsigned calls;	  /* listener callbacks */
static int accepted = -1; /* the last connection accepted */
static int filler[NOFILE];
static unsigned nfiller;

static void on_connect(struct loop_source *src, uint32_t events)
{
	int fd;

	(void)src, (void)events;
	calls++;
	fd = accept_guard_accept(&guard);
	if (fd >= 0) {
		if (accepted >= 0)
			close(accepted);
		accepted = fd;
	}
}

/* Run the loop for ms milliseconds. */
static void run_for(int ms)
{
	struct timespec t0, t;
	struct epoll_event ev[8];
	long left = ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (left > 0) {
		int n = epoll_wait(loop.epfd, ev, 8, (int)left);

		for (int i = 0; i < n; i++) {
			struct loop_source *src = ev[i].data.ptr;

			src->fn(src, ev[i].events);
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		left = ms - ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
	}
}

static void fill_fds(void)
{
	int fd;

	while ((fd = dup(0)) >= 0)
		filler[nfiller++] = fd;
	assert_int_equal(errno, EMFILE);
}

static void free_fds(void)
{
	while (nfiller)
		close(filler[--nfiller]);
}

static int client(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	return fd;
}

static void out_of_fds(void **state)
{
	struct rlimit saved, low;
	struct berth_error err = { 0 };
	int c1 = client(), c2 = client();
	char buf[128];
	ssize_t n;

	(void)state;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/listen.sock", testlib_dir);
	listener.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	listener.fn = on_connect;
	assert_int_equal(bind(listener.fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(listen(listener.fd, 8), 0);
	assert_int_equal(loop_init(&loop, &err), 0);
	assert_int_equal(loop_add(&loop, &listener, &err), 0);
	assert_int_equal(accept_guard_init(&guard, &loop, &listener, "busy\n", &err), 0);

	assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
	low = saved;
	low.rlim_cur = NOFILE;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	fill_fds();

	/* Out of fds with the reserve in hand: the client is taken, told and closed, and the
	 * listener is not readable any more. */
	assert_int_equal(connect(c1, (struct sockaddr *)&addr, sizeof(addr)), 0);
	run_for(50);
	assert_int_equal(calls, 1);
	assert_int_equal(accepted, -1);
	n = recv(c1, buf, sizeof(buf), 0);
	assert_int_equal(n, 5);
	assert_memory_equal(buf, "busy\n", 5);
	assert_int_equal(recv(c1, buf, sizeof(buf), 0), 0);
	assert_true(guard.reserve >= 0);

	/* Out of fds without a reserve (another thread took its number): the listener leaves the
	 * loop for a while instead of being called back at once, again and again. */
	close(guard.reserve);
	guard.reserve = -1;
	fill_fds();
	calls = 0;
	assert_int_equal(connect(c2, (struct sockaddr *)&addr, sizeof(addr)), 0);
	run_for(5 * ACCEPT_BACKOFF_MS);
	assert_true(calls >= 1);
	assert_true(calls <= 7); /* once per back-off, not thousands */
	assert_int_equal(accepted, -1);

	/* fds come back: the waiting client is accepted after the back-off. */
	free_fds();
	run_for(3 * ACCEPT_BACKOFF_MS);
	assert_true(accepted >= 0);
	assert_true(guard.reserve >= 0);
	assert_false(guard.parked);

	assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
	close(accepted);
	close(c1);
	close(c2);
	accept_guard_destroy(&guard);
	loop_del(&loop, &listener);
	close(listener.fd);
	loop_destroy(&loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(out_of_fds),
	};
	return cmocka_run_group_tests(tests, testlib_dir_make, testlib_dir_remove);
}
