/* http_work.c - a fixed pool of threads running queued jobs. */
#include "daemon/api/http_work.h"

#include <errno.h>

static void *worker(void *arg)
{
	struct http_work *w = arg;
	struct work_job *job;

	for (;;) {
		pthread_mutex_lock(&w->lock);
		while (!w->head && !w->stopping)
			pthread_cond_wait(&w->ready, &w->lock);
		job = w->head;
		if (job) {
			w->head = job->next;
			if (!w->head)
				w->tail = NULL;
		}
		pthread_mutex_unlock(&w->lock);
		if (!job)
			return NULL; /* stopping, and nothing left */
		job->fn(job);
	}
}

int work_start(struct http_work *w)
{
	unsigned i;
	int rc = 0;

	*w = (struct http_work){ 0 };
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->ready, NULL);
	for (i = 0; i < WORK_THREADS; i++) {
		rc = pthread_create(&w->threads[w->nthreads], NULL, worker, w);
		if (rc)
			break;
		w->nthreads++;
	}
	if (w->nthreads)
		return 0;
	errno = rc;
	return -1;
}

void work_push(struct http_work *w, struct work_job *job)
{
	job->next = NULL;
	pthread_mutex_lock(&w->lock);
	if (w->tail)
		w->tail->next = job;
	else
		w->head = job;
	w->tail = job;
	pthread_cond_signal(&w->ready);
	pthread_mutex_unlock(&w->lock);
}

void work_stop(struct http_work *w)
{
	unsigned i;

	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_broadcast(&w->ready);
	pthread_mutex_unlock(&w->lock);
	for (i = 0; i < w->nthreads; i++)
		pthread_join(w->threads[i], NULL);
	pthread_cond_destroy(&w->ready);
	pthread_mutex_destroy(&w->lock);
}
