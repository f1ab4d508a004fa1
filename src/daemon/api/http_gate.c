/* http_gate.c - accepting, sharing out and timing berthd's API connections. */
#include "daemon/api/http_gate.h"

#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "daemon/api/http_share.h"

#define TICK_MS	       250
#define ACCEPTS_A_TURN 64
/* What a refused connection reads before its close. */
#define REFUSAL                                                                                    \
	"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"                   \
	"Connection: close\r\nContent-Length: 75\r\n\r\n"                                          \
	"{\"error\":\"too many connections from this user: close some\",\"code\":503}\n"

struct http_gate {
	pthread_mutex_t lock;
	struct http_limits lim;
	struct http_share share;
	struct gate_hooks hooks;
	void *ctx;
	int listen_fd, epoll_fd, wake_fd, kick_fd, poll_fd;
	int hold_fd;		  /* an epoll set of the fds held connections wait for */
	struct http_conn **by_fd; /* nfds of them */
	unsigned nfds;
	struct http_conn *conns; /* every connection, newest first */
	struct pollfd *asleep;	 /* room for a poll() of every connection */
	struct http_conn **asleep_conn;
	unsigned peak; /* connections held at most since the last trim */
	_Atomic bool stopping;
	_Atomic uint64_t notified;
	bool told_full;
	pthread_t thread;
};

int64_t gate_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void gate_lock(struct http_gate *g)
{
	pthread_mutex_lock(&g->lock);
}

void gate_unlock(struct http_gate *g)
{
	pthread_mutex_unlock(&g->lock);
}

void gate_phase(struct http_conn *c, enum conn_phase phase)
{
	c->phase = phase;
	c->since = gate_now();
}

void gate_sleep(struct http_conn *c, int64_t wake_at)
{
	gate_phase(c, CONN_ASLEEP);
	c->wake_at = wake_at;
}

void gate_notify(struct http_gate *g)
{
	uint64_t one = 1;

	g->notified++;
	if (write(g->wake_fd, &one, sizeof(one)) < 0) {
		/* the counter is full: the gate has been told already */
	}
}

uint64_t gate_notified(const struct http_gate *g)
{
	return g->notified;
}

void gate_kick(struct http_gate *g)
{
	uint64_t one = 1;

	if (write(g->kick_fd, &one, sizeof(one)) < 0) {
		/* the counter is full: a turn is coming */
	}
}

struct http_conn *gate_conn(struct http_gate *g, int fd)
{
	return fd >= 0 && (unsigned)fd < g->nfds ? g->by_fd[fd] : NULL;
}

int gate_hold(struct http_gate *g, struct http_conn *c, int fd)
{
	struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = c };

	if (epoll_ctl(g->hold_fd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -1;
	c->hold_fd = fd;
	c->body_since = c->since;
	gate_phase(c, CONN_HELD);
	return 0;
}

/* c, held, goes on with its body: its rate counts from its start less the time held (lock
 * held). */
static void unhold(struct http_gate *g, struct http_conn *c)
{
	int64_t held = gate_now() - c->since;

	epoll_ctl(g->hold_fd, EPOLL_CTL_DEL, c->hold_fd, NULL);
	c->hold_fd = -1;
	gate_phase(c, CONN_BODY);
	c->since = c->body_since + held;
	g->hooks.wake(g->ctx, c);
}

/* The held connections whose fd became writable go on. */
static void unhold_ready(struct http_gate *g)
{
	struct epoll_event evs[64];
	struct http_conn *c;
	int n, i;

	n = epoll_wait(g->hold_fd, evs, 64, 0);
	gate_lock(g);
	for (i = 0; i < n; i++) {
		c = evs[i].data.ptr;
		if (c->phase == CONN_HELD)
			unhold(g, c);
	}
	gate_unlock(g);
}

/* Unlink c and give its share back (lock held); the caller closes or has closed its fd. */
static void drop(struct http_gate *g, struct http_conn *c)
{
	if (c->hold_fd >= 0)
		epoll_ctl(g->hold_fd, EPOLL_CTL_DEL, c->hold_fd, NULL);
	if (c->prev)
		c->prev->next = c->next;
	else
		g->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if ((unsigned)c->fd < g->nfds && g->by_fd[c->fd] == c)
		g->by_fd[c->fd] = NULL;
	share_give(&g->share, &c->who);
	free(c);
}

void gate_forget(struct http_gate *g, struct http_conn *c)
{
	gate_lock(g);
	drop(g, c);
	gate_unlock(g);
}

/* Tell a refused client why, if its socket takes it at once, and close. */
static void turn_away(int fd)
{
	if (send(fd, REFUSAL, sizeof(REFUSAL) - 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		/* it is refused all the same */
	}
	close(fd);
}

/* Whose share a new connection takes: its peer's uid, or on the network its address. */
static int peer_of(struct http_gate *g, int fd, uid_t *uid, struct share_who *who)
{
	struct sockaddr_storage sa;
	struct ucred cred;
	socklen_t len;

	if (g->lim.network) {
		len = sizeof(sa);
		*uid = GATE_NET_UID;
		return getpeername(fd, (struct sockaddr *)&sa, &len) < 0 ||
			       share_who_addr((struct sockaddr *)&sa, len, who)
			   ? -1
			   : 0;
	}
	len = sizeof(cred);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -1;
	*uid = cred.uid;
	*who = share_who_uid(cred.uid);
	return 0;
}

static void admit(struct http_gate *g, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP };
	struct share_who who;
	struct http_conn *c;
	uid_t uid;

	if ((unsigned)fd >= g->nfds || peer_of(g, fd, &uid, &who)) {
		close(fd);
		return;
	}
	gate_lock(g);
	if (!share_take(&g->share, &who)) {
		gate_unlock(g);
		turn_away(fd);
		return;
	}
	if (g->share.held > g->peak)
		g->peak = g->share.held;
	c = calloc(1, sizeof(*c));
	ev.data.ptr = c;
	if (!c || epoll_ctl(g->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		share_give(&g->share, &who);
		gate_unlock(g);
		free(c);
		close(fd);
		return;
	}
	*c =
	    (struct http_conn){ .fd = fd, .uid = uid, .who = who, .hold_fd = -1, .next = g->conns };
	gate_phase(c, CONN_WAITING);
	if (g->conns)
		g->conns->prev = c;
	g->conns = c;
	g->by_fd[fd] = c;
	gate_unlock(g);
}

static void accept_some(struct http_gate *g)
{
	unsigned i;
	int fd;

	for (i = 0; i < ACCEPTS_A_TURN; i++) {
		fd = accept4(g->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			admit(g, fd);
			continue;
		}
		if ((errno == EMFILE || errno == ENFILE) && !g->told_full) {
			/* The shares should keep this from happening: say so once. */
			fprintf(stderr, "berthd: out of file descriptors for API connections\n");
			g->told_full = true;
		}
		return;
	}
}

/* c's first byte came (or its client left): on to libmicrohttpd. */
static void first_byte(struct http_gate *g, struct http_conn *c, uint32_t events)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = c->fd;

	epoll_ctl(g->epoll_fd, EPOLL_CTL_DEL, fd, NULL);
	gate_lock(g);
	if (!(events & EPOLLIN)) {
		drop(g, c);
		gate_unlock(g);
		close(fd);
		return;
	}
	gate_phase(c, CONN_HEADERS);
	gate_unlock(g);
	if (!g->hooks.hand_over(g->ctx, fd, (struct sockaddr *)&addr, sizeof(sa_family_t))) {
		gate_lock(g);
		if (g->by_fd[fd] == c)
			drop(g, c);
		gate_unlock(g);
	}
}

/* Wake c (lock held). */
static void wake(struct http_gate *g, struct http_conn *c)
{
	gate_phase(c, CONN_BUSY);
	g->hooks.wake(g->ctx, c);
}

/* Shut c down: libmicrohttpd sees the end of it and closes it. */
static void cut(struct http_conn *c)
{
	shutdown(c->fd, SHUT_RDWR);
	gate_phase(c, CONN_CLOSING);
}

/* Did c's body come too slowly? At least body_rate bytes a second after the first second. */
static bool too_slow(const struct http_gate *g, const struct http_conn *c, int64_t now)
{
	int64_t late = now - c->since - 1000;

	return late > 0 && (int64_t)c->body * 1000 < (int64_t)g->lim.body_rate * late;
}

/* The deadlines, and the sleepers' clients and times (lock held). */
static void sweep(struct http_gate *g, bool woken)
{
	int64_t now = gate_now();
	struct http_conn *c, *next;
	unsigned n = 0, i;

	for (c = g->conns; c; c = next) {
		next = c->next;
		switch (c->phase) {
		case CONN_WAITING:
			if (now - c->since >= (int64_t)g->lim.idle_timeout * 1000) {
				epoll_ctl(g->epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
				close(c->fd);
				drop(g, c);
			}
			break;
		case CONN_HEADERS:
			if (now - c->since >= (int64_t)g->lim.header_timeout * 1000)
				cut(c);
			break;
		case CONN_BODY:
			if (too_slow(g, c, now))
				cut(c);
			break;
		case CONN_HELD:
			/* Where its body goes took nothing for so long: give up on it. */
			if (now - c->since >= (int64_t)g->lim.idle_timeout * 1000) {
				unhold(g, c);
				cut(c);
			}
			break;
		case CONN_ASLEEP:
			g->asleep[n] = (struct pollfd){ .fd = c->fd };
			g->asleep_conn[n++] = c;
			break;
		default:
			break;
		}
	}
	/* Asleep, a connection is nobody's to read: a client that hung up shows here. (Looked
	 * at before waking them: woken by each event, waits might never be seen asleep.) */
	if (n && poll(g->asleep, n, 0) < 0)
		n = 0;
	for (i = 0; i < n; i++) {
		c = g->asleep_conn[i];
		c->gone = g->asleep[i].revents & (POLLHUP | POLLERR);
		if (c->gone || woken || (c->wake_at && now >= c->wake_at))
			wake(g, c);
	}
	/* After many connections, give what they took back to the system. */
	if (g->peak >= 64 && g->share.held <= g->peak / 8) {
		malloc_trim(0);
		g->peak = g->share.held;
	}
}

static void *gate_thread(void *arg)
{
	struct http_gate *g = arg;
	struct epoll_event evs[64];
	int64_t next_sweep = 0, next_run = 0;
	uint64_t count;
	bool woken;
	int n, i;

	while (!g->stopping) {
		n = epoll_wait(g->epoll_fd, evs, 64, next_run < TICK_MS ? (int)next_run : TICK_MS);
		woken = false;
		for (i = 0; i < n; i++) {
			if (evs[i].data.ptr == &g->listen_fd)
				accept_some(g);
			else if (evs[i].data.ptr == &g->wake_fd)
				woken = read(g->wake_fd, &count, sizeof(count)) > 0;
			else if (evs[i].data.ptr == &g->kick_fd)
				(void)!read(g->kick_fd, &count, sizeof(count)); /* run below */
			else if (evs[i].data.ptr == &g->poll_fd)
				continue; /* run below */
			else if (evs[i].data.ptr == &g->hold_fd)
				unhold_ready(g); /* resumed: run below */
			else
				first_byte(g, evs[i].data.ptr, evs[i].events);
		}
		if (woken || gate_now() >= next_sweep) {
			gate_lock(g);
			sweep(g, woken);
			gate_unlock(g);
			next_sweep = gate_now() + TICK_MS;
		}
		/* Connections handed over, resumed or timed out: libmicrohttpd's turn. */
		next_run = g->hooks.run(g->ctx);
	}
	return NULL;
}

static int watch(struct http_gate *g, int fd, void *tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = tag };

	return epoll_ctl(g->epoll_fd, EPOLL_CTL_ADD, fd, &ev);
}

int gate_start(struct http_gate **out, int fd, int poll_fd, const struct http_limits *lim,
	       const struct gate_hooks *hooks, void *ctx, struct berth_error *err)
{
	struct http_gate *g = calloc(1, sizeof(*g));
	struct rlimit nofile;
	int rc;

	if (!g) {
		close(fd);
		return berr(err, ENOMEM, "the API's gate");
	}
	pthread_mutex_init(&g->lock, NULL);
	g->lim = *lim;
	g->hooks = *hooks;
	g->ctx = ctx;
	g->listen_fd = fd;
	g->poll_fd = poll_fd;
	g->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	g->kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	g->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	g->hold_fd = epoll_create1(EPOLL_CLOEXEC);
	getrlimit(RLIMIT_NOFILE, &nofile);
	g->nfds = nofile.rlim_cur > (1u << 20) ? 1u << 20 : (unsigned)nofile.rlim_cur;
	g->by_fd = calloc(g->nfds, sizeof(*g->by_fd));
	g->asleep = calloc(lim->capacity + 1, sizeof(*g->asleep));
	g->asleep_conn = calloc(lim->capacity + 1, sizeof(*g->asleep_conn));
	if (g->wake_fd < 0 || g->kick_fd < 0 || g->epoll_fd < 0 || g->hold_fd < 0 || !g->by_fd ||
	    !g->asleep || !g->asleep_conn ||
	    share_init(&g->share, lim->capacity, lim->per_user, lim->root_reserve) ||
	    watch(g, fd, &g->listen_fd) || watch(g, g->wake_fd, &g->wake_fd) ||
	    watch(g, g->kick_fd, &g->kick_fd) || watch(g, poll_fd, &g->poll_fd) ||
	    watch(g, g->hold_fd, &g->hold_fd)) {
		berr(err, errno ? errno : ENOMEM, "the API's gate");
		goto fail;
	}
	/* Before the thread starts: its first connection reaches http.c, which finds the gate
	 * through *out. */
	*out = g;
	rc = pthread_create(&g->thread, NULL, gate_thread, g);
	if (rc) {
		*out = NULL;
		berr(err, rc, "cannot start the API's gate thread");
		goto fail;
	}
	return 0;
fail:
	close(fd);
	g->listen_fd = -1;
	gate_free(g);
	return -1;
}

void gate_stop(struct http_gate *g)
{
	struct http_conn *c, *next;

	g->stopping = true;
	gate_notify(g);
	pthread_join(g->thread, NULL);
	close(g->listen_fd);
	g->listen_fd = -1;
	gate_lock(g);
	for (c = g->conns; c; c = next) {
		next = c->next;
		if (c->phase == CONN_WAITING) {
			close(c->fd);
			drop(g, c);
		}
	}
	gate_unlock(g);
}

void gate_wake_all_gone(struct http_gate *g)
{
	struct http_conn *c, *next;

	gate_lock(g);
	for (c = g->conns; c; c = next) {
		next = c->next;
		if (c->phase == CONN_ASLEEP) {
			c->gone = true;
			wake(g, c);
		} else if (c->phase == CONN_HELD) {
			c->gone = true;
			unhold(g, c);
		}
	}
	gate_unlock(g);
}

void gate_free(struct http_gate *g)
{
	if (!g)
		return;
	if (g->wake_fd >= 0)
		close(g->wake_fd);
	if (g->kick_fd >= 0)
		close(g->kick_fd);
	if (g->epoll_fd >= 0)
		close(g->epoll_fd);
	if (g->hold_fd >= 0)
		close(g->hold_fd);
	share_destroy(&g->share);
	free(g->by_fd);
	free(g->asleep);
	free(g->asleep_conn);
	pthread_mutex_destroy(&g->lock);
	free(g);
}
