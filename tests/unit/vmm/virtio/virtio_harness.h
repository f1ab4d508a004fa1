/* virtio_harness.h - a fake guest and a fake transport for testing one virtio device.
 *
 * Header-only static helpers shared by the device tests (blk, net) and their fuzzers; it
 * needs nothing from cmocka, so a fuzzer may include it too. The harness owns:
 *  - guest RAM (heap memory described with gm_init_from), with each queue's rings at fixed
 *    addresses and a bump allocator for buffers above them;
 *  - an event loop the device registers its sources on, which the test runs round by round
 *    (vh_run) instead of loop_run, so it never blocks for ever;
 *  - the transport: it records interrupts, config changes and failures instead of raising
 *    them, and plays the driver's part in feature negotiation and queue setup (vh_start).
 *    A device that yields a queue (virtio_requeue) is notified again from the loop, through
 *    an eventfd, as the real transport does; vh_run records the most descriptors any one
 *    callback walked (max_walk), so a test can hold the device to its budget. A device may
 *    take a queue's kicks over (take_kicks): vh_kick then writes that queue's eventfd, which
 *    the device polls on its own threads, instead of calling notify.
 *
 * Typical use:
 *	vh_init(&h, 1 << 20);  virtio_x_create(&d, ..., &h.gm, &h.loop, &err);
 *	vh_attach(&h, d);  vh_start(&h, 16, ~0ULL);
 *	head = vh_submit(&h, 0, (struct vh_buf[]){ { gpa, len, false }, ... }, n);
 *	vh_run_until_used(&h, 0, 1, 5000);  elem = vh_used_elem(&h, 0, 0);
 *	vh_destroy(&h);
 * Addresses are guest-physical throughout; vh_host() turns one into a pointer. */
#ifndef BERTH_TESTS_VIRTIO_HARNESS_H
#define BERTH_TESTS_VIRTIO_HARNESS_H

#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "vmm/loop.h"
#include "vmm/memory.h"
#include "vmm/virtio/device.h"
#include "vmm/virtio/ring.h"

/* Largest queue the harness lays out; queue q's rings live at VH_RINGS + q * VH_RING_STRIDE. */
#define VH_QSIZE_MAX   256
#define VH_RINGS       0x1000ULL
#define VH_RING_STRIDE 0x4000ULL
#define VH_BUFS	       (VH_RINGS + VIRTIO_MAX_QUEUES * VH_RING_STRIDE) /* vh_alloc starts here */

/* One buffer of a chain the test offers: device-writable when write is set. */
struct vh_buf {
	uint64_t gpa;
	uint32_t len;
	bool write;
};

struct vh_queue {
	uint16_t size;
	uint64_t desc, avail, used; /* guest-physical ring addresses */
	uint16_t next_desc;	    /* vh_add_chain takes descriptors round-robin from here */
};

struct vh {
	uint8_t *ram;
	uint64_t ram_size;
	uint64_t brk; /* next free guest-physical byte for vh_alloc */
	struct guest_mem gm;
	struct loop loop;
	struct virtio_dev *dev;
	struct vh_queue q[VIRTIO_MAX_QUEUES];
	unsigned interrupts[VIRTIO_MAX_QUEUES]; /* transport->interrupt calls per queue */
	unsigned config_changes;		/* transport->config_changed calls */
	unsigned failures;			/* transport->failed calls */
	unsigned requeues;			/* transport->requeue calls */
	unsigned requeue_pending;		/* queues to notify again, one bit each */
	int requeue_fd;				/* an eventfd on the loop while any is */
	struct loop_source requeue_src;
	unsigned kicks_taken;		/* queues whose kicks the device took, one bit each */
	int kick_fd[VIRTIO_MAX_QUEUES]; /* their eventfds */
	uint64_t max_walk; /* most descriptors one callback of vh_run (or vh_kick) walked */
	char failed[256];  /* the last failure's reason */
};

static inline struct vh *vh_of(struct virtio_dev *d)
{
	return d->transport_ctx;
}

static void vh_interrupt(struct virtio_dev *d, unsigned q)
{
	if (q < VIRTIO_MAX_QUEUES)
		vh_of(d)->interrupts[q]++;
}

static void vh_config_changed(struct virtio_dev *d)
{
	vh_of(d)->config_changes++;
}

static void vh_failed(struct virtio_dev *d, const char *why)
{
	struct vh *h = vh_of(d);

	h->failures++;
	snprintf(h->failed, sizeof(h->failed), "%s", why);
}

/* A device yielded queue q: notify it again on the loop's next round. */
static void vh_requeue(struct virtio_dev *d, unsigned q)
{
	struct vh *h = vh_of(d);

	h->requeues++;
	if (h->kicks_taken & 1u << q) {
		if (eventfd_write(h->kick_fd[q], 1) < 0)
			abort();
		return;
	}
	h->requeue_pending |= 1u << q;
	if (eventfd_write(h->requeue_fd, 1) < 0)
		abort();
}

/* The device polls queue q's kicks itself from now on. */
static int vh_take_kicks(struct virtio_dev *d, unsigned q)
{
	struct vh *h = vh_of(d);

	if (q >= VIRTIO_MAX_QUEUES || h->kicks_taken & 1u << q)
		return -1;
	h->kick_fd[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (h->kick_fd[q] < 0)
		return -1;
	h->kicks_taken |= 1u << q;
	return h->kick_fd[q];
}

static void vh_on_requeue(struct loop_source *src, uint32_t events)
{
	struct vh *h = src->opaque;
	unsigned pending = h->requeue_pending, q;
	eventfd_t n;

	(void)events;
	eventfd_read(h->requeue_fd, &n);
	h->requeue_pending = 0;
	for (q = 0; q < VIRTIO_MAX_QUEUES && h->dev; q++)
		if (pending & 1u << q) {
			pthread_mutex_lock(&h->dev->lock);
			h->dev->ops->notify(h->dev, q);
			pthread_mutex_unlock(&h->dev->lock);
		}
}

/* Descriptors walked on every queue of the attached device so far. */
static inline uint64_t vh_walked(const struct vh *h)
{
	uint64_t n = 0;

	for (unsigned q = 0; h->dev && q < h->dev->nqueues; q++)
		n += h->dev->vqs[q].walked;
	return n;
}

/* Note what one callback walked, from the count before it. */
static inline void vh_note_walk(struct vh *h, uint64_t before)
{
	uint64_t n = vh_walked(h) - before;

	if (n > h->max_walk)
		h->max_walk = n;
}

static const struct virtio_transport_ops vh_transport = {
	.interrupt = vh_interrupt,
	.config_changed = vh_config_changed,
	.failed = vh_failed,
	.requeue = vh_requeue,
	.take_kicks = vh_take_kicks,
};

/* Give up on a harness misuse (not a device bug): the test or fuzzer itself is wrong. */
static inline void vh_die(const char *what)
{
	fprintf(stderr, "virtio harness: %s\n", what);
	abort();
}

/* Zeroed guest RAM of ram_size bytes (at least 128 KiB) and an event loop; 0 or -1. */
static inline int vh_init(struct vh *h, uint64_t ram_size)
{
	struct berth_error err;

	*h = (struct vh){ .ram_size = ram_size, .brk = VH_BUFS };
	if (ram_size < 2 * VH_BUFS)
		vh_die("guest RAM too small");
	h->ram = aligned_alloc(4096, ram_size);
	if (!h->ram)
		return -1;
	memset(h->ram, 0, ram_size);
	gm_init_from(&h->gm, h->ram, ram_size);
	if (loop_init(&h->loop, &err)) {
		free(h->ram);
		return -1;
	}
	h->requeue_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	h->requeue_src = (struct loop_source){ h->requeue_fd, vh_on_requeue, h };
	if (h->requeue_fd < 0 || loop_add(&h->loop, &h->requeue_src, &err))
		vh_die("cannot set up the requeue eventfd");
	return 0;
}

/* Become d's transport; vh_destroy() destroys d from then on. */
static inline void vh_attach(struct vh *h, struct virtio_dev *d)
{
	h->dev = d;
	d->transport = &vh_transport;
	d->transport_ctx = h;
}

/* Host pointer to guest-physical gpa (which must be in RAM). */
static inline void *vh_host(struct vh *h, uint64_t gpa)
{
	if (gpa >= h->ram_size)
		vh_die("address outside guest RAM");
	return h->ram + gpa;
}

/* len bytes of guest RAM for buffers, 16-byte aligned and zeroed; its guest-physical address. */
static inline uint64_t vh_alloc(struct vh *h, uint64_t len)
{
	uint64_t gpa = (h->brk + 15) & ~15ULL;

	if (len > h->ram_size || gpa > h->ram_size - len)
		vh_die("out of guest RAM");
	h->brk = gpa + len;
	memset(h->ram + gpa, 0, len);
	return gpa;
}

/* Forget all buffers vh_alloc handed out. */
static inline void vh_free_all(struct vh *h)
{
	h->brk = VH_BUFS;
}

/* Read device config space (under d->lock, as the transport does). */
static inline void vh_config_read(struct vh *h, uint32_t off, void *buf, uint32_t len)
{
	if (off > h->dev->config_len || len > h->dev->config_len - off)
		vh_die("config read outside config space");
	pthread_mutex_lock(&h->dev->lock);
	h->dev->ops->config_read(h->dev, off, buf, len);
	pthread_mutex_unlock(&h->dev->lock);
}

/* As the driver: accept d->features & accept, set up every queue with qsize entries over
 * fresh (zeroed) rings, and set DRIVER_OK (ops->start). 0, or -1 if setup or start failed. */
static inline int vh_start(struct vh *h, uint16_t qsize, uint64_t accept)
{
	struct virtio_dev *d = h->dev;
	struct berth_error err;
	unsigned i;
	int r;

	if (qsize > VH_QSIZE_MAX)
		vh_die("queue too large for the harness");
	d->negotiated = d->features & accept;
	for (i = 0; i < d->nqueues; i++) {
		struct vh_queue *q = &h->q[i];
		uint64_t base = VH_RINGS + i * VH_RING_STRIDE;

		*q = (struct vh_queue){ qsize, base, base + 0x1000, base + 0x2000, 0 };
		memset(h->ram + base, 0, VH_RING_STRIDE);
		h->interrupts[i] = 0;
		if (virtq_init(&d->vqs[i], &h->gm, qsize, q->desc, q->avail, q->used, d->negotiated,
			       &err)) {
			fprintf(stderr, "virtio harness: %s\n", err.msg);
			return -1;
		}
		d->vq_enabled[i] = true;
	}
	pthread_mutex_lock(&d->lock);
	r = d->ops->start(d);
	pthread_mutex_unlock(&d->lock);
	return r;
}

/* As the driver: reset the device (ops->reset under d->lock). */
static inline void vh_reset(struct vh *h)
{
	unsigned i;

	pthread_mutex_lock(&h->dev->lock);
	h->dev->ops->reset(h->dev);
	h->dev->failed = false;
	pthread_mutex_unlock(&h->dev->lock);
	for (i = 0; i < VIRTIO_MAX_QUEUES; i++)
		h->dev->vq_enabled[i] = false;
}

/* Write descriptor i of the table at guest-physical table (an indirect one, say). */
static inline void vh_put_desc_at(struct vh *h, uint64_t table, uint16_t i, uint64_t addr,
				  uint32_t len, uint16_t flags, uint16_t next)
{
	struct virtq_desc d = { htole64(addr), htole32(len), htole16(flags), htole16(next) };

	memcpy(vh_host(h, table + 16ULL * i), &d, sizeof(d));
}

/* Write descriptor i of queue q's table. */
static inline void vh_put_desc(struct vh *h, unsigned q, uint16_t i, uint64_t addr, uint32_t len,
			       uint16_t flags, uint16_t next)
{
	vh_put_desc_at(h, h->q[q].desc, i, addr, len, flags, next);
}

/* Write bufs[0..n) as one chain of descriptors taken round-robin from queue q's table; the
 * head, not yet offered. The test keeps fewer than the queue size descriptors in flight. */
static inline uint16_t vh_add_chain(struct vh *h, unsigned q, const struct vh_buf *bufs, unsigned n)
{
	struct vh_queue *vq = &h->q[q];
	uint16_t head = vq->next_desc, i;
	unsigned k;

	if (n == 0 || n > vq->size)
		vh_die("a chain needs 1 to queue-size buffers");
	for (k = 0; k < n; k++) {
		i = vq->next_desc;
		vq->next_desc = (uint16_t)((i + 1) % vq->size);
		vh_put_desc(h, q, i, bufs[k].gpa, bufs[k].len,
			    (bufs[k].write ? VIRTQ_DESC_F_WRITE : 0) |
				(k + 1 < n ? VIRTQ_DESC_F_NEXT : 0),
			    k + 1 < n ? vq->next_desc : 0);
	}
	return head;
}

/* Write bufs[0..n) as an indirect table (in RAM from vh_alloc) named by one descriptor of
 * queue q's table; the head, not yet offered. Needs VIRTQ_F_INDIRECT_DESC negotiated. */
static inline uint16_t vh_add_indirect(struct vh *h, unsigned q, const struct vh_buf *bufs,
				       unsigned n)
{
	struct vh_queue *vq = &h->q[q];
	uint64_t table = vh_alloc(h, 16ULL * n);
	uint16_t head = vq->next_desc;
	unsigned k;

	if (n == 0 || n > VIRTQ_MAX_SIZE)
		vh_die("an indirect table needs 1 to 32768 buffers");
	for (k = 0; k < n; k++)
		vh_put_desc_at(h, table, (uint16_t)k, bufs[k].gpa, bufs[k].len,
			       (bufs[k].write ? VIRTQ_DESC_F_WRITE : 0) |
				   (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0),
			       (uint16_t)(k + 1 < n ? k + 1 : 0));
	vq->next_desc = (uint16_t)((head + 1) % vq->size);
	vh_put_desc(h, q, head, table, (uint32_t)(16 * n), VIRTQ_DESC_F_INDIRECT, 0);
	return head;
}

static inline struct virtq_avail *vh_avail(struct vh *h, unsigned q)
{
	return vh_host(h, h->q[q].avail);
}

static inline struct virtq_used *vh_used(struct vh *h, unsigned q)
{
	return vh_host(h, h->q[q].used);
}

/* Make the chain at head available on queue q (without notifying the device). */
static inline void vh_offer(struct vh *h, unsigned q, uint16_t head)
{
	struct virtq_avail *a = vh_avail(h, q);
	uint16_t idx = le16toh(a->idx);

	a->ring[idx % h->q[q].size] = htole16(head);
	__atomic_store_n(&a->idx, htole16((uint16_t)(idx + 1)), __ATOMIC_RELEASE);
}

/* Notify the device about queue q, as its ioeventfd would (ops->notify under d->lock, or the
 * eventfd of a queue whose kicks the device took). */
static inline void vh_kick(struct vh *h, unsigned q)
{
	uint64_t before = vh_walked(h);

	if (h->kicks_taken & 1u << q) {
		if (eventfd_write(h->kick_fd[q], 1) < 0)
			abort();
		return;
	}
	pthread_mutex_lock(&h->dev->lock);
	h->dev->ops->notify(h->dev, q);
	pthread_mutex_unlock(&h->dev->lock);
	vh_note_walk(h, before);
}

/* vh_add_chain, vh_offer and vh_kick in one; the head. */
static inline uint16_t vh_submit(struct vh *h, unsigned q, const struct vh_buf *bufs, unsigned n)
{
	uint16_t head = vh_add_chain(h, q, bufs, n);

	vh_offer(h, q, head);
	vh_kick(h, q);
	return head;
}

/* How many chains the device has given back on queue q (used->idx, free-running). */
static inline uint16_t vh_used_idx(struct vh *h, unsigned q)
{
	return le16toh(__atomic_load_n(&vh_used(h, q)->idx, __ATOMIC_ACQUIRE));
}

/* The n-th chain given back on queue q (n free-running), in host byte order. */
static inline struct virtq_used_elem vh_used_elem(struct vh *h, unsigned q, uint16_t n)
{
	struct virtq_used_elem e = vh_used(h, q)->ring[n % h->q[q].size];

	return (struct virtq_used_elem){ le32toh(e.id), le32toh(e.len) };
}

/* One round of the event loop: wait up to timeout_ms for the device's sources and run their
 * callbacks. The number of sources that fired, 0 on timeout or a signal, -1 if epoll failed. */
static inline int vh_run(struct vh *h, int timeout_ms)
{
	struct epoll_event ev[16];
	int i, n;

	n = epoll_wait(h->loop.epfd, ev, 16, timeout_ms);
	if (n < 0 && errno == EINTR)
		return 0;
	for (i = 0; i < n; i++) {
		struct loop_source *src = ev[i].data.ptr;
		uint64_t before = vh_walked(h);

		src->fn(src, ev[i].events);
		vh_note_walk(h, before);
	}
	return n;
}

static inline int64_t vh_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Run the loop until queue q's used->idx reaches n; 0, or -1 after timeout_ms. */
static inline int vh_run_until_used(struct vh *h, unsigned q, uint16_t n, int timeout_ms)
{
	int64_t end = vh_now_ms() + timeout_ms;

	while (vh_used_idx(h, q) != n) {
		int64_t left = end - vh_now_ms();

		if (left <= 0 || vh_run(h, (int)left) < 0)
			return -1;
	}
	return 0;
}

/* Run the loop until the device holds no chain of queue q (all popped ones pushed back) and
 * has not yielded it with work left, or the queue is broken; 0, or -1 after timeout_ms. */
static inline int vh_run_until_idle(struct vh *h, unsigned q, int timeout_ms)
{
	int64_t end = vh_now_ms() + timeout_ms;

	while ((h->dev->vqs[q].inflight || h->requeue_pending & 1u << q) &&
	       !h->dev->vqs[q].broken) {
		int64_t left = end - vh_now_ms();

		if (left <= 0 || vh_run(h, (int)left) < 0)
			return -1;
	}
	return 0;
}

/* Destroy the attached device (if any), the loop and guest RAM. */
static inline void vh_destroy(struct vh *h)
{
	if (h->dev)
		h->dev->ops->destroy(h->dev);
	for (unsigned q = 0; q < VIRTIO_MAX_QUEUES; q++)
		if (h->kicks_taken & 1u << q)
			close(h->kick_fd[q]);
	loop_del(&h->loop, &h->requeue_src);
	close(h->requeue_fd);
	loop_destroy(&h->loop);
	free(h->ram);
	*h = (struct vh){ 0 };
}

#endif
