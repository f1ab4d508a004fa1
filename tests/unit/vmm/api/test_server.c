/* Unit tests for src/vmm/api/server.c and socket.c: the socket file's life, and clients on a
 * real event loop driven in short steps (a timer ends each step). */
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include "vmm/api/request.h"
#include "vmm/api/server.h"

struct fixture {
	char dir[64], path[96];
	struct loop loop;
	struct loop_source timer;
	struct api_server srv;
	bool paused;
	int shutdowns, stops;
	bool disk_grown;
};

static void fake_status(void *opaque, struct api_status *st)
{
	struct fixture *f = opaque;

	st->state = f->paused ? "paused" : "running";
	st->cpus = 2;
	st->mem = 64 << 20;
	st->uptime = 1.5;
	st->reboots = 3;
	st->kernel = "bzImage";
}

static int fake_pause(void *opaque, struct berth_error *err)
{
	struct fixture *f = opaque;

	(void)err;
	if (f->paused)
		return 0;
	f->paused = true;
	return 1;
}

static int fake_resume(void *opaque, struct berth_error *err)
{
	struct fixture *f = opaque;

	if (!f->paused)
		return berr(err, 0, "test: resume refused");
	f->paused = false;
	return 1;
}

static void fake_shutdown(void *opaque)
{
	((struct fixture *)opaque)->shutdowns++;
}

static void fake_stop(void *opaque)
{
	((struct fixture *)opaque)->stops++;
}

/* Disk 0 grows from 1 MiB to 2 MiB once; any other disk does not exist. */
static int fake_disk_resize(void *opaque, unsigned disk, uint64_t *old, uint64_t *now,
			    struct berth_error *err)
{
	struct fixture *f = opaque;

	if (disk != 0)
		return berr(err, 0, "test: no disk %u", disk);
	*old = f->disk_grown ? 2 << 20 : 1 << 20;
	*now = 2 << 20;
	f->disk_grown = true;
	return 0;
}

static const struct api_ops fake_ops = {
	.status = fake_status,
	.pause = fake_pause,
	.resume = fake_resume,
	.shutdown = fake_shutdown,
	.stop = fake_stop,
	.disk_resize = fake_disk_resize,
};

static void on_timer(struct loop_source *src, uint32_t events)
{
	uint64_t n;

	(void)events;
	if (read(src->fd, &n, sizeof(n)) < 0)
		fail_msg("timerfd read: %s", strerror(errno));
	((struct loop *)src->opaque)->stop = true;
}

/* Run the loop for 50 ms: every pending request is answered by then. */
static void pump(struct fixture *f)
{
	struct itimerspec t = { .it_value.tv_nsec = 50 * 1000000 };
	struct berth_error err = { 0 };

	assert_int_equal(timerfd_settime(f->timer.fd, 0, &t, NULL), 0);
	f->loop.stop = false;
	assert_int_equal(loop_run(&f->loop, &err), 0);
}

static int setup(void **state)
{
	struct berth_error err = { 0 };
	struct fixture *f = calloc(1, sizeof(*f));

	strcpy(f->dir, "/tmp/berth-api-test.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/api.sock", f->dir);
	assert_int_equal(loop_init(&f->loop, &err), 0);
	f->timer = (struct loop_source){ .fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC),
					 .fn = on_timer,
					 .opaque = &f->loop };
	assert_int_equal(loop_add(&f->loop, &f->timer, &err), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	api_server_close(&f->srv);
	close(f->timer.fd);
	loop_destroy(&f->loop);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void open_server(struct fixture *f)
{
	struct berth_error err = { 0 };

	if (api_server_open(&f->srv, f->path, &f->loop, &fake_ops, f, &err))
		fail_msg("api_server_open: %s", err.msg);
}

static int connect_to(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	return fd;
}

static void send_str(int fd, const char *s)
{
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

/* Everything the server has sent to fd so far (the test never waits on an empty socket). */
static char *received(int fd)
{
	static char buf[65536];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void socket_file(void **state)
{
	struct fixture *f = *state;
	struct berth_error err = { 0 };
	struct api_server other = { 0 };
	struct stat st;

	open_server(f);
	assert_int_equal(lstat(f->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	/* A live socket is never taken over. */
	assert_int_equal(api_server_open(&other, f->path, &f->loop, &fake_ops, f, &err), -1);
	assert_contains(err.msg, "another process listens on");
	api_server_close(&f->srv);
	assert_int_equal(lstat(f->path, &st), -1);
	assert_int_equal(errno, ENOENT);
}

static void stale_socket(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct berth_error err = { 0 };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	/* A socket file nobody listens on, as a killed VMM leaves behind. */
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", f->path);
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	close(fd);
	open_server(f);
	fd = connect_to(f->path);
	send_str(fd, "{\"cmd\":\"status\"}\n");
	pump(f);
	assert_contains(received(fd), "\"ok\":true");
	close(fd);
	api_server_close(&f->srv);
	/* Not a socket: left alone. */
	close(open(f->path, O_CREAT | O_WRONLY, 0600));
	assert_int_equal(api_server_open(&f->srv, f->path, &f->loop, &fake_ops, f, &err), -1);
	assert_contains(err.msg, "is not a socket");
	assert_int_equal(access(f->path, F_OK), 0);
	assert_int_equal(api_server_open(&f->srv,
					 "/tmp/"
					 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
					 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
					 &f->loop, &fake_ops, f, &err),
			 -1);
	assert_contains(err.msg, "1 to 107 bytes");
}

static void commands(void **state)
{
	struct fixture *f = *state;
	int fd;
	char *r;

	open_server(f);
	fd = connect_to(f->path);
	send_str(fd, "{\"cmd\":\"status\",\"id\":1}\r\n{\"cmd\":\"pause\"}\n{\"cmd\":\"pause\"}\n");
	pump(f);
	r = received(fd);
	assert_contains(r, "{\"ok\":true,\"id\":1,\"state\":\"running\",\"cpus\":2,\"mem\":"
			   "67108864,\"uptime\":1.5,\"pid\":");
	assert_contains(r, "\"reboots\":3,\"kernel\":\"bzImage\"}\n{\"ok\":true,\"state\":"
			   "\"paused\"}\n{\"ok\":true,\"state\":\"paused\"}\n");
	send_str(fd, "{\"cmd\":\"resume\"}\n{\"cmd\":\"resume\",\"id\":\"r\"}\nnonsense\n{\"cmd\":"
		     "\"shutdown\"}\n{\"cmd\":\"stop\"}\n");
	pump(f);
	assert_string_equal(received(fd),
			    "{\"ok\":true,\"state\":\"running\"}\n"
			    "{\"ok\":false,\"id\":\"r\",\"error\":\"test: resume refused\"}\n"
			    "{\"ok\":false,\"error\":\"not JSON: '[' or '{' expected near "
			    "'nonsense' (at byte 8)\"}\n"
			    "{\"ok\":true}\n{\"ok\":true}\n");
	assert_int_equal(f->shutdowns, 1);
	assert_int_equal(f->stops, 1);
	close(fd);
}

/* The reply gives both sizes; watchers hear of a growth, not of a resize that changed
 * nothing; an error reply carries the VM's text. */
static void disk_resize(void **state)
{
	struct fixture *f = *state;
	int fd;

	open_server(f);
	fd = connect_to(f->path);
	send_str(fd,
		 "{\"cmd\":\"watch\"}\n{\"cmd\":\"disk-resize\",\"id\":1}\n"
		 "{\"cmd\":\"disk-resize\",\"disk\":0}\n{\"cmd\":\"disk-resize\",\"disk\":4}\n");
	pump(f);
	assert_string_equal(
	    received(fd),
	    "{\"ok\":true}\n"
	    "{\"ok\":true,\"id\":1,\"disk\":0,\"old_size\":1048576,\"size\":2097152}\n"
	    "{\"event\":\"disk-resized\",\"disk\":0,\"size\":2097152}\n"
	    "{\"ok\":true,\"disk\":0,\"old_size\":2097152,\"size\":2097152}\n"
	    "{\"ok\":false,\"error\":\"test: no disk 4\"}\n");
	close(fd);
}

static void clients(void **state)
{
	struct fixture *f = *state;
	int watcher, quiet, partial, other;
	char big[API_MAX_LINE + 100];

	open_server(f);
	watcher = connect_to(f->path);
	quiet = connect_to(f->path);
	partial = connect_to(f->path);
	other = connect_to(f->path);
	send_str(watcher, "{\"cmd\":\"watch\"}\n");
	send_str(partial, "{\"cmd\":\"sta");
	pump(f);
	assert_string_equal(received(watcher), "{\"ok\":true}\n");
	/* One client's half line and another's silence block nobody; watchers hear of changes. */
	send_str(other, "{\"cmd\":\"pause\"}\n");
	pump(f);
	assert_string_equal(received(other), "{\"ok\":true,\"state\":\"paused\"}\n");
	assert_string_equal(received(watcher), "{\"event\":\"paused\"}\n");
	api_server_event(&f->srv, "stopped", json_pack("{s:i}", "status", 0));
	assert_string_equal(received(watcher), "{\"event\":\"stopped\",\"status\":0}\n");
	assert_string_equal(received(quiet), "");
	/* The half line is completed later; then its sender leaves mid-line. */
	send_str(partial, "tus\"}\n{\"cmd\":");
	pump(f);
	assert_contains(received(partial), "\"state\":\"paused\"");
	close(partial);
	pump(f);
	assert_int_equal(f->srv.nclients, 3);
	/* A line beyond the bound is refused and its connection closed. */
	memset(big, 'x', sizeof(big));
	assert_int_equal(write(other, big, sizeof(big)), (ssize_t)sizeof(big));
	pump(f);
	pump(f);
	assert_string_equal(received(other), "{\"ok\":false,\"error\":\"request line longer than "
					     "4096 bytes; closing the connection\"}\n");
	/* Closed: end-of-file, or a reset for the bytes the server never read. */
	errno = 0;
	assert_true(recv(other, big, 1, MSG_DONTWAIT) <= 0 && errno != EAGAIN);
	assert_int_equal(f->srv.nclients, 2);
	close(other);
	close(watcher);
	close(quiet);
	pump(f);
	assert_int_equal(f->srv.nclients, 0);
}

static void too_many_clients(void **state)
{
	struct fixture *f = *state;
	int fds[API_MAX_CLIENTS + 1];
	unsigned i;

	open_server(f);
	for (i = 0; i <= API_MAX_CLIENTS; i++) {
		fds[i] = connect_to(f->path);
		pump(f);
	}
	assert_int_equal(f->srv.nclients, API_MAX_CLIENTS);
	assert_contains(received(fds[API_MAX_CLIENTS]), "too many API clients");
	send_str(fds[0], "{\"cmd\":\"status\"}\n");
	pump(f);
	assert_contains(received(fds[0]), "\"ok\":true");
	for (i = 0; i <= API_MAX_CLIENTS; i++)
		close(fds[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(socket_file, setup, teardown),
		cmocka_unit_test_setup_teardown(stale_socket, setup, teardown),
		cmocka_unit_test_setup_teardown(commands, setup, teardown),
		cmocka_unit_test_setup_teardown(disk_resize, setup, teardown),
		cmocka_unit_test_setup_teardown(clients, setup, teardown),
		cmocka_unit_test_setup_teardown(too_many_clients, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
