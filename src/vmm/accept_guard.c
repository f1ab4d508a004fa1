/* accept_guard.c - accept4 that survives EMFILE and ENFILE (see accept_guard.h). */
#include "accept_guard.h"

#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

/* An eventfd, not an open(): opening a file after set-up is outside the seccomp lists. */
static int take_reserve(void)
{
	return eventfd(0, EFD_CLOEXEC);
}

/* The back-off is over: the listener rejoins the loop (and the reserve is taken again). */
static void guard_on_timer(struct loop_source *src, uint32_t events)
{
	struct accept_guard *g = src->opaque;
	struct berth_error err;
	uint64_t n;

	(void)events;
	if (read(src->fd, &n, sizeof(n)) < 0 || !g->parked)
		return;
	if (g->reserve < 0)
		g->reserve = take_reserve();
	if (loop_add(g->loop, g->listen, &err) == 0)
		g->parked = false;
	else /* (epoll itself out of memory) try again later */
		timerfd_settime(
		    src->fd, 0,
		    &(struct itimerspec){ .it_value.tv_nsec = ACCEPT_BACKOFF_MS * 1000000L }, NULL);
}

int accept_guard_init(struct accept_guard *g, struct loop *loop, struct loop_source *listen,
		      const char *busy, struct berth_error *err)
{
	*g = (struct accept_guard){ .loop = loop, .listen = listen, .busy = busy };
	g->reserve = take_reserve();
	if (g->reserve < 0) {
		g->loop = NULL;
		return berr(err, errno, "eventfd (the reserve fd)");
	}
	g->timer = (struct loop_source){ .fn = guard_on_timer, .opaque = g };
	g->timer.fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (g->timer.fd < 0 || loop_add(loop, &g->timer, err)) {
		if (g->timer.fd < 0)
			berr(err, errno, "timerfd_create");
		else
			close(g->timer.fd);
		close(g->reserve);
		g->loop = NULL; /* nothing for accept_guard_destroy */
		return -1;
	}
	return 0;
}

/* Out of fds: take the waiting connection with the reserve's fd and drop it. */
static bool drop_one(struct accept_guard *g)
{
	int fd;

	if (g->reserve < 0)
		return false;
	close(g->reserve);
	fd = accept4(g->listen->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = send(fd, g->busy, strlen(g->busy), MSG_DONTWAIT | MSG_NOSIGNAL);

		(void)n; /* best effort: it is closed either way */
		close(fd);
	}
	g->reserve = take_reserve();
	return fd >= 0 && g->reserve >= 0;
}

int accept_guard_accept(struct accept_guard *g)
{
	int fd = accept4(g->listen->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd >= 0 && g->reserve < 0) /* fds came back before the timer could retake it */
		g->reserve = take_reserve();
	if (fd >= 0 || g->parked)
		return fd;
	if (errno != EMFILE && errno != ENFILE && errno != ENOBUFS && errno != ENOMEM)
		return -1; /* nothing waiting, or a connection that went away: not readable now */
	if (drop_one(g))
		return -1;
	/* Still stuck: stop listening for a while rather than be called back at once. */
	loop_del(g->loop, g->listen);
	g->parked = true;
	timerfd_settime(g->timer.fd, 0,
			&(struct itimerspec){ .it_value.tv_nsec = ACCEPT_BACKOFF_MS * 1000000L },
			NULL);
	return -1;
}

void accept_guard_destroy(struct accept_guard *g)
{
	if (!g->loop)
		return;
	loop_del(g->loop, &g->timer);
	close(g->timer.fd);
	if (g->reserve >= 0)
		close(g->reserve);
	g->loop = NULL;
}
