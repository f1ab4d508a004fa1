/* console_sock.c - the console's Unix socket: one client at a time (see console_sock.h).
 *
 * Only the loop's thread touches the client's fd; the vCPU threads share nothing with it but
 * the output buffer and its lock, so no send can reach a closed fd, or one whose number was
 * reused. */
#include "console_sock.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

/* How long output waits for a client whose socket was full. */
#define RETRY_NS 10000000

int console_sock_open(struct console_sock *s, const char *path, int inherited_fd,
		      struct berth_error *err)
{
	memset(s, 0, sizeof(*s));
	s->client = -1;
	s->flush.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->flush.fd < 0)
		return berr(err, errno, "eventfd");
	s->retry.fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (s->retry.fd < 0) {
		berr(err, errno, "timerfd_create");
		close(s->flush.fd);
		return -1;
	}
	if (inherited_fd >= 0)
		s->listen.fd =
		    unix_listen_inherited(inherited_fd, "--console-sock-fd", &s->file, err);
	else
		s->listen.fd = unix_listen(path, 0660, "--console-sock", &s->file, err);
	if (s->listen.fd < 0) {
		close(s->retry.fd);
		close(s->flush.fd);
		return -1;
	}
	pthread_mutex_init(&s->lock, NULL);
	s->path = path;
	return 0;
}

/* Under the lock: keep no output (and drop what is kept). */
static void sock_stop_output(struct console_sock *s)
{
	s->attached = false;
	s->out_len = 0;
}

/* Keep output for a client from now on, or stop keeping it. */
static void sock_set_attached(struct console_sock *s, bool attached)
{
	pthread_mutex_lock(&s->lock);
	sock_stop_output(s);
	s->attached = attached;
	pthread_mutex_unlock(&s->lock);
}

void console_sock_drop(struct console_sock *s)
{
	if (s->client < 0)
		return;
	if (s->attach)
		s->attach(s->opaque, -1);
	sock_set_attached(s, false);
	close(s->client);
	s->client = -1;
}

/* Has the attached client gone? Its end-of-input may not have been read yet: the console
 * stops reading while the guest's receive buffer is full. */
static bool sock_client_gone(const struct console_sock *s)
{
	struct pollfd p = { .fd = s->client, .events = POLLRDHUP };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR | POLLRDHUP));
}

static void sock_on_connect(struct loop_source *src, uint32_t events)
{
	struct console_sock *s = src->opaque;
	ssize_t n;
	int fd;

	(void)events;
	fd = accept_guard_accept(&s->guard);
	if (fd < 0)
		return;
	/* A client that left while its input was held back makes way for the new one. */
	if (s->client >= 0 && sock_client_gone(s))
		console_sock_drop(s);
	if (s->client >= 0) {
		n = send(fd, CONSOLE_SOCK_BUSY, strlen(CONSOLE_SOCK_BUSY),
			 MSG_DONTWAIT | MSG_NOSIGNAL);
		(void)n; /* best effort: it is closed either way */
		close(fd);
		return;
	}
	s->client = fd;
	sock_set_attached(s, true);
	s->attach(s->opaque, fd);
}

/* Send what the vCPUs queued, as much as the socket takes now; the rest waits for the retry
 * timer (while it waits, new output only adds to it and does not wake the loop). */
static void sock_on_flush(struct loop_source *src, uint32_t events)
{
	struct console_sock *s = src->opaque;
	struct itimerspec again = { .it_value.tv_nsec = RETRY_NS };
	uint64_t count;
	ssize_t n;

	(void)events;
	if (read(src->fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		return;
	pthread_mutex_lock(&s->lock);
	if (!s->attached || !s->out_len) {
		s->out_len = 0;
	} else if ((n = send(s->client, s->out, s->out_len, MSG_DONTWAIT | MSG_NOSIGNAL)) < 0) {
		if (errno == EAGAIN || errno == EINTR)
			timerfd_settime(s->retry.fd, 0, &again, NULL);
		else
			sock_stop_output(s); /* broken: it is let go when its input ends */
	} else {
		s->out_len -= (size_t)n;
		memmove(s->out, s->out + n, s->out_len);
		if (s->out_len)
			timerfd_settime(s->retry.fd, 0, &again, NULL);
	}
	pthread_mutex_unlock(&s->lock);
}

int console_sock_start(struct console_sock *s, struct loop *loop, void (*attach)(void *, int),
		       void *opaque, struct berth_error *err)
{
	s->loop = loop;
	s->attach = attach;
	s->opaque = opaque;
	s->listen.fn = sock_on_connect;
	s->listen.opaque = s;
	s->flush.fn = s->retry.fn = sock_on_flush;
	s->flush.opaque = s->retry.opaque = s;
	if (loop_add(loop, &s->flush, err))
		return -1;
	if (loop_add(loop, &s->retry, err)) {
		loop_del(loop, &s->flush);
		return -1;
	}
	if (loop_add(loop, &s->listen, err)) {
		loop_del(loop, &s->retry);
		loop_del(loop, &s->flush);
		return -1;
	}
	if (accept_guard_init(&s->guard, loop, &s->listen, CONSOLE_SOCK_NOFD, err)) {
		loop_del(loop, &s->listen);
		loop_del(loop, &s->retry);
		loop_del(loop, &s->flush);
		return -1;
	}
	return 0;
}

void console_sock_send(struct console_sock *s, uint8_t c)
{
	uint64_t one = 1;
	bool wake = false;
	ssize_t n;

	pthread_mutex_lock(&s->lock);
	if (s->attached && s->out_len < sizeof(s->out)) {
		s->out[s->out_len++] = c;
		wake = s->out_len == 1; /* the first byte since the last flush wakes the loop */
	}
	pthread_mutex_unlock(&s->lock);
	if (wake) {
		n = write(s->flush.fd, &one, sizeof(one));
		(void)n; /* fails only when the counter is already set: the loop wakes anyway */
	}
}

void console_sock_close(struct console_sock *s)
{
	if (!s->path)
		return;
	console_sock_drop(s);
	if (s->loop) {
		loop_del(s->loop, &s->listen);
		loop_del(s->loop, &s->retry);
		loop_del(s->loop, &s->flush);
		accept_guard_destroy(&s->guard);
	}
	close(s->listen.fd);
	close(s->retry.fd);
	close(s->flush.fd);
	unix_listen_remove(s->path, &s->file);
	pthread_mutex_destroy(&s->lock);
	s->path = NULL;
}
