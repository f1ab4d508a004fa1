/* keeper.c - the container terminal's keeper (see keeper.h).
 *
 * Everything on the other side is hostile: the container may print without end or never
 * read, a client may never read or send without end. All fds are non-blocking and every
 * queue is bounded: output a client cannot take is dropped for it (the log still gets it),
 * input the container does not read stops reading from the client. */
#include "console/keeper.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/caplog.h"
#include "common/unix_sock.h"
#include "console/buf.h"
#include "console/terminal.h"

#define KEEPER_IN_MAX	  4096 /* queued towards the container */
#define KEEPER_LISTEN_TRY 3000 /* ms to wait for an old keeper to let go of the socket */
#define KEEPER_CHUNK	  4096

struct keeper {
	int master, listener, client;
	struct caplog log;
	struct buf to_client, to_master;
};

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000L + t.tv_nsec / 1000000;
}

/* Wait up to wait_ms for the runtime to connect to listener and send the pty master. */
static int receive_master(int listener, int wait_ms, struct berth_error *err)
{
	struct pollfd p = { .fd = listener, .events = POLLIN };
	int master;

	if (poll(&p, 1, wait_ms) <= 0)
		return berr(err, ETIMEDOUT, "no terminal came from berth-ct within %d s",
			    wait_ms / 1000);
	master = terminal_accept(listener, err);
	if (master >= 0)
		fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
	return master;
}

/* The attach socket; an old keeper that is still ending gets a moment to let go of it. */
static int listen_attach(const char *path, struct unix_listen_file *file, struct berth_error *err)
{
	long deadline = now_ms() + KEEPER_LISTEN_TRY;
	int fd;

	while ((fd = unix_listen(path, 0660, "console socket", file, err)) < 0 &&
	       now_ms() < deadline)
		usleep(100000);
	return fd;
}

static void drop_client(struct keeper *k)
{
	if (k->client >= 0)
		close(k->client);
	k->client = -1;
	k->to_client.len = 0;
	k->to_master.len = 0;
}

static void accept_client(struct keeper *k)
{
	int fd = accept4(k->listener, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	if (k->client >= 0) {
		(void)!send(fd, KEEPER_BUSY, strlen(KEEPER_BUSY), MSG_NOSIGNAL | MSG_DONTWAIT);
		close(fd);
		return;
	}
	k->client = fd;
}

/* What the container printed: to the log and to the client. False once the terminal is
 * gone (EIO when its last process closed it). */
static bool from_master(struct keeper *k)
{
	char chunk[KEEPER_CHUNK];
	ssize_t n = read(k->master, chunk, sizeof(chunk));

	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	if (n == 0)
		return false;
	caplog_write(&k->log, chunk, (size_t)n);
	if (k->client >= 0)
		buf_put(&k->to_client, chunk, (size_t)n); /* a client that lags loses output */
	return true;
}

static void from_client(struct keeper *k)
{
	char chunk[KEEPER_IN_MAX];
	size_t room = buf_room(&k->to_master);
	ssize_t n = read(k->client, chunk, room < sizeof(chunk) ? room : sizeof(chunk));

	if (n > 0)
		buf_put(&k->to_master, chunk, (size_t)n);
	else if (n == 0 || (errno != EAGAIN && errno != EINTR))
		drop_client(k);
}

static void relay(struct keeper *k)
{
	for (;;) {
		struct pollfd p[3] = {
			{ .fd = k->master, .events = POLLIN | (k->to_master.len ? POLLOUT : 0) },
			{ .fd = k->listener, .events = POLLIN },
			{ .fd = k->client,
			  .events = (buf_room(&k->to_master) ? POLLIN : 0) |
				    (k->to_client.len ? POLLOUT : 0) },
		};

		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (p[0].revents & POLLIN) {
			if (!from_master(k))
				return;
		} else if (p[0].revents & (POLLHUP | POLLERR)) {
			return;
		}
		if ((p[0].revents & POLLOUT) && !buf_flush(&k->to_master, k->master))
			return;
		if (p[2].revents & POLLIN)
			from_client(k);
		else if (p[2].revents & (POLLHUP | POLLERR))
			drop_client(k);
		if (k->client >= 0 && k->to_client.len && !buf_flush(&k->to_client, k->client))
			drop_client(k);
		if (p[1].revents & POLLIN)
			accept_client(k);
	}
}

int keeper_run(const struct keeper_opts *o, struct berth_error *err)
{
	struct keeper k = { .master = -1, .listener = -1, .client = -1 };
	struct unix_listen_file file;

	buf_init(&k.to_client, BUF_SIZE);
	buf_init(&k.to_master, KEEPER_IN_MAX);
	if (caplog_open(&k.log, o->log, o->log_max, err) < 0)
		return -1;
	k.listener = listen_attach(o->socket, &file, err);
	if (k.listener < 0) {
		caplog_close(&k.log);
		return -1;
	}
	k.master = receive_master(o->runtime_listener, o->wait_s * 1000, err);
	close(o->runtime_listener);
	if (k.master >= 0)
		relay(&k);
	unix_listen_remove(o->socket, &file);
	close(k.listener);
	drop_client(&k);
	caplog_close(&k.log);
	if (k.master < 0)
		return -1;
	close(k.master);
	return 0;
}
