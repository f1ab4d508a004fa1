/* loop.c - a small epoll loop. */
#include "loop.h"

#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

int loop_init(struct loop *l, struct berth_error *err)
{
	l->stop = false;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0)
		return berr(err, errno, "epoll_create1");
	return 0;
}

void loop_destroy(struct loop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	l->epfd = -1;
}

int loop_add(struct loop *l, struct loop_source *src, struct berth_error *err)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = src };

	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, src->fd, &ev) < 0)
		return berr(err, errno, "cannot watch file descriptor %d", src->fd);
	return 0;
}

int loop_watch(struct loop *l, struct loop_source *src, bool in, bool out)
{
	struct epoll_event ev = { .events = (in ? EPOLLIN : 0) | (out ? EPOLLOUT : 0),
				  .data.ptr = src };

	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, src->fd, &ev);
}

void loop_del(struct loop *l, struct loop_source *src)
{
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, src->fd, NULL);
}

int loop_run(struct loop *l, struct berth_error *err)
{
	struct epoll_event ev[16];
	int i, n;

	while (!l->stop) {
		n = epoll_wait(l->epfd, ev, 16, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return berr(err, errno, "epoll_wait");
		}
		for (i = 0; i < n && !l->stop; i++) {
			struct loop_source *src = ev[i].data.ptr;

			src->fn(src, ev[i].events);
		}
	}
	return 0;
}
