/* buf.h - a bounded byte queue between two non-blocking fds: what does not fit is refused
 * (the caller decides whether to drop it or to stop reading), so a slow reader never makes
 * the keeper block or grow. */
#ifndef BERTH_CONSOLE_BUF_H
#define BERTH_CONSOLE_BUF_H

#include <stdbool.h>
#include <stddef.h>

#define BUF_SIZE 65536

struct buf {
	char data[BUF_SIZE];
	size_t len;
	size_t cap; /* at most BUF_SIZE */
};

/* An empty queue holding at most cap bytes (at most BUF_SIZE). */
void buf_init(struct buf *b, size_t cap);

/* Free space. */
size_t buf_room(const struct buf *b);

/* Append up to n bytes of data; returns how many were taken. */
size_t buf_put(struct buf *b, const void *data, size_t n);

/* Write what is queued to fd as far as it takes it now; false when fd failed for good
 * (EAGAIN and EINTR are not failures). */
bool buf_flush(struct buf *b, int fd);

#endif
