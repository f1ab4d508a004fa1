/* caplog.h - a console log whose size is capped: when PATH would pass its cap it becomes
 * PATH.1 (replacing the older one) and a new PATH starts, so a guest or container that
 * prints forever uses at most twice the cap of the host's disk. Writing never blocks on
 * anything but the file and never fails its caller: a log is best effort. */
#ifndef BERTH_COMMON_CAPLOG_H
#define BERTH_COMMON_CAPLOG_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* The smallest cap: a rotation per write would be absurd. */
#define CAPLOG_MIN ((uint64_t)64 << 10)

struct caplog {
	int fd; /* -1 when closed */
	char *path;
	uint64_t max;  /* 0: no cap */
	uint64_t size; /* bytes in the current file */
};

/* Open (append to) path, mode 0640, with a cap of max bytes (0: none; else >= CAPLOG_MIN). */
int caplog_open(struct caplog *l, const char *path, uint64_t max, struct berth_error *err);

/* Append len bytes, rotating first if they would pass the cap; errors are dropped. */
void caplog_write(struct caplog *l, const void *buf, size_t len);

/* Close the file and free what caplog_open() took. */
void caplog_close(struct caplog *l);

#endif
