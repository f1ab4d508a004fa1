/* accept_guard.h - accepting on a listening socket of the event loop in a way that survives
 * running out of file descriptors (EMFILE, ENFILE) without spinning.
 *
 * The loop's sources are level-triggered: a connection that accept4() cannot take for want
 * of an fd leaves the listener readable, and the loop would call back at once, for ever,
 * serving nothing else. So the guard keeps a reserve fd (an eventfd): out of fds, it closes
 * the reserve, accepts the waiting connection, tells it why (best effort) and closes it,
 * then takes the reserve back. If even that fails (the reserve went to another thread, or the
 * whole system is out), the listener leaves the loop for ACCEPT_BACKOFF_MS; a timerfd made
 * up front brings it back. Used by the control socket and the console socket. */
#ifndef BERTH_VMM_ACCEPT_GUARD_H
#define BERTH_VMM_ACCEPT_GUARD_H

#include <stdbool.h>

#include "common/error.h"
#include "vmm/loop.h"

#define ACCEPT_BACKOFF_MS 100

struct accept_guard {
	struct loop *loop;
	struct loop_source *listen; /* the listener, on the loop unless parked */
	int reserve;		    /* an fd to give up when out of them, -1 while spent */
	struct loop_source timer;   /* timerfd: ends a back-off */
	bool parked;		    /* the listener is off the loop until the timer fires */
	const char *busy;	    /* what a connection dropped for want of fds is told */
};

/* Guard listen (already on loop); busy is a line (with its newline) for dropped clients. */
int accept_guard_init(struct accept_guard *g, struct loop *loop, struct loop_source *listen,
		      const char *busy, struct berth_error *err);

/* Accept one connection, non-blocking and close-on-exec: its fd, or -1 when there is none to
 * take (or it was dropped for want of fds, or the listener is parked for a while). */
int accept_guard_accept(struct accept_guard *g);

/* Release the reserve and the timer (the listener is the caller's). */
void accept_guard_destroy(struct accept_guard *g);

#endif
