/* io_limit.c - token buckets and their timer on the event loop (io_limit.h). */
#include "io_limit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "common/ratelog.h"

#define NS_PER_S 1000000000ULL

bool io_bucket_ready(const struct io_bucket *b, uint64_t now)
{
	return !b->rate || now >= b->empty_ns;
}

void io_bucket_take(struct io_bucket *b, uint64_t n, uint64_t now)
{
	unsigned __int128 cost;
	uint64_t start = b->empty_ns;

	if (!b->rate || !n)
		return;
	/* A bucket idle for long is full, not fuller: start from one burst's worth. */
	if (now > IO_BUCKET_BURST_NS && start < now - IO_BUCKET_BURST_NS)
		start = now - IO_BUCKET_BURST_NS;
	cost = (unsigned __int128)n * NS_PER_S / b->rate;
	/* saturating: a debt of centuries is for ever, and must not wrap to none */
	b->empty_ns = cost > UINT64_MAX - start ? UINT64_MAX : start + (uint64_t)cost;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

static bool io_limit_on(const struct io_limit *l)
{
	return l->ops.rate || l->bytes.rate;
}

static void io_limit_fired(struct loop_source *src, uint32_t events)
{
	struct io_limit *l = src->opaque;
	uint64_t n;

	(void)events;
	if (read(l->tfd, &n, sizeof(n)) < 0 && errno == EAGAIN)
		return; /* disarmed or re-armed since epoll saw it */
	l->armed = false;
	l->resume(l->opaque);
}

int io_limit_init(struct io_limit *l, const struct io_limit_config *cfg, struct loop *loop,
		  io_limit_resume_fn resume, void *opaque, struct berth_error *err)
{
	memset(l, 0, sizeof(*l));
	l->tfd = -1;
	l->ops.rate = cfg->iops;
	l->bytes.rate = cfg->bps;
	if (!io_limit_on(l))
		return 0;
	l->loop = loop;
	l->resume = resume;
	l->opaque = opaque;
	l->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (l->tfd < 0)
		return berr(err, errno, "cannot create a timerfd for an I/O limit");
	l->src = (struct loop_source){ .fd = l->tfd, .fn = io_limit_fired, .opaque = l };
	if (loop_add(loop, &l->src, err)) {
		close(l->tfd);
		l->tfd = -1;
		return -1;
	}
	return 0;
}

void io_limit_destroy(struct io_limit *l)
{
	if (l->tfd < 0)
		return;
	loop_del(l->loop, &l->src);
	close(l->tfd);
	l->tfd = -1;
}

bool io_limit_ready(struct io_limit *l)
{
	static struct ratelog rl = RATELOG_INIT;
	struct itimerspec its = { 0 };
	uint64_t now, when;

	if (!io_limit_on(l))
		return true;
	now = l->checked_ns = now_ns();
	if (io_bucket_ready(&l->ops, now) && io_bucket_ready(&l->bytes, now))
		return true;
	if (l->armed)
		return false;
	/* the later of the two: both must have a token */
	when = l->ops.empty_ns > l->bytes.empty_ns ? l->ops.empty_ns : l->bytes.empty_ns;
	its.it_value.tv_sec = (time_t)(when / NS_PER_S);
	its.it_value.tv_nsec = (long)(when % NS_PER_S);
	if (timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0) {
		/* Cannot happen with a valid fd and time; say so rather than stall silently. */
		ratelog_printf(&rl, stderr, "berth-vmm: cannot arm an I/O limit's timer: %s",
			       strerror(errno));
		return true;
	}
	l->armed = true;
	return false;
}

void io_limit_charge(struct io_limit *l, uint64_t ops, uint64_t bytes)
{
	io_bucket_take(&l->ops, ops, l->checked_ns);
	io_bucket_take(&l->bytes, bytes, l->checked_ns);
}
