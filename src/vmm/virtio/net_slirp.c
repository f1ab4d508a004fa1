/* net_slirp.c - the user-mode backend: libslirp, driven by a thread of its own.
 *
 * libslirp wants to be polled (its sockets and timers change with every call) and is not
 * thread-safe. Feeding its changing set of sockets and timers into the VMM's epoll loop
 * would mean re-registering every fd on every iteration, so one thread runs the poll()
 * loop libslirp is built for, and a mutex (s->mu) serialises every call into libslirp:
 * that thread's, and slirp_input() from the device's tx path on the event-loop thread.
 *
 * Frames libslirp sends to the guest are copied into a bounded queue (libslirp calls
 * send_packet with s->mu held, from either thread) and an eventfd, the backend's rx_fd,
 * tells the device to come and take them. The device's lock is never taken here, so the
 * only lock order is device lock, then s->mu. When the queue is full frames are dropped,
 * which libslirp allows: TCP retransmits.
 *
 * The sockets libslirp opens for the guest's flows are capped (net_flows.h): the thread
 * counts those it polls on every iteration, the tx path those it lets open in between. */
#include "net_slirp.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "common/ratelog.h"
#include "vmm/virtio/net_flows.h"
#include "vmm/seccomp/seccomp.h"
#include "vmm/virtio/net_guard.h"
#include "vmm/virtio/slirp_lib.h"
#include "vmm/vm.h"

#define SLIRP_QUEUE 256 /* frames waiting for the guest */

struct slirp_timer {
	SlirpTimerCb cb;
	void *cb_opaque;
	int64_t expire_ms; /* -1: not armed */
	struct slirp_timer *next;
};

struct slirp_frame {
	size_t len; /* header and frame */
	uint8_t *data;
};

struct net_slirp {
	struct net_backend
	    b; /* rx_fd[0]: an eventfd, readable while frames are queued; one queue */
	const struct slirp_lib *lib;
	pthread_mutex_t mu; /* guards everything below, and every call into libslirp */
	Slirp *slirp;
	int wake_fd; /* an eventfd that interrupts the thread's poll() */
	bool stop;
	bool told_guard; /* a filtered frame has been reported once (tx path only) */
	unsigned live;	 /* sockets libslirp holds, as last counted (see net_flows.h) */
	struct net_flows flows;
	pthread_t thread;
	struct slirp_frame q[SLIRP_QUEUE];
	unsigned qhead, qlen;
	struct slirp_timer *timers;
	struct pollfd *pfd;
	unsigned npfd, pfd_cap;
	uint8_t txbuf[NET_MAX_FRAME];
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void kick(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		perror("berth-vmm: virtio-net user: eventfd write");
}

static void drain(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		perror("berth-vmm: virtio-net user: eventfd read");
}

/* libslirp callbacks; all run with s->mu held. */

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
	struct net_slirp *s = opaque;
	struct slirp_frame *f;

	if (s->qlen == SLIRP_QUEUE || len > NET_MAX_FRAME)
		return (ssize_t)len; /* dropped: the guest is not keeping up */
	f = &s->q[(s->qhead + s->qlen) % SLIRP_QUEUE];
	f->data = malloc(NET_HDR_LEN + len);
	if (!f->data)
		return (ssize_t)len;
	memset(f->data, 0, NET_HDR_LEN);
	memcpy(f->data + NET_HDR_LEN, buf, len);
	f->len = NET_HDR_LEN + len;
	if (s->qlen++ == 0)
		kick(s->b.rx_fd[0]);
	return (ssize_t)len;
}

static void cb_guest_error(const char *msg, void *opaque)
{
	static struct ratelog rl = RATELOG_INIT; /* once per bad packet, as libslirp sees it */

	(void)opaque;
	ratelog_printf(&rl, stderr, "berth-vmm: virtio-net user: guest error: %s", msg);
}

static int64_t cb_clock_get_ns(void *opaque)
{
	(void)opaque;
	return now_ns();
}

static void *cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
	struct net_slirp *s = opaque;
	struct slirp_timer *t = calloc(1, sizeof(*t));

	if (!t)
		abort(); /* libslirp cannot take a failure here; g_malloc aborts likewise */
	t->cb = cb;
	t->cb_opaque = cb_opaque;
	t->expire_ms = -1;
	t->next = s->timers;
	s->timers = t;
	return t;
}

static void cb_timer_free(void *timer, void *opaque)
{
	struct net_slirp *s = opaque;
	struct slirp_timer **p;

	for (p = &s->timers; *p; p = &(*p)->next) {
		if (*p == timer) {
			*p = ((struct slirp_timer *)timer)->next;
			free(timer);
			return;
		}
	}
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	struct net_slirp *s = opaque;

	((struct slirp_timer *)timer)->expire_ms = expire_ms;
	kick(s->wake_fd);
}

/* The thread rebuilds its poll set from libslirp on every iteration. */
static void cb_register_poll_fd(int fd, void *opaque)
{
	(void)fd;
	(void)opaque;
}

static void cb_notify(void *opaque)
{
	struct net_slirp *s = opaque;

	kick(s->wake_fd);
}

static const SlirpCb slirp_callbacks = {
	.send_packet = cb_send_packet,
	.guest_error = cb_guest_error,
	.clock_get_ns = cb_clock_get_ns,
	.timer_new = cb_timer_new,
	.timer_free = cb_timer_free,
	.timer_mod = cb_timer_mod,
	.register_poll_fd = cb_register_poll_fd,
	.unregister_poll_fd = cb_register_poll_fd,
	.notify = cb_notify,
};

static int cb_add_poll(int fd, int events, void *opaque)
{
	struct net_slirp *s = opaque;
	struct pollfd *p;

	if (s->npfd == s->pfd_cap) {
		unsigned cap = s->pfd_cap * 2;

		p = realloc(s->pfd, cap * sizeof(*p));
		if (!p)
			abort(); /* as above: libslirp has no way to hear of it */
		s->pfd = p;
		s->pfd_cap = cap;
	}
	p = &s->pfd[s->npfd];
	p->fd = fd;
	p->events = (short)((events & SLIRP_POLL_IN ? POLLIN : 0) |
			    (events & SLIRP_POLL_OUT ? POLLOUT : 0) |
			    (events & SLIRP_POLL_PRI ? POLLPRI : 0));
	p->revents = 0;
	return (int)s->npfd++;
}

static int cb_get_revents(int idx, void *opaque)
{
	struct net_slirp *s = opaque;
	short r;

	if (idx < 0 || (unsigned)idx >= s->npfd)
		return 0;
	r = s->pfd[idx].revents;
	return (r & POLLIN ? SLIRP_POLL_IN : 0) | (r & POLLOUT ? SLIRP_POLL_OUT : 0) |
	       (r & POLLPRI ? SLIRP_POLL_PRI : 0) | (r & POLLERR ? SLIRP_POLL_ERR : 0) |
	       (r & POLLHUP ? SLIRP_POLL_HUP : 0);
}

/* Fire the timers that are due; the ms until the next one, or -1 when none is armed. */
static int run_timers(struct net_slirp *s)
{
	int64_t now = now_ns() / 1000000, next = -1;
	struct slirp_timer *t;

restart:
	for (t = s->timers; t; t = t->next) {
		if (t->expire_ms >= 0 && t->expire_ms <= now) {
			t->expire_ms = -1;
			t->cb(t->cb_opaque); /* may free or add timers */
			goto restart;
		}
	}
	for (t = s->timers; t; t = t->next)
		if (t->expire_ms >= 0 && (next < 0 || t->expire_ms - now < next))
			next = t->expire_ms - now;
	return next > INT_MAX ? INT_MAX : (int)next;
}

static void *slirp_thread(void *arg)
{
	struct net_slirp *s = arg;
	struct berth_error err = { 0 };
	uint32_t timeout;
	int n, tmo;

	/* Before the guest runs, so before any frame reaches libslirp: a thread that cannot
	 * be filtered must not serve one. */
	if (vmm_seccomp_enter(VMM_THREAD_SLIRP, &err)) {
		berr_print("berth-vmm", &err);
		_exit(VM_EXIT_SETUP);
	}
	pthread_mutex_lock(&s->mu);
	while (!s->stop) {
		tmo = run_timers(s);
		s->npfd = 0;
		cb_add_poll(s->wake_fd, SLIRP_POLL_IN, s);
		timeout = UINT32_MAX;
		s->lib->slirp_pollfds_fill(s->slirp, &timeout, cb_add_poll, s);
		s->live = s->npfd - 1; /* its sockets: all but our wake_fd */
		if (timeout != UINT32_MAX && (tmo < 0 || timeout < (uint32_t)tmo))
			tmo = timeout > INT_MAX ? INT_MAX : (int)timeout;
		pthread_mutex_unlock(&s->mu);
		n = poll(s->pfd, s->npfd, tmo);
		pthread_mutex_lock(&s->mu);
		if (n > 0 && (s->pfd[0].revents & POLLIN))
			drain(s->wake_fd);
		s->lib->slirp_pollfds_poll(s->slirp, n < 0, cb_get_revents, s);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

static int slirp_send(struct net_backend *b, unsigned q, const struct iovec *iov, int iovcnt,
		      size_t frame_len)
{
	static struct ratelog flows_log = RATELOG_INIT;
	struct net_slirp *s = (struct net_slirp *)b;
	const char *why;
	size_t off = 0;
	int i;

	(void)q; /* one queue */
	/* One copy, out of the guest's reach, so what is checked is what slirp gets. */
	for (i = 1; i < iovcnt; i++) {
		if (iov[i].iov_len > frame_len - off) {
			errno = EINVAL;
			return -1;
		}
		memcpy(s->txbuf + off, iov[i].iov_base, iov[i].iov_len);
		off += iov[i].iov_len;
	}
	why = off == frame_len ? net_guard_check(s->txbuf, frame_len) : "frame length changed";
	if (why) {
		if (!s->told_guard)
			fprintf(stderr,
				"berth-vmm: virtio-net user: dropping what the guest sent (%s); it "
				"reaches only 10.0.2.2 (the host's 127.0.0.1), DNS and DHCP\n",
				why);
		s->told_guard = true;
		errno = EACCES;
		return -1;
	}
	pthread_mutex_lock(&s->mu);
	if (!net_flows_admit(&s->flows, s->txbuf, frame_len, &s->live)) {
		pthread_mutex_unlock(&s->mu);
		ratelog_printf(
		    &flows_log, stderr,
		    "berth-vmm: virtio-net user: the guest has %u flows open; dropping a "
		    "frame that would open another until old ones close",
		    NET_FLOWS_MAX);
		errno = EMFILE;
		return -1;
	}
	s->lib->slirp_input(s->slirp, s->txbuf, (int)frame_len);
	kick(s->wake_fd); /* new sockets or timers to poll */
	pthread_mutex_unlock(&s->mu);
	return 0;
}

/* Copy len bytes of src into the iovcnt buffers of iov, in order; false if they are short. */
static bool copy_to_iov(const struct iovec *iov, int iovcnt, const uint8_t *src, size_t len)
{
	for (int i = 0; i < iovcnt && len; i++) {
		size_t n = iov[i].iov_len < len ? iov[i].iov_len : len;

		memcpy(iov[i].iov_base, src, n);
		src += n;
		len -= n;
	}
	return len == 0;
}

static ssize_t slirp_recv(struct net_backend *b, unsigned q, const struct iovec *iov, int iovcnt)
{
	struct net_slirp *s = (struct net_slirp *)b;
	struct slirp_frame *f;
	ssize_t n;

	(void)q;
	pthread_mutex_lock(&s->mu);
	if (s->qlen == 0) {
		drain(b->rx_fd[0]); /* re-armed by the next frame queued */
		pthread_mutex_unlock(&s->mu);
		return 0;
	}
	f = &s->q[s->qhead];
	/* cb_send_packet bounds it to what the device gives room for; be sure */
	n = copy_to_iov(iov, iovcnt, f->data, f->len) ? (ssize_t)f->len : 0;
	free(f->data);
	s->qhead = (s->qhead + 1) % SLIRP_QUEUE;
	s->qlen--;
	pthread_mutex_unlock(&s->mu);
	return n;
}

/* No offloads are offered: libslirp takes and gives whole, checksummed frames. */
static int slirp_set_features(struct net_backend *b, uint64_t negotiated)
{
	(void)b;
	(void)negotiated;
	return 0;
}

static void flush_locked(struct net_slirp *s)
{
	while (s->qlen) {
		free(s->q[s->qhead].data);
		s->qhead = (s->qhead + 1) % SLIRP_QUEUE;
		s->qlen--;
	}
}

static void slirp_flush(struct net_backend *b)
{
	struct net_slirp *s = (struct net_slirp *)b;

	pthread_mutex_lock(&s->mu);
	flush_locked(s);
	pthread_mutex_unlock(&s->mu);
}

/* Free what net_slirp_open took; the thread, if started, has been joined. */
static void slirp_free(struct net_slirp *s)
{
	if (s->slirp)
		s->lib->slirp_cleanup(s->slirp);
	flush_locked(s);
	while (s->timers)
		cb_timer_free(s->timers, s);
	if (s->b.rx_fd[0] >= 0)
		close(s->b.rx_fd[0]);
	if (s->wake_fd >= 0)
		close(s->wake_fd);
	pthread_mutex_destroy(&s->mu);
	free(s->pfd);
	free(s);
}

static void slirp_destroy(struct net_backend *b)
{
	struct net_slirp *s = (struct net_slirp *)b;

	pthread_mutex_lock(&s->mu);
	s->stop = true;
	kick(s->wake_fd);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	slirp_free(s);
}

static const struct net_backend_ops slirp_ops = {
	.send = slirp_send,
	.recv = slirp_recv,
	.set_features = slirp_set_features,
	.flush = slirp_flush,
	.destroy = slirp_destroy,
};

static Slirp *slirp_start(struct net_slirp *s)
{
	SlirpConfig c = {
		.version = 4,
		.in_enabled = true,
		.vnetwork.s_addr = htonl(NET_USER_NETWORK),
		.vnetmask.s_addr = htonl(NET_USER_NETMASK),
		.vhost.s_addr = htonl(NET_USER_HOST),
		.vhostname = "berth",
		.vdhcp_start.s_addr = htonl(NET_USER_DHCP_START),
		.vnameserver.s_addr = htonl(NET_USER_DNS),
	};

	return s->lib->slirp_new(&c, &slirp_callbacks, s);
}

static int add_hostfwds(struct net_slirp *s, const struct net_config *cfg, struct berth_error *err)
{
	struct in_addr loopback = { htonl(INADDR_LOOPBACK) };
	struct in_addr guest = { htonl(NET_USER_DHCP_START) };
	unsigned i;

	for (i = 0; i < cfg->nhostfwds; i++) {
		const struct net_hostfwd *f = &cfg->hostfwds[i];

		if (s->lib->slirp_add_hostfwd(s->slirp, 0, loopback, f->host_port, guest,
					      f->guest_port) < 0)
			return berr(
			    err, errno,
			    "hostfwd tcp::%u-:%u: cannot listen on 127.0.0.1:%u (is another "
			    "program using that port? pick another HOSTPORT)",
			    f->host_port, f->guest_port, f->host_port);
	}
	return 0;
}

/* Start the thread with every signal blocked: they are the main thread's to take. */
static int start_thread(struct net_slirp *s, struct berth_error *err)
{
	sigset_t all, old;
	int e;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&s->thread, NULL, slirp_thread, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e)
		return berr(err, e, "virtio-net user: cannot start the slirp thread");
	return 0;
}

int net_slirp_open(struct net_backend **out, const struct net_config *cfg, struct berth_error *err)
{
	struct net_slirp *s = calloc(1, sizeof(*s));

	if (!s)
		return berr(err, ENOMEM, "virtio-net user");
	pthread_mutex_init(&s->mu, NULL);
	s->b.ops = &slirp_ops;
	s->b.nqueues = 1;
	s->b.rx_fd[0] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	s->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	s->pfd_cap = 16;
	s->pfd = malloc(s->pfd_cap * sizeof(*s->pfd));
	if (s->b.rx_fd[0] < 0 || s->wake_fd < 0 || !s->pfd) {
		berr(err, errno, "virtio-net user: cannot set up");
		goto fail;
	}
	s->lib = slirp_lib_load(err);
	if (!s->lib)
		goto fail;
	s->slirp = slirp_start(s);
	if (!s->slirp) {
		berr(err, 0, "virtio-net user: libslirp would not start");
		goto fail;
	}
	if (add_hostfwds(s, cfg, err) < 0 || start_thread(s, err) < 0)
		goto fail;
	*out = &s->b;
	return 0;
fail:
	slirp_free(s);
	return -1;
}
