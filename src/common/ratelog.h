/* ratelog.h - log lines a stranger can cause (a guest breaking a device, moving a BAR, a
 * request failing), rate-limited so that they cannot flood the host's logs: each call site
 * has a limiter that lets RATELOG_BURST lines through per RATELOG_WINDOW_MS and counts the
 * rest; the first line let through after some were held back says how many. Any thread may
 * log through one limiter. */
#ifndef BERTH_COMMON_RATELOG_H
#define BERTH_COMMON_RATELOG_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define RATELOG_BURST	  10
#define RATELOG_WINDOW_MS 10000

struct ratelog {
	pthread_mutex_t lock;
	int64_t window_start_ms; /* when the current window began; 0 before the first line */
	unsigned in_window;	 /* lines let through in it */
	uint64_t suppressed;	 /* lines held back since the last one let through */
};

#define RATELOG_INIT                                                                               \
	{                                                                                          \
		.lock = PTHREAD_MUTEX_INITIALIZER                                                  \
	}

/* May a line go out at now_ms? If so, *suppressed is how many were held back before it
 * (and the count starts again); if not, the line is counted. */
bool ratelog_allow(struct ratelog *rl, int64_t now_ms, uint64_t *suppressed);

/* Write one line (fmt, without its newline) to f if rl allows it now, preceded by a line
 * saying how many were suppressed, if any were. */
void ratelog_printf(struct ratelog *rl, FILE *f, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
