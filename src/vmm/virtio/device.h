/* device.h - what a virtio device (blk, net, rng, input) implements, and what its transport offers
 * it.
 *
 * The transport (virtio-pci, pci_transport.c) owns the registers the driver programs:
 * feature negotiation, device status, queue addresses, interrupts. A device owns its
 * config space and the work behind its queues. The two meet here.
 *
 * Threads and locking: every op is called with d->lock held. start and reset come from a
 * vCPU thread (the driver writing the status register), notify from the VMM's event-loop
 * thread (a queue's ioeventfd fired). A device's own event sources (a tap fd, an io_uring
 * completion eventfd) also run on that loop, and must take d->lock themselves. Nothing may
 * block for long under the lock, and no device work runs on a vCPU thread except start/reset.
 * A device may take a queue's kicks over (virtio_take_kicks) and serve that queue on threads
 * and under locks of its own (virtio-net's queue pairs); reset must then stop that work.
 *
 * Queue rings (d->vqs) are set up by the transport before start and are valid until reset;
 * a device pops chains with virtq_pop(), pushes them back with virtq_push(), then calls
 * virtio_signal() to interrupt the driver if it asked for it. */
#ifndef BERTH_VMM_VIRTIO_DEVICE_H
#define BERTH_VMM_VIRTIO_DEVICE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "vmm/loop.h"
#include "vmm/memory.h"
#include "vmm/virtio/queue.h"

/* The largest device: virtio-net with 8 queue pairs and its control queue. */
#define VIRTIO_MAX_QUEUES 17

/* Device IDs (virtio 1.x, 5). */
#define VIRTIO_ID_NET	1
#define VIRTIO_ID_BLK	2
#define VIRTIO_ID_RNG	4
#define VIRTIO_ID_INPUT 18

/* Transport-level feature bits (6). */
#define VIRTIO_F_VERSION_1	 32
#define VIRTIO_F_ACCESS_PLATFORM 33

struct virtio_dev;

struct virtio_dev_ops {
	/* Copy len bytes of device config space at off into buf; off+len <= d->config_len. */
	void (*config_read)(struct virtio_dev *d, uint32_t off, uint8_t *buf, uint32_t len);
	/* The driver writes device config space; NULL when it is read-only (writes are ignored). */
	void (*config_write)(struct virtio_dev *d, uint32_t off, const uint8_t *buf, uint32_t len);
	/* DRIVER_OK: d->negotiated and the enabled queues in d->vqs are valid; begin work.
	 * -1 (with a line on stderr) makes the transport set DEVICE_NEEDS_RESET. */
	int (*start)(struct virtio_dev *d);
	/* The driver made buffers available on queue q (only after start). */
	void (*notify)(struct virtio_dev *d, unsigned q);
	/* The driver reset the device or the guest rebooted: stop work, wait for in-flight I/O
	 * that could still touch guest memory, forget the queues. Also called when never started.
	 */
	void (*reset)(struct virtio_dev *d);
	/* Release everything the device holds (the VMM is exiting); called once, unlocked. */
	void (*destroy)(struct virtio_dev *d);
};

/* What a device may ask of its transport. */
struct virtio_transport_ops {
	/* Interrupt the driver for queue q (the device has checked virtq_needs_notify). */
	void (*interrupt)(struct virtio_dev *d, unsigned q);
	/* Interrupt the driver for a config-space change. */
	void (*config_changed)(struct virtio_dev *d);
	/* The driver broke the device's rules: set DEVICE_NEEDS_RESET and stop using the queues. */
	void (*failed)(struct virtio_dev *d, const char *why);
	/* Call the device's notify for queue q again soon, from the event loop (or, for a
	 * queue whose kicks the device took, have its own source fire). Any thread. */
	void (*requeue)(struct virtio_dev *d, unsigned q);
	/* The eventfd queue q's kicks arrive on, which the device polls itself from now on
	 * (the transport no longer does; it still owns and closes the fd); NULL where a
	 * transport cannot hand it over. Before the first start. */
	int (*take_kicks)(struct virtio_dev *d, unsigned q);
};

/* What a device takes from one queue per turn of the event loop (a notify, a completion)
 * before it yields the loop with virtio_requeue: VIRTIO_BUDGET chains or VIRTIO_BUDGET_DESCS
 * descriptors walked, whichever runs out first. Chains alone are no bound: one may walk
 * VIRTQ_MAX_WALK descriptors. A driver refilling a queue with the costliest chains as fast
 * as it is drained thus cannot hold the loop, and with it the other devices, the console,
 * the control socket and signals. A chain is taken whole, so one turn walks at most
 * VIRTIO_BUDGET_DESCS + VIRTQ_MAX_WALK descriptors (VIRTIO_TURN_MAX_WALK): against the
 * costliest chains, one chain per turn. */
#define VIRTIO_BUDGET	     256
#define VIRTIO_BUDGET_DESCS  16384 /* 64 chains of a disk's largest requests (seg_max 254) */
#define VIRTIO_TURN_MAX_WALK (VIRTIO_BUDGET_DESCS + VIRTQ_MAX_WALK)

struct virtio_budget {
	unsigned chains;   /* chains still allowed */
	uint64_t walk_end; /* the queue's walked count at which the descriptors run out */
};

struct virtio_dev {
	const struct virtio_dev_ops *ops;
	const char *name;    /* for messages, e.g. "virtio-blk 0" */
	uint16_t device_id;  /* VIRTIO_ID_* */
	uint64_t features;   /* what the device offers, VIRTIO_F_VERSION_1 included */
	uint64_t negotiated; /* what the driver accepted; valid from start to reset */
	unsigned nqueues;    /* 1..VIRTIO_MAX_QUEUES */
	uint16_t queue_max;  /* largest queue size the device accepts (power of two) */
	uint32_t config_len; /* bytes of device config space */
	const struct guest_mem *gm;
	struct loop *loop; /* the event loop the device's sources belong on */
	pthread_mutex_t lock;
	struct virtq vqs[VIRTIO_MAX_QUEUES];
	bool vq_enabled[VIRTIO_MAX_QUEUES];
	bool failed; /* virtio_fail was called: serve nothing, on any queue, until reset */
	const struct virtio_transport_ops *transport;
	void *transport_ctx;
};

/* Interrupt the driver for queue q if it wants one for the chains just pushed (d->lock held,
 * or the lock that serializes q's work for a queue whose kicks the device took). */
void virtio_signal(struct virtio_dev *d, unsigned q);

/* The device's config space changed: tell the driver (d->lock held). */
void virtio_config_changed(struct virtio_dev *d);

/* Have notify called for queue q again after the loop's other work (any thread). */
void virtio_requeue(struct virtio_dev *d, unsigned q);

/* Take queue q's kick eventfd over from the transport (see take_kicks): the fd, or -1 when
 * the transport cannot hand it over. */
int virtio_take_kicks(struct virtio_dev *d, unsigned q);

/* Report a driver error on d: with d->lock held, the transport sets DEVICE_NEEDS_RESET and
 * d->failed stays set until the transport resets the device. */
void virtio_fail(struct virtio_dev *d, const char *why);

/* A fresh budget for one turn on q. */
static inline struct virtio_budget virtio_budget(const struct virtq *q)
{
	return (struct virtio_budget){ VIRTIO_BUDGET, q->walked + VIRTIO_BUDGET_DESCS };
}

/* Is b spent on q (the device then yields with virtio_requeue)? */
static inline bool virtio_budget_spent(const struct virtio_budget *b, const struct virtq *q)
{
	return b->chains == 0 || q->walked >= b->walk_end;
}

/* May one more chain be popped from q? Charges it to b if so. */
static inline bool virtio_budget_take(struct virtio_budget *b, const struct virtq *q)
{
	if (virtio_budget_spent(b, q))
		return false;
	b->chains--;
	return true;
}

/* Was feature bit negotiated? */
static inline bool virtio_has(const struct virtio_dev *d, unsigned bit)
{
	return (d->negotiated >> bit) & 1;
}

#endif
