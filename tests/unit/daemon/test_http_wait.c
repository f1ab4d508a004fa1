/* Unit tests for a wait in src/daemon/api/http.c (http_reply_wait): an event that comes while
 * the wait's handler is looking, before it asks to sleep, still wakes it. (Its wake-up finds
 * the connection busy on a worker, not asleep; the wait slept through it until its
 * deadline, seen as a curl that gave up on GET /1.0/operations/ID/wait.) */
#include "testlib.h"

#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/api/http.h"

struct looker {
	sem_t looking, go_on;
	bool done; /* what the handler finds: set once the event happened */
};

/* The first call looks (nothing done yet), lets the test publish its event, and only then
 * asks to wait; a later call finds it done. */
static void handler(void *app, const struct http_request *rq, struct http_reply *rep)
{
	struct looker *l = app;
	bool done = l->done;

	if (!rq->again) {
		sem_post(&l->looking);
		sem_wait(&l->go_on);
	}
	if (done || rq->last) {
		rep->status = 200;
		rep->json = json_pack("{s:b}", "done", done);
		return;
	}
	http_reply_wait(rep, 30);
}

static int connect_to(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

static void an_event_while_the_handler_looks_wakes_the_wait(void **state)
{
	static const char req[] = "GET /wait HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
	struct http_limits lim = { .capacity = 16,
				   .per_user = 8,
				   .root_reserve = 2,
				   .header_timeout = 10,
				   .body_rate = 1024,
				   .idle_timeout = 60 };
	struct berth_error err = { 0 };
	struct http_server *srv;
	struct looker l = { 0 };
	char dir[] = "/tmp/berthd-wait.XXXXXX", path[64], buf[4096];
	struct pollfd pfd;
	size_t got = 0;
	ssize_t n;
	int lfd, fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/api.sock", dir);
	sem_init(&l.looking, 0, 0);
	sem_init(&l.go_on, 0, 0);
	assert_int_equal(http_listen(path, &lfd, &err), 0);
	assert_int_equal(http_start(&srv, lfd, &lim, NULL, handler, NULL, &l, &err), 0);
	fd = connect_to(path);
	assert_int_equal(write(fd, req, sizeof(req) - 1), (ssize_t)sizeof(req) - 1);

	sem_wait(&l.looking);
	/* The event, while the handler has looked and not yet asked to wait; then time for the
	 * gate to have swept (every 250 ms) and found no one asleep. */
	l.done = true;
	http_notify(srv);
	usleep(600 * 1000);
	sem_post(&l.go_on);

	/* The reply comes long before the wait's 30 s are up. */
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	while (got < sizeof(buf) - 1 && poll(&pfd, 1, 10000) == 1) {
		n = read(fd, buf + got, sizeof(buf) - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = 0;
	assert_non_null(strstr(buf, "HTTP/1.1 200"));
	assert_non_null(strstr(buf, "true"));

	close(fd);
	http_stop(srv);
	unlink(path);
	rmdir(dir);
	sem_destroy(&l.looking);
	sem_destroy(&l.go_on);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(an_event_while_the_handler_looks_wakes_the_wait),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
