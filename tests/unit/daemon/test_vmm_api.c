/* Unit tests for src/daemon/servers/vmm_api.c against sockets that misbehave as a stuck or broken
 * VMM would: silence, refusals, junk, a closed connection, no socket at all. (Real VMMs
 * answer in test_driver_vm.c.) */
#include "testlib.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/servers/proc.h"
#include "daemon/servers/vmm_api.h"

struct fix {
	char dir[64], path[96];
	int listen_fd;
	pid_t child;
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	strcpy(f->dir, "/tmp/berth-api.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/api.sock", f->dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->path);
	f->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (f->listen_fd < 0 || bind(f->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(f->listen_fd, 4) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	if (f->child > 0) {
		kill(f->child, SIGKILL);
		waitpid(f->child, NULL, 0);
	}
	close(f->listen_fd);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* A fake VMM: accept one client, read its line, answer reply (raw bytes), then close. */
static void serve_once(struct fix *f, const char *reply)
{
	if (f->child > 0)
		waitpid(f->child, NULL, 0);
	f->child = fork();
	assert_true(f->child >= 0);
	if (f->child == 0) {
		char buf[256];
		int c = accept(f->listen_fd, NULL, NULL);

		if (c < 0 || read(c, buf, sizeof(buf)) <= 0)
			_exit(1);
		if (*reply && write(c, reply, strlen(reply)) < 0)
			_exit(1);
		close(c);
		_exit(0);
	}
}

static void test_reply(void **state)
{
	struct fix *f = *state;
	struct berth_error err = { 0 };
	json_t *r = NULL;

	serve_once(f, "{\"ok\":true,\"state\":\"running\",\"pid\":4242}\n");
	assert_int_equal(vmm_api_call(f->path, "status", 2000, &r, &err), 0);
	assert_string_equal(json_string_value(json_object_get(r, "state")), "running");
	json_decref(r);
}

static void test_pid(void **state)
{
	struct fix *f = *state;

	/* the kernel's word (the listener: this process), not the reply's */
	serve_once(f, "{\"ok\":true,\"pid\":4242}\n");
	assert_int_equal(vmm_api_pid(f->path, 2000), getpid());
	serve_once(f, "{\"ok\":true,\"pid\":4242}\n");
	assert_int_equal(vmm_api_pid_uid(f->path, getuid(), 2000), getpid());
}

/* A socket served by another uid than the VM's is refused before anything is sent. */
static void test_other_uid(void **state)
{
	struct fix *f = *state;
	struct berth_error err = { 0 };
	json_t *r = NULL;

	assert_int_equal(vmm_api_pid_uid(f->path, getuid() + 1, 2000), 0);
	assert_int_equal(vmm_api_call_uid(f->path, "stop", getuid() + 1, 2000, &r, &err), -1);
	assert_int_equal(err.errnum, EPERM);
	assert_non_null(strstr(err.msg, "not the VM's"));
}

static void test_refused(void **state)
{
	struct fix *f = *state;
	struct berth_error err = { 0 };
	json_t *r = NULL;

	serve_once(f, "{\"ok\":false,\"error\":\"could not pause: busy\"}\n");
	assert_int_equal(vmm_api_call(f->path, "pause", 2000, &r, &err), -1);
	assert_contains(err.msg, "could not pause: busy");
	assert_null(r);
}

static void test_junk(void **state)
{
	struct fix *f = *state;
	struct berth_error err = { 0 };
	json_t *r = NULL;

	serve_once(f, "hello there\n");
	assert_int_equal(vmm_api_call(f->path, "status", 2000, &r, &err), -1);
	assert_contains(err.msg, "not an API reply");
}

static void test_closed_without_reply(void **state)
{
	struct fix *f = *state;
	struct berth_error err = { 0 };
	json_t *r = NULL;

	serve_once(f, "");
	assert_int_equal(vmm_api_call(f->path, "status", 2000, &r, &err), -1);
	assert_contains(err.msg, "without a reply");
	serve_once(f, "{\"ok\":true"); /* half a line, then closed */
	assert_int_equal(vmm_api_call(f->path, "status", 2000, &r, &err), -1);
}

static void test_silent_vmm_times_out(void **state)
{
	struct fix *f = *state;
	struct berth_error err = { 0 };
	json_t *r = NULL;
	long t0 = proc_now_ms();

	/* nobody accepts: the kernel queues the connection, and no reply ever comes */
	assert_int_equal(vmm_api_call(f->path, "status", 300, &r, &err), -1);
	assert_true(proc_now_ms() - t0 < 2000);
	assert_contains(err.msg, "no reply");
	assert_int_equal(vmm_api_pid(f->path, 300), 0);
}

static void test_no_socket(void **state)
{
	struct fix *f = *state;
	struct berth_error err = { 0 };
	char path[200];
	json_t *r = NULL;

	snprintf(path, sizeof(path), "%s/nothing.sock", f->dir);
	assert_int_equal(vmm_api_call(path, "status", 300, &r, &err), -1);
	assert_int_equal(err.errnum, ENOENT);
	assert_contains(err.msg, path);
	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	assert_int_equal(vmm_api_call(path, "status", 300, &r, &err), -1);
	assert_int_equal(err.errnum, ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_uid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_junk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_closed_without_reply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_silent_vmm_times_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_socket, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
