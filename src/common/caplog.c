/* caplog.c - a console log capped in size by rotating to PATH.1 (see caplog.h). */
#include "caplog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int open_log(const char *path)
{
	return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0640);
}

int caplog_open(struct caplog *l, const char *path, uint64_t max, struct berth_error *err)
{
	struct stat st;

	l->fd = -1;
	l->path = NULL;
	if (max && max < CAPLOG_MIN)
		return berr(err, 0,
			    "a console log cap of %llu bytes is too small; give at least %llu",
			    (unsigned long long)max, (unsigned long long)CAPLOG_MIN);
	l->path = strdup(path);
	if (!l->path)
		return berr(err, ENOMEM, "console log %s", path);
	l->fd = open_log(path);
	if (l->fd < 0 || fstat(l->fd, &st) < 0) {
		berr(err, errno, "cannot open the console log %s", path);
		caplog_close(l);
		return -1;
	}
	l->max = max;
	l->size = (uint64_t)st.st_size;
	return 0;
}

/* PATH becomes PATH.1 and a new, empty PATH is opened; on failure the old file is kept. */
static void rotate(struct caplog *l)
{
	size_t n = strlen(l->path);
	char *old = malloc(n + 3);
	int fd;

	if (!old)
		return;
	memcpy(old, l->path, n);
	memcpy(old + n, ".1", 3);
	if (rename(l->path, old) == 0 && (fd = open_log(l->path)) >= 0) {
		close(l->fd);
		l->fd = fd;
		l->size = 0;
	}
	free(old);
}

void caplog_write(struct caplog *l, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t w;

	if (l->fd < 0)
		return;
	if (l->max && l->size && l->size + len > l->max)
		rotate(l);
	while (len) {
		w = write(l->fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		len -= (size_t)w;
		l->size += (uint64_t)w;
	}
}

void caplog_close(struct caplog *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	free(l->path);
	l->path = NULL;
}
