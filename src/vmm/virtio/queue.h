/* queue.h - the device side of a split virtqueue, hardened against a hostile driver.
 *
 * A virtio device (blk, net, rng) takes requests from its queues with virtq_pop() and gives
 * them back with virtq_push(). Everything in the rings is written by the guest, possibly
 * while we read it: each descriptor is copied out of guest memory once and then checked,
 * every buffer must lie wholly in guest RAM (gm_ptr), and every chain is bounded. The first
 * violation marks the queue broken with a reason; from then on it does nothing more, and
 * the device should set DEVICE_NEEDS_RESET.
 *
 * Decisions the spec leaves to the device:
 *  - A descriptor of length 0 is allowed and skipped: it adds no segment and its address is
 *    never used. It still counts towards the chain bound. A chain of total length 0 is
 *    returned (nout = nin = 0); whether that is a valid request is the device's to say.
 *  - A chain with more than VIRTQ_MAX_SEGS non-empty buffers breaks the queue (devices
 *    must advertise a seg_max below it), as does one of more than 2^32 bytes (the spec's
 *    limit, which also rules out loops).
 *  - An indirect table may hold up to VIRTQ_MAX_SIZE descriptors, and may end a chain of
 *    direct ones (as the spec requires devices to accept); a table inside a table breaks the queue.
 *
 * A queue is driven from one thread, the device's event loop. */
#ifndef BERTH_VMM_VIRTIO_QUEUE_H
#define BERTH_VMM_VIRTIO_QUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "common/error.h"
#include "vmm/memory.h"
#include "vmm/virtio/ring.h"

/* Most non-empty buffers one chain may have (IOV_MAX, so a chain fits one preadv). */
#define VIRTQ_MAX_SEGS 1024

/* Most descriptors one virtq_pop() reads: a direct chain as long as the queue, ending in an
 * indirect table of VIRTQ_MAX_SIZE entries. Budgets count these (struct virtq.walked). */
#define VIRTQ_MAX_WALK (2 * VIRTQ_MAX_SIZE)

struct virtq {
	const struct guest_mem *gm;
	uint16_t size;		  /* entries, a power of two, 1..VIRTQ_MAX_SIZE */
	const uint8_t *desc_host; /* the rings in host memory, checked once by virtq_init */
	struct virtq_avail *avail_host;
	struct virtq_used *used_host;
	bool event_idx, indirect; /* negotiated VIRTQ_F_EVENT_IDX / VIRTQ_F_INDIRECT_DESC */
	bool notify_off;	  /* virtq_disable_notify() is in force */
	uint16_t last_avail;	  /* next available-ring slot to take */
	uint16_t used_idx;	  /* our copy of used->idx */
	uint16_t signalled_used;  /* used_idx when we last decided about an interrupt */
	unsigned inflight;	  /* chains popped and not yet pushed */
	uint64_t walked;	  /* descriptors read so far: what a chain costs to take */
	const char *broken;	  /* why the queue stopped, or NULL while it works */
};

/* One request, as host iovecs into guest RAM: device-readable segments first. */
struct virtq_chain {
	uint16_t head;		  /* what virtq_push() gives back */
	unsigned nout, nin;	  /* iov[0..nout) readable, iov[nout..nout+nin) writable */
	uint64_t out_len, in_len; /* total bytes of each kind */
	struct iovec iov[VIRTQ_MAX_SEGS];
};

/* Set up q over rings the driver placed at desc/avail/used; -1 if size or a ring is invalid. */
int virtq_init(struct virtq *q, const struct guest_mem *gm, uint16_t size, uint64_t desc,
	       uint64_t avail, uint64_t used, uint64_t features, struct berth_error *err);

/* Take the next available chain: 1 got one, 0 none available, -1 the queue is broken. */
int virtq_pop(struct virtq *q, struct virtq_chain *c);

/* Give chain c back with written bytes written into it; -1 if broken, unpopped or too long. */
int virtq_push(struct virtq *q, const struct virtq_chain *c, uint32_t written);

/* Copy len bytes of c's readable segments, from byte off, into dst; the bytes copied. */
size_t virtq_chain_read(const struct virtq_chain *c, size_t off, void *dst, size_t len);

/* Copy len bytes of src into c's writable segments, from their start; the bytes copied. */
size_t virtq_chain_write(const struct virtq_chain *c, const void *src, size_t len);

/* Copy the first len bytes of c's writable segments (what was written there) into dst;
 * the bytes copied. */
size_t virtq_chain_read_written(const struct virtq_chain *c, void *dst, size_t len);

/* After pushes: does the driver want an interrupt for them? */
bool virtq_needs_notify(struct virtq *q);

/* Ask the driver not to notify us of new chains (while we are busy popping anyway). */
void virtq_disable_notify(struct virtq *q);

/* Ask the driver to notify us again; true if chains arrived meanwhile (pop them first). */
bool virtq_enable_notify(struct virtq *q);

#endif
