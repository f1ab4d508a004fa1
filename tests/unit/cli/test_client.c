/* Unit tests for src/cli/client.c, operation.c and run.c against a scripted fake berthd
 * on a Unix socket: requests as sent, the daemon's messages as the user sees them,
 * operations waited for, and an absent daemon. */
#include "testlib.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli/client.h"
#include "cli/operation.h"
#include "cli/run.h"

#define MAX_CALLS 8

/* The fake daemon: answers each connection with the next scripted reply, then closes. */
static struct {
	char path[108];
	int fd;
	pthread_t thread;
	unsigned nreplies;
	const char *replies[MAX_CALLS]; /* "STATUS BODY" */
	char requests[MAX_CALLS][512];	/* "METHOD PATH BODY" as received */
	unsigned served;
} fake;

/* Read one request: its request line and, after the headers, Content-Length of body. */
static void read_request(int fd, char *out, size_t len)
{
	char buf[4096], method[16] = "", path[256] = "", *body;
	size_t n = 0;
	ssize_t r;
	long want = 0;

	while (n < sizeof(buf) - 1 && (r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0) {
		buf[n += (size_t)r] = '\0';
		body = strstr(buf, "\r\n\r\n");
		if (!body)
			continue;
		body += 4;
		want = strcasestr(buf, "Content-Length:")
			   ? atol(strcasestr(buf, "Content-Length:") + 15)
			   : 0;
		if ((long)(n - (size_t)(body - buf)) >= want)
			break;
	}
	body = strstr(buf, "\r\n\r\n");
	sscanf(buf, "%15s %255s", method, path);
	snprintf(out, len, "%s %s %.*s", method, path, (int)want, body ? body + 4 : "");
}

static void *serve(void *arg)
{
	(void)arg;
	while (fake.served < fake.nreplies) {
		int c = accept(fake.fd, NULL, NULL);
		const char *reply = fake.replies[fake.served];
		char head[256];
		int status = atoi(reply);
		const char *body = strchr(reply, ' ') + 1;

		if (c < 0)
			break;
		read_request(c, fake.requests[fake.served], sizeof(fake.requests[0]));
		snprintf(head, sizeof(head),
			 "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: "
			 "%zu\r\nConnection: close\r\n\r\n",
			 status, strlen(body));
		if (write(c, head, strlen(head)) < 0 || write(c, body, strlen(body)) < 0)
			break;
		close(c);
		fake.served++;
	}
	return NULL;
}

/* Start the fake daemon with the given replies. */
static void fake_start(unsigned n, const char **replies)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(&fake, 0, sizeof(fake));
	snprintf(fake.path, sizeof(fake.path), "/tmp/berth-cli-test.%d.sock", getpid());
	strcpy(sa.sun_path, fake.path);
	unlink(fake.path);
	fake.fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fake.fd >= 0);
	assert_int_equal(bind(fake.fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fake.fd, 8), 0);
	fake.nreplies = n;
	memcpy(fake.replies, replies, n * sizeof(*replies));
	assert_int_equal(pthread_create(&fake.thread, NULL, serve, NULL), 0);
}

/* Wait until every scripted reply went out, then remove the socket. */
static void fake_stop(void)
{
	pthread_join(fake.thread, NULL);
	close(fake.fd);
	unlink(fake.path);
}

static void absent_daemon(void **state)
{
	struct berth_error err;
	struct client c;
	json_t *reply;

	(void)state;
	assert_int_equal(client_open(&c, "/nonexistent/berth.sock", &err), 0);
	assert_int_equal(client_call(&c, "GET", "/1.0", NULL, 5, &reply, &err), -1);
	client_close(&c);
	assert_contains(err.msg, "cannot reach berthd at /nonexistent/berth.sock: is it running? "
				 "(start it with: berthd --state-dir");
	assert_null(reply);
}

static void call_and_errors(void **state)
{
	const char *replies[] = { "200 {\"api_version\":\"1.0\"}",
				  "409 {\"error\":\"not enough memory: asked 1.0 GiB, free 512 MiB "
				  "of 2.0 GiB\",\"code\":409}",
				  "500 boom", "200 not json", "204 " };
	json_t *body = json_pack("{s:s}", "action", "start"), *reply;
	struct berth_error err;
	struct client c;

	(void)state;
	fake_start(5, replies);
	assert_int_equal(client_open(&c, fake.path, &err), 0);
	assert_int_equal(client_call(&c, "GET", "/1.0", NULL, 5, &reply, &err), 0);
	assert_string_equal(json_string_value(json_object_get(reply, "api_version")), "1.0");
	json_decref(reply);
	assert_int_equal(client_call(&c, "PUT", "/1.0/servers/web/state", body, 5, &reply, &err),
			 -1);
	assert_string_equal(err.msg, "not enough memory: asked 1.0 GiB, free 512 MiB of 2.0 GiB");
	assert_int_equal(client_call(&c, "GET", "/1.0/x", NULL, 5, &reply, &err), -1);
	assert_string_equal(err.msg, "berthd answered HTTP 500: boom");
	assert_int_equal(client_call(&c, "GET", "/1.0/y", NULL, 5, &reply, &err), -1);
	assert_contains(err.msg, "berthd sent a reply that is not JSON");
	assert_int_equal(client_call(&c, "DELETE", "/1.0/servers/..", NULL, 5, &reply, &err), 0);
	assert_null(reply);
	client_close(&c);
	fake_stop();
	json_decref(body);
	assert_string_equal(fake.requests[0], "GET /1.0 ");
	assert_string_equal(fake.requests[1], "PUT /1.0/servers/web/state {\"action\":\"start\"}");
	assert_string_equal(fake.requests[4], "DELETE /1.0/servers/.. "); /* sent as it is */
}

/* Run a one-step operation plan against the fake; returns run_plan's result. */
static int run_op(const char **replies, unsigned n, char **printed, struct berth_error *err)
{
	struct plan p = { .format = FORMAT_JSON };
	struct step *s;
	struct client c;
	size_t len;
	FILE *out;
	int rc;

	fake_start(n, replies);
	s = plan_add(&p, "POST", "/1.0/servers", NULL, "", json_object(), err);
	assert_non_null(s);
	s->kind = STEP_OPERATION;
	strcpy(s->what, "create web");
	out = open_memstream(printed, &len);
	assert_int_equal(client_open(&c, fake.path, err), 0);
	rc = run_plan(&c, &p, out, err);
	client_close(&c);
	fclose(out);
	plan_free(&p);
	fake_stop();
	return rc;
}

static void operations(void **state)
{
	const char *ok[] = {
		"202 {\"operation\":\"/1.0/operations/abc\"}",
		"200 {\"id\":\"abc\",\"status\":\"running\",\"progress\":40}",
		"200 {\"id\":\"abc\",\"status\":\"success\",\"progress\":100}",
	};
	const char *failed[] = {
		"202 {\"operation\":\"/1.0/operations/def\"}",
		"200 {\"id\":\"def\",\"status\":\"failure\",\"error\":\"copying rootfs: No space "
		"left on device\"}",
	};
	const char *refused[] = { "409 {\"error\":\"not enough memory: asked 1.0 GiB, free 512 "
				  "MiB of 2.0 GiB\",\"code\":409}" };
	const char *at_once[] = { "200 {\"name\":\"web\"}" };
	struct berth_error err;
	char *printed = NULL;

	(void)state;
	assert_int_equal(run_op(ok, 3, &printed, &err), 0);
	assert_contains(fake.requests[1], "GET /1.0/operations/abc/wait?timeout=");
	assert_contains(printed, "\"status\": \"success\"");
	free(printed);

	assert_int_equal(run_op(failed, 2, &printed, &err), -1);
	assert_string_equal(err.msg, "create web: copying rootfs: No space left on device");
	free(printed);

	assert_int_equal(run_op(refused, 1, &printed, &err), -1);
	assert_string_equal(err.msg, "not enough memory: asked 1.0 GiB, free 512 MiB of 2.0 GiB");
	free(printed);

	/* A reply without an operation: the work was done at once. */
	assert_int_equal(run_op(at_once, 1, &printed, &err), 0);
	assert_contains(printed, "\"name\": \"web\"");
	free(printed);
}

static void progress_lines(void **state)
{
	char *printed = NULL;
	size_t len;
	struct progress p = { NULL, false, "import busybox", -1 };

	(void)state;
	p.out = open_memstream(&printed, &len);
	progress_update(&p, 0);
	progress_update(&p, 5); /* same tenth: no line */
	progress_update(&p, 57);
	progress_update(&p, 250); /* nonsense: ignored */
	progress_update(&p, 100); /* "done" says it */
	progress_end(&p, true);
	fclose(p.out);
	assert_string_equal(printed, "import busybox: 0%\nimport busybox: 57%\n"
				     "import busybox: done\n");
	free(printed);

	p = (struct progress){ NULL, true, "create web", -1 };
	p.out = open_memstream(&printed, &len);
	progress_update(&p, 7);
	progress_update(&p, 8);
	progress_end(&p, false);
	fclose(p.out);
	assert_string_equal(printed, "\rcreate web:   7%\rcreate web:   8%\r\033[K");
	free(printed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(absent_daemon),
		cmocka_unit_test(call_and_errors),
		cmocka_unit_test(operations),
		cmocka_unit_test(progress_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
