/* ratelog.c - rate-limited log lines (see ratelog.h). */
#include "common/ratelog.h"

#include <stdarg.h>
#include <time.h>

bool ratelog_allow(struct ratelog *rl, int64_t now_ms, uint64_t *suppressed)
{
	bool ok;

	pthread_mutex_lock(&rl->lock);
	if (rl->window_start_ms == 0 || now_ms - rl->window_start_ms >= RATELOG_WINDOW_MS ||
	    now_ms < rl->window_start_ms) {
		rl->window_start_ms = now_ms ? now_ms : 1;
		rl->in_window = 0;
	}
	ok = rl->in_window < RATELOG_BURST;
	if (ok) {
		rl->in_window++;
		*suppressed = rl->suppressed;
		rl->suppressed = 0;
	} else {
		rl->suppressed++;
	}
	pthread_mutex_unlock(&rl->lock);
	return ok;
}

void ratelog_printf(struct ratelog *rl, FILE *f, const char *fmt, ...)
{
	struct timespec ts;
	uint64_t held;
	va_list ap;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (!ratelog_allow(rl, (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, &held))
		return;
	/* One write per line where stdio allows it: f is line-buffered or unbuffered. */
	flockfile(f);
	if (held)
		fprintf(f, "(%llu similar line%s suppressed)\n", (unsigned long long)held,
			held == 1 ? "" : "s");
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	funlockfile(f);
}
