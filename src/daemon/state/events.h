/* events.h - what happened, for GET /1.0/events: a ring of the latest events (one JSON
 * line each) that any number of readers follow at their own pace. A reader that falls
 * more than EVENTS_KEPT behind skips to the oldest kept event. */
#ifndef BERTH_DAEMON_EVENTS_H
#define BERTH_DAEMON_EVENTS_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define EVENTS_KEPT 256

struct events {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	uint64_t next; /* sequence number of the next event */
	char *ring[EVENTS_KEPT];
	bool closed;
	void (*notify)(void *ctx); /* events_watch() */
	void *notify_ctx;
};

void events_init(struct events *ev);

/* Free what is kept (no reader may be left). */
void events_destroy(struct events *ev);

/* Publish {"type": type, "time": now, ...fields} (fields is taken over). */
void events_publish(struct events *ev, const char *type, json_t *fields);

/* Sequence number a new reader starts from (only events after it). */
uint64_t events_tail(struct events *ev);

/* The event at *seq or later as a line (malloc'd, newline-terminated), *seq moved past it.
 * Returns 1 with a line, 0 when none came within timeout_ms, -1 when closed. */
int events_next(struct events *ev, uint64_t *seq, char **line, int timeout_ms);

/* Call notify(ctx) after each event is published and at events_close(), from the thread
 * that did it, without the lock (for readers that do not block in events_next()). */
void events_watch(struct events *ev, void (*notify)(void *ctx), void *ctx);

/* Wake every reader and end their streams (berthd is stopping). */
void events_close(struct events *ev);

#endif
