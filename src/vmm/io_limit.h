/* io_limit.h - a device's I/O limits (--disk ...,iops=N,bps=N; --net ...,bps=N): token
 * buckets for requests and bytes, checked by the device on the event loop, and a timerfd
 * on that loop that calls the device back when its buckets have tokens again.
 *
 * A device asks io_limit_ready() before it takes a request (a chain from its queue, a frame
 * from its backend) and charges what the request turned out to cost with io_limit_charge().
 * A request larger than what a bucket holds still goes, and leaves the bucket in debt for as
 * long as its size takes at the rate, so any request size gets through and the average rate
 * holds. While a bucket is empty the device takes nothing: the guest's requests wait in its
 * own queue (bounded by the queue's size, in the guest's memory), a NIC's incoming frames in
 * its backend's bounded queue; no vCPU thread and no event-loop turn ever sleeps on a limit.
 * One implementation for disks and NICs. */
#ifndef BERTH_VMM_IO_LIMIT_H
#define BERTH_VMM_IO_LIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "vmm/config.h"
#include "vmm/loop.h"

/* A bucket holds this much time's worth of its rate (and the request at hand): the burst a
 * quiet device may send. */
#define IO_BUCKET_BURST_NS 100000000ULL /* 100 ms */

/* A token bucket kept as a time: the moment at which its tokens are (or were) zero. Before
 * it the bucket is in debt; after it, it refills at rate, holding at most
 * IO_BUCKET_BURST_NS worth. (The generic cell rate algorithm: a token bucket without a
 * counter to refill, so no rounding drifts.) */
struct io_bucket {
	uint64_t rate;	   /* tokens per second; 0: no limit */
	uint64_t empty_ns; /* CLOCK_MONOTONIC ns at which the tokens are zero */
};

/* Has b a token at now (ns)? An unlimited bucket always has. */
bool io_bucket_ready(const struct io_bucket *b, uint64_t now);

/* Take n tokens from b at now, going into debt if it holds fewer. */
void io_bucket_take(struct io_bucket *b, uint64_t n, uint64_t now);

/* What the device calls back when its limits let it go on (on the event loop, unlocked). */
typedef void (*io_limit_resume_fn)(void *opaque);

struct io_limit {
	struct io_bucket ops, bytes;
	int tfd; /* the timerfd, -1 without limits */
	bool armed;
	uint64_t checked_ns; /* when io_limit_ready last looked: the time a charge is made at */
	struct loop *loop;
	struct loop_source src;
	io_limit_resume_fn resume;
	void *opaque;
};

/* Set l up with cfg's rates (none: no fd, every call a no-op) and, when there are limits,
 * its timerfd as a source on loop that calls resume(opaque). */
int io_limit_init(struct io_limit *l, const struct io_limit_config *cfg, struct loop *loop,
		  io_limit_resume_fn resume, void *opaque, struct berth_error *err);

/* Drop the timer from the loop and close it; l may be zeroed or partly set up (tfd -1). */
void io_limit_destroy(struct io_limit *l);

/* May the device take a request now? If not, the timer is armed (event loop only) to call
 * resume once every bucket has a token again. */
bool io_limit_ready(struct io_limit *l);

/* Charge ops requests and bytes bytes to the request io_limit_ready just let through,
 * at the time it looked (one clock read per request, not two). */
void io_limit_charge(struct io_limit *l, uint64_t ops, uint64_t bytes);

#endif
