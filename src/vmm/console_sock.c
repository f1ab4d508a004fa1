/* console_sock.c - the console's Unix socket: one client at a time (see console_sock.h).
 *
 * The vCPU threads send output to the client while the loop's thread may let it go, so the
 * fd they send on lives under a lock and is retired there before it is closed: a send can
 * never reach a closed fd, or one the number was reused for. */
#include "console_sock.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int console_sock_open(struct console_sock *s, const char *path, struct berth_error *err)
{
	memset(s, 0, sizeof(*s));
	s->listen.fd = s->client = s->out_fd = -1;
	pthread_mutex_init(&s->lock, NULL);
	s->listen.fd = unix_listen(path, 0660, "--console-sock", &s->file, err);
	if (s->listen.fd < 0) {
		pthread_mutex_destroy(&s->lock);
		return -1;
	}
	s->path = path;
	return 0;
}

static void sock_set_out(struct console_sock *s, int fd)
{
	pthread_mutex_lock(&s->lock);
	s->out_fd = fd;
	pthread_mutex_unlock(&s->lock);
}

void console_sock_drop(struct console_sock *s)
{
	if (s->client < 0)
		return;
	if (s->attach)
		s->attach(s->opaque, -1);
	sock_set_out(s, -1);
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
	fd = accept4(src->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	/* A client that left while its input was held back makes way for the new one. */
	if (s->client >= 0 && sock_client_gone(s))
		console_sock_drop(s);
	if (s->client >= 0) {
		n = send(fd, CONSOLE_SOCK_BUSY, strlen(CONSOLE_SOCK_BUSY), MSG_DONTWAIT | MSG_NOSIGNAL);
		(void)n; /* best effort: it is closed either way */
		close(fd);
		return;
	}
	s->client = fd;
	sock_set_out(s, fd);
	s->attach(s->opaque, fd);
}

int console_sock_start(struct console_sock *s, struct loop *loop, void (*attach)(void *, int), void *opaque,
		       struct berth_error *err)
{
	s->loop = loop;
	s->attach = attach;
	s->opaque = opaque;
	s->listen.fn = sock_on_connect;
	s->listen.opaque = s;
	return loop_add(loop, &s->listen, err);
}

void console_sock_send(struct console_sock *s, uint8_t c)
{
	pthread_mutex_lock(&s->lock);
	/* A full socket drops the byte for this client only; a broken one gets no more (the
	 * loop lets it go when it reads its end). */
	if (s->out_fd >= 0 && send(s->out_fd, &c, 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && errno != EAGAIN &&
	    errno != EINTR)
		s->out_fd = -1;
	pthread_mutex_unlock(&s->lock);
}

void console_sock_close(struct console_sock *s)
{
	if (!s->path)
		return;
	console_sock_drop(s);
	if (s->loop)
		loop_del(s->loop, &s->listen);
	close(s->listen.fd);
	unix_listen_remove(s->path, &s->file);
	pthread_mutex_destroy(&s->lock);
	s->path = NULL;
}
