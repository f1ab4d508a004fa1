/* sync.c - the parent/child message channel used while a container is being created. */
#include "ct/sync.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int sync_pair(int fds[2], struct berth_error *err)
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
		return berr(err, errno, "socketpair");
	return 0;
}

int sync_send(int fd, enum sync_type type, const char *data, size_t len, struct berth_error *err)
{
	char buf[SYNC_MAX];
	uint32_t t = type;

	if (len > sizeof(buf) - sizeof(t))
		len = sizeof(buf) - sizeof(t);
	memcpy(buf, &t, sizeof(t));
	if (len)
		memcpy(buf + sizeof(t), data, len);
	if (send(fd, buf, sizeof(t) + len, MSG_NOSIGNAL) < 0)
		return berr(err, errno, "send to the container process");
	return 0;
}

int sync_recv(int fd, enum sync_type *type, char **data, struct berth_error *err)
{
	char *buf = malloc(SYNC_MAX + 1);
	uint32_t t;
	ssize_t n;

	if (!buf)
		return berr(err, ENOMEM, "sync message");
	do
		n = recv(fd, buf, SYNC_MAX, 0);
	while (n < 0 && errno == EINTR);
	if (n < (ssize_t)sizeof(t)) {
		free(buf);
		if (n < 0)
			return berr(err, errno, "receive from the container process");
		return berr(err, EPIPE, "the container process exited during set-up");
	}
	memcpy(&t, buf, sizeof(t));
	memmove(buf, buf + sizeof(t), (size_t)n - sizeof(t));
	buf[n - sizeof(t)] = '\0';
	*type = (enum sync_type)t;
	*data = buf;
	return 0;
}

void sync_fail(int fd, const struct berth_error *err)
{
	struct berth_error ignored;
	char drain[256];

	sync_send(fd, SYNC_ERROR, err->msg, strlen(err->msg), &ignored);
	/* Exiting with a message of the parent's unread would make its next recv fail
	 * with ECONNRESET before our report: stay until the parent hangs up (or kills us). */
	while (recv(fd, drain, sizeof(drain), 0) > 0)
		;
	_exit(1);
}
