/* events.c - a ring of recent events that readers follow. */
#include "daemon/state/events.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

void events_init(struct events *ev)
{
	pthread_condattr_t ca;

	memset(ev, 0, sizeof(*ev));
	pthread_mutex_init(&ev->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&ev->changed, &ca);
	pthread_condattr_destroy(&ca);
}

void events_destroy(struct events *ev)
{
	unsigned i;

	for (i = 0; i < EVENTS_KEPT; i++)
		free(ev->ring[i]);
	pthread_cond_destroy(&ev->changed);
	pthread_mutex_destroy(&ev->lock);
}

void events_publish(struct events *ev, const char *type, json_t *fields)
{
	char *text, *line;
	size_t len;

	json_object_set_new(fields, "type", json_string(type));
	json_object_set_new(fields, "time", json_integer((json_int_t)time(NULL)));
	text = json_dumps(fields, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(fields);
	if (!text)
		return;
	len = strlen(text);
	line = realloc(text, len + 2);
	if (!line) {
		free(text);
		return;
	}
	memcpy(line + len, "\n", 2);
	pthread_mutex_lock(&ev->lock);
	free(ev->ring[ev->next % EVENTS_KEPT]);
	ev->ring[ev->next % EVENTS_KEPT] = line;
	ev->next++;
	pthread_cond_broadcast(&ev->changed);
	pthread_mutex_unlock(&ev->lock);
	if (ev->notify)
		ev->notify(ev->notify_ctx);
}

void events_watch(struct events *ev, void (*notify)(void *ctx), void *ctx)
{
	pthread_mutex_lock(&ev->lock);
	ev->notify = notify;
	ev->notify_ctx = ctx;
	pthread_mutex_unlock(&ev->lock);
}

uint64_t events_tail(struct events *ev)
{
	uint64_t seq;

	pthread_mutex_lock(&ev->lock);
	seq = ev->next;
	pthread_mutex_unlock(&ev->lock);
	return seq;
}

int events_next(struct events *ev, uint64_t *seq, char **line, int timeout_ms)
{
	struct timespec until;
	int r = 0;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&ev->lock);
	while (!ev->closed && *seq >= ev->next) {
		if (pthread_cond_timedwait(&ev->changed, &ev->lock, &until))
			break;
	}
	if (ev->closed) {
		r = -1;
	} else if (*seq < ev->next) {
		if (ev->next - *seq > EVENTS_KEPT)
			*seq = ev->next - EVENTS_KEPT;
		*line = strdup(ev->ring[*seq % EVENTS_KEPT]);
		(*seq)++;
		r = *line ? 1 : 0;
	}
	pthread_mutex_unlock(&ev->lock);
	return r;
}

void events_close(struct events *ev)
{
	pthread_mutex_lock(&ev->lock);
	ev->closed = true;
	pthread_cond_broadcast(&ev->changed);
	pthread_mutex_unlock(&ev->lock);
	if (ev->notify)
		ev->notify(ev->notify_ctx);
}
