/* http_work.h - the few threads that run API handlers, so that what blocks (SQLite, a
 * look at a server) never stalls the thread that reads and writes the sockets. A fixed
 * number of threads take jobs from one queue in order. */
#ifndef BERTH_DAEMON_HTTP_WORK_H
#define BERTH_DAEMON_HTTP_WORK_H

#include <pthread.h>
#include <stdbool.h>

#define WORK_THREADS 4

struct work_job {
	void (*fn)(struct work_job *job); /* runs on a worker thread */
	struct work_job *next;
};

struct http_work {
	pthread_mutex_t lock;
	pthread_cond_t ready;
	struct work_job *head, *tail;
	bool stopping;
	pthread_t threads[WORK_THREADS];
	unsigned nthreads;
};

/* Start the workers; -1 with errno when none could start. */
int work_start(struct http_work *w);

/* Queue job (not owned: it must live until its fn runs). */
void work_push(struct http_work *w, struct work_job *job);

/* Run what is queued, then end the workers. */
void work_stop(struct http_work *w);

#endif
