/* loop_thread.h - a thread that runs an event loop of its own (struct loop), for work that
 * should not share the main loop's thread: virtio-net's queue pairs, one thread each.
 *
 * The thread starts before the main thread's seccomp filter (during set-up) with every
 * signal blocked, installs the filter of its kind, then runs its loop until stopped.
 * Sources are added to and removed from t->loop from any thread (epoll is thread-safe); a
 * callback may still run once for a source just removed, so its owner checks under its own
 * lock that the work is still wanted. */
#ifndef BERTH_VMM_LOOP_THREAD_H
#define BERTH_VMM_LOOP_THREAD_H

#include <pthread.h>
#include <stdbool.h>

#include "common/error.h"
#include "vmm/loop.h"
#include "vmm/seccomp/seccomp.h"

struct loop_thread {
	struct loop loop;
	enum vmm_thread kind;
	pthread_t thread;
	struct loop_source stop_src; /* an eventfd: written to stop the loop */
	bool running;		     /* the thread was started and not yet joined */
};

/* Start t's loop on a new thread named name (at most 15 characters) under kind's filter;
 * on failure t holds nothing. */
int loop_thread_start(struct loop_thread *t, const char *name, enum vmm_thread kind,
		      struct berth_error *err);

/* Stop t's loop and join its thread; a no-op for a zeroed t or one stopped already. */
void loop_thread_stop(struct loop_thread *t);

#endif
