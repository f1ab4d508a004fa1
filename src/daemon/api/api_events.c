/* api_events.c - GET /1.0/events: a stream of JSON lines, one per event, from now on. */
#include <stdlib.h>
#include <string.h>

#include "daemon/api/api.h"

struct reader {
	struct events *events;
	uint64_t seq;
	char *line; /* the event being sent */
	size_t off;
};

static ssize_t next_chunk(void *ctx, char *buf, size_t max)
{
	struct reader *r = ctx;
	size_t n;
	int got;

	if (!r->line) {
		/* Never wait here: http.c calls again after the next event. */
		got = events_next(r->events, &r->seq, &r->line, 0);
		if (got < 0)
			return -1;
		if (!got)
			return 0;
	}
	n = strlen(r->line + r->off);
	if (n > max)
		n = max;
	memcpy(buf, r->line + r->off, n);
	r->off += n;
	if (!r->line[r->off]) {
		free(r->line);
		r->line = NULL;
		r->off = 0;
	}
	return (ssize_t)n;
}

static void reader_free(void *ctx)
{
	struct reader *r = ctx;

	free(r->line);
	free(r);
}

void api_events(struct berthd *d, const struct http_request *rq, const char *arg,
		struct http_reply *rep)
{
	struct reader *r = calloc(1, sizeof(*r));

	(void)rq, (void)arg;
	if (!r) {
		http_reply_error(rep, 500, "out of memory");
		return;
	}
	r->events = &d->events;
	r->seq = events_tail(&d->events);
	rep->status = 200;
	rep->stream = next_chunk;
	rep->stream_ctx = r;
	rep->stream_free = reader_free;
}
