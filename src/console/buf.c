/* buf.c - a bounded byte queue (see buf.h). */
#include "console/buf.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void buf_init(struct buf *b, size_t cap)
{
	b->len = 0;
	b->cap = cap < BUF_SIZE ? cap : BUF_SIZE;
}

size_t buf_room(const struct buf *b)
{
	return b->cap - b->len;
}

size_t buf_put(struct buf *b, const void *data, size_t n)
{
	if (n > buf_room(b))
		n = buf_room(b);
	memcpy(b->data + b->len, data, n);
	b->len += n;
	return n;
}

/* write(), or send() without SIGPIPE on a socket. */
static ssize_t put(int fd, const void *p, size_t n)
{
	ssize_t w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);

	return w < 0 && errno == ENOTSOCK ? write(fd, p, n) : w;
}

bool buf_flush(struct buf *b, int fd)
{
	ssize_t w;

	while (b->len) {
		w = put(fd, b->data, b->len);
		if (w < 0)
			return errno == EAGAIN || errno == EINTR;
		memmove(b->data, b->data + w, b->len - (size_t)w);
		b->len -= (size_t)w;
	}
	return true;
}
