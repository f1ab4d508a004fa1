/* blk.c - the virtio-blk device: its config space, its request queue, and its I/O.
 *
 * Requests are popped on the event loop (notify), checked by vblk_parse(), and carried out
 * with io_uring: each takes one slot of a fixed pool and has at most one operation in the
 * ring at a time, so the ring never runs out of entries. A request of several steps (a
 * short read's rest, the next discard range, a write-zeroes fallback, the fdatasync that
 * ends a write in writethrough mode) issues its next step from its completion. When every
 * slot is busy, chains wait in the available ring until completions free one.
 *
 * Completions arrive through an eventfd registered with the ring, a source on the loop,
 * whose callback takes d->lock. reset (a vCPU thread, d->lock held) stops new work and
 * waits in the ring for everything in flight, since it may still write guest memory. */
#include "blk.h"

#include <errno.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common/ratelog.h"

#include "vmm/io_limit.h"
#include "vmm/virtio/blk_disk.h"
#include "vmm/virtio/blk_request.h"

#define VBLK_QUEUE_MAX 256 /* largest queue the driver may set up */
#define VBLK_SLOTS     128 /* requests carried out at once; also the io_uring's size */
#define VBLK_ALIGN     8   /* discard granularity we ask for, in sectors (a 4 KiB block) */
#define VBLK_ZEROES    (64u << 10)

/* How a write-zeroes range is being done; each falls back to the next if unsupported. */
enum vblk_zero_mode { VBLK_ZERO_PUNCH, VBLK_ZERO_RANGE, VBLK_ZERO_WRITE };

struct vblk_slot {
	struct vblk_req req;
	unsigned cur;		  /* IN/OUT: first unfinished iovec; DISCARD/WZ: current range */
	uint64_t done;		  /* bytes of the data, or of the current range, done */
	enum vblk_zero_mode zero; /* WRITE_ZEROES: how the current range is being zeroed */
	unsigned epoch;		  /* the device's epoch when the request was taken */
};

struct vblk {
	struct virtio_dev dev;
	char name[32];
	int fd;
	bool readonly;
	uint64_t capacity; /* sectors */
	char serial[VIRTIO_BLK_ID_BYTES];
	struct virtio_blk_config config;
	bool started;	   /* between start and reset: completions may touch the queue */
	unsigned epoch;	   /* resets so far: a request from an earlier epoch is stale */
	bool writethrough; /* FLUSH not negotiated: every write ends with fdatasync */
	struct io_uring ring;
	bool ring_ready;
	int efd; /* the ring's completion eventfd */
	struct loop_source src;
	bool src_added;
	struct io_limit limit; /* iops=, bps=: checked before each request is popped */
	unsigned nfree;
	uint16_t free[VBLK_SLOTS];
	struct vblk_slot slots[VBLK_SLOTS];
	struct virtq_chain chain; /* where chains are popped into */
};

static const uint8_t vblk_zeroes[VBLK_ZEROES];

static struct vblk *vblk_of(struct virtio_dev *d)
{
	return (struct vblk *)d;
}

static void vblk_put_slot(struct vblk *b, struct vblk_slot *s)
{
	b->free[b->nfree++] = (uint16_t)(s - b->slots);
}

/* Report status for s's request, give its chain back and free the slot. */
static void vblk_finish(struct vblk *b, struct vblk_slot *s, uint8_t status)
{
	struct vblk_req *r = &s->req;

	if (r->status)
		*r->status = status;
	/* virtq_push reads only the head and writable length from the chain. */
	b->chain.head = r->head;
	b->chain.in_len = r->written;
	virtq_push(&b->dev.vqs[0], &b->chain, r->written); /* fails only on a broken queue */
	vblk_put_slot(b, s);
}

/* Put the current step of s's request into the ring (submitted later, in one go). */
static void vblk_issue(struct vblk *b, struct vblk_slot *s)
{
	/* Never NULL: each busy slot has at most one entry, and the ring has one per slot. */
	struct io_uring_sqe *sqe = io_uring_get_sqe(&b->ring);
	struct vblk_req *r = &s->req;
	const struct vblk_range *g;
	uint64_t left;

	switch (r->type) {
	case VIRTIO_BLK_T_IN:
		io_uring_prep_readv(sqe, b->fd, r->iov + s->cur, r->niov - s->cur,
				    r->off + s->done);
		break;
	case VIRTIO_BLK_T_OUT:
		io_uring_prep_writev(sqe, b->fd, r->iov + s->cur, r->niov - s->cur,
				     r->off + s->done);
		break;
	case VIRTIO_BLK_T_FLUSH:
		io_uring_prep_fsync(sqe, b->fd, IORING_FSYNC_DATASYNC);
		break;
	case VIRTIO_BLK_T_DISCARD:
		g = &r->ranges[s->cur];
		io_uring_prep_fallocate(sqe, b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
					g->off, g->len);
		break;
	default: /* VIRTIO_BLK_T_WRITE_ZEROES */
		g = &r->ranges[s->cur];
		left = g->len - s->done;
		if (s->zero == VBLK_ZERO_WRITE)
			io_uring_prep_write(sqe, b->fd, vblk_zeroes,
					    left < VBLK_ZEROES ? left : VBLK_ZEROES,
					    g->off + s->done);
		else
			io_uring_prep_fallocate(sqe, b->fd,
						(s->zero == VBLK_ZERO_PUNCH
						     ? FALLOC_FL_PUNCH_HOLE
						     : FALLOC_FL_ZERO_RANGE) |
						    FALLOC_FL_KEEP_SIZE,
						g->off, g->len);
	}
	io_uring_sqe_set_data(sqe, s);
}

/* A write, discard or write zeroes is done; in writethrough mode it still has to reach
 * stable storage. */
static void vblk_written(struct vblk *b, struct vblk_slot *s)
{
	if (b->writethrough) {
		s->req.type = VIRTIO_BLK_T_FLUSH;
		vblk_issue(b, s);
	} else {
		vblk_finish(b, s, VIRTIO_BLK_S_OK);
	}
}

/* Start on range s->cur of a DISCARD or WRITE_ZEROES request, or end it after the last. */
static void vblk_next_range(struct vblk *b, struct vblk_slot *s)
{
	if (s->cur == s->req.nranges) {
		vblk_written(b, s);
		return;
	}
	s->done = 0;
	s->zero = s->req.ranges[s->cur].unmap ? VBLK_ZERO_PUNCH : VBLK_ZERO_RANGE;
	vblk_issue(b, s);
}

/* Skip n more bytes of s's data, done by a (possibly short) read or write. */
static void vblk_advance(struct vblk_slot *s, uint64_t n)
{
	struct iovec *iov = s->req.iov;

	s->done += n;
	while (n && s->cur < s->req.niov && n >= iov[s->cur].iov_len)
		n -= iov[s->cur++].iov_len;
	if (n && s->cur < s->req.niov) {
		iov[s->cur].iov_base = (uint8_t *)iov[s->cur].iov_base + n;
		iov[s->cur].iov_len -= n;
	}
}

/* GET_ID: the serial, zero-padded, into as much of the 20 bytes as the driver gave room for. */
static void vblk_get_id(struct vblk *b, struct vblk_slot *s)
{
	const char *id = b->serial;
	unsigned i;

	for (i = 0; i < s->req.niov; i++) {
		memcpy(s->req.iov[i].iov_base, id, s->req.iov[i].iov_len);
		id += s->req.iov[i].iov_len;
	}
	vblk_finish(b, s, VIRTIO_BLK_S_OK);
}

/* Begin carrying out a valid request. */
static void vblk_begin(struct vblk *b, struct vblk_slot *s)
{
	s->cur = 0;
	s->done = 0;
	if (s->req.type == VIRTIO_BLK_T_GET_ID)
		vblk_get_id(b, s);
	else if (s->req.type == VIRTIO_BLK_T_DISCARD || s->req.type == VIRTIO_BLK_T_WRITE_ZEROES)
		vblk_next_range(b, s);
	else if (s->req.type != VIRTIO_BLK_T_FLUSH && s->req.len == 0)
		vblk_finish(b, s, VIRTIO_BLK_S_OK); /* IN or OUT of nothing */
	else
		vblk_issue(b, s);
}

/* Take the chain just popped into b->chain as a request. */
static void vblk_accept(struct vblk *b)
{
	struct vblk_slot *s = &b->slots[b->free[--b->nfree]];
	int st = vblk_parse(&s->req, &b->chain, b->capacity, b->readonly);

	/* every request counts, a refused one too: the guest chose to send it */
	io_limit_charge(&b->limit, 1, st == VBLK_EXECUTE ? s->req.len : 0);
	s->epoch = b->epoch;
	if (st == VBLK_EXECUTE)
		vblk_begin(b, s);
	else
		vblk_finish(b, s, (uint8_t)st); /* VBLK_NO_STATUS: nothing written, len 0 */
}

/* An operation failed (res < 0) or a read or write hit the end of the file (res == 0). */
static void vblk_io_error(struct vblk *b, struct vblk_slot *s, int res)
{
	/* One per request: as many as the guest sends. */
	static struct ratelog rl = RATELOG_INIT;

	ratelog_printf(&rl, stderr, "berth-vmm: %s: I/O error on request type %u: %s", b->name,
		       s->req.type,
		       res < 0 ? strerror(-res) : "the disk ended early (did it shrink?)");
	vblk_finish(b, s, VIRTIO_BLK_S_IOERR);
}

/* A read or write moved res bytes: on to the rest, or done. */
static void vblk_rw_done(struct vblk *b, struct vblk_slot *s, int res)
{
	if (res <= 0) {
		vblk_io_error(b, s, res);
		return;
	}
	vblk_advance(s, (uint64_t)res);
	if (s->done < s->req.len)
		vblk_issue(b, s);
	else if (s->req.type == VIRTIO_BLK_T_OUT)
		vblk_written(b, s);
	else
		vblk_finish(b, s, VIRTIO_BLK_S_OK);
}

/* A write-zeroes step ended with res: fall back if it was unsupported, else go on. */
static void vblk_zero_done(struct vblk *b, struct vblk_slot *s, int res)
{
	if (res == -EOPNOTSUPP && s->zero != VBLK_ZERO_WRITE) {
		s->zero++;
		vblk_issue(b, s);
		return;
	}
	if (res < 0 || (res == 0 && s->zero == VBLK_ZERO_WRITE)) {
		vblk_io_error(b, s, res);
		return;
	}
	if (s->zero == VBLK_ZERO_WRITE) {
		s->done += (uint64_t)res;
		if (s->done < s->req.ranges[s->cur].len) {
			vblk_issue(b, s);
			return;
		}
	}
	s->cur++;
	vblk_next_range(b, s);
}

/* The ring's operation for s ended with res (bytes, or -errno). */
static void vblk_complete(struct vblk *b, struct vblk_slot *s, int res)
{
	if (!b->started || s->epoch != b->epoch) { /* reset: forgotten with the queue */
		vblk_put_slot(b, s);
		return;
	}
	switch (s->req.type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		vblk_rw_done(b, s, res);
		break;
	case VIRTIO_BLK_T_FLUSH:
		if (res < 0)
			vblk_io_error(b, s, res);
		else
			vblk_finish(b, s, VIRTIO_BLK_S_OK);
		break;
	case VIRTIO_BLK_T_DISCARD:
		/* A hint: where holes cannot be punched, it is ignored. */
		if (res < 0 && res != -EOPNOTSUPP) {
			vblk_io_error(b, s, res);
			break;
		}
		s->cur++;
		vblk_next_range(b, s);
		break;
	default: /* VIRTIO_BLK_T_WRITE_ZEROES */
		vblk_zero_done(b, s, res);
	}
}

/* Handle every completion in the ring. */
static void vblk_reap(struct vblk *b)
{
	struct io_uring_cqe *cqe;
	unsigned head, n = 0;

	io_uring_for_each_cqe(&b->ring, head, cqe)
	{
		vblk_complete(b, io_uring_cqe_get_data(cqe), cqe->res);
		n++;
	}
	io_uring_cq_advance(&b->ring, n);
}

static void vblk_submit(struct vblk *b)
{
	static struct ratelog rl = RATELOG_INIT;
	int r = io_uring_submit(&b->ring);

	/* What is left in the ring goes with the next submit. */
	if (r < 0)
		ratelog_printf(&rl, stderr, "berth-vmm: %s: cannot submit disk I/O: %s", b->name,
			       strerror(-r));
}

/* Pop and start requests while slots, the turn's budget and the disk's limits last, then
 * submit and interrupt the driver. Requests that end at once (a read of nothing) free their
 * slot at once, so without the budget a driver refilling its queue would keep us here for
 * ever. */
static void vblk_process(struct vblk *b)
{
	struct virtq *q = &b->dev.vqs[0];
	struct virtio_budget budget = virtio_budget(q);
	bool limited = false;
	int r = 0;

	while (!q->broken) {
		virtq_disable_notify(q);
		while (b->nfree && !(limited = !io_limit_ready(&b->limit)) &&
		       virtio_budget_take(&budget, q) && (r = virtq_pop(q, &b->chain)) == 1)
			vblk_accept(b);
		if (r < 0) {
			virtio_fail(&b->dev, q->broken);
			break;
		}
		/* With every slot busy, notifications stay off: completions bring us back. */
		if (!b->nfree)
			break;
		/* Over a limit: the rest waits in the ring, notifications off, for the timer. */
		if (limited)
			break;
		/* Spent: notifications stay off too, and the loop calls us again after the rest. */
		if (virtio_budget_spent(&budget, q)) {
			virtio_requeue(&b->dev, 0);
			break;
		}
		if (!virtq_enable_notify(q))
			break;
	}
	vblk_submit(b);
	virtio_signal(&b->dev, 0);
}

/* Wait for every operation in flight; the device must be stopped (started false). */
static void vblk_drain(struct vblk *b)
{
	struct io_uring_cqe *cqe;
	int r;

	while (b->nfree < VBLK_SLOTS) {
		/* Submits too: an entry left behind by a failed submit would never complete. */
		r = io_uring_submit_and_wait(&b->ring, 1);
		if (r >= 0)
			r = io_uring_peek_cqe(&b->ring, &cqe);
		if (r == -EINTR || r == -EAGAIN)
			continue;
		if (r < 0) { /* what is left completes later, as stale */
			fprintf(stderr, "%s: cannot wait for disk I/O: %s\n", b->name,
				strerror(-r));
			return;
		}
		vblk_complete(b, io_uring_cqe_get_data(cqe), cqe->res);
		io_uring_cqe_seen(&b->ring, cqe);
	}
}

static void vblk_on_completions(struct loop_source *src, uint32_t events)
{
	struct vblk *b = src->opaque;
	eventfd_t n;

	(void)events;
	eventfd_read(b->efd, &n); /* only clears it: the ring says what completed */
	pthread_mutex_lock(&b->dev.lock);
	vblk_reap(b);
	if (b->started && !b->dev.failed)
		vblk_process(b);
	pthread_mutex_unlock(&b->dev.lock);
}

/* The disk's limits have tokens again. */
static void vblk_resume(void *opaque)
{
	struct vblk *b = opaque;

	pthread_mutex_lock(&b->dev.lock);
	if (b->started && !b->dev.failed)
		vblk_process(b);
	pthread_mutex_unlock(&b->dev.lock);
}

static void vblk_config_read(struct virtio_dev *d, uint32_t off, uint8_t *buf, uint32_t len)
{
	memcpy(buf, (const uint8_t *)&vblk_of(d)->config + off, len);
}

static int vblk_start(struct virtio_dev *d)
{
	struct vblk *b = vblk_of(d);

	static struct ratelog rl = RATELOG_INIT; /* as often as the driver sets DRIVER_OK */

	if (!d->vq_enabled[0]) {
		ratelog_printf(&rl, stderr,
			       "berth-vmm: %s: the driver did not enable the request queue",
			       b->name);
		return -1;
	}
	b->writethrough = !virtio_has(d, VIRTIO_BLK_F_FLUSH);
	b->started = true;
	return 0;
}

static void vblk_notify(struct virtio_dev *d, unsigned q)
{
	struct vblk *b = vblk_of(d);

	if (q == 0 && b->started)
		vblk_process(b);
}

static void vblk_reset(struct virtio_dev *d)
{
	struct vblk *b = vblk_of(d);

	b->started = false;
	b->epoch++;
	vblk_drain(b);
}

int virtio_blk_grow(struct virtio_dev *d, uint64_t *old, uint64_t *now, struct berth_error *err)
{
	struct vblk *b = vblk_of(d);
	int r = -1;

	pthread_mutex_lock(&d->lock);
	*old = b->capacity * VBLK_SECTOR;
	if (vblk_disk_size(b->fd, b->name, now, err))
		goto out;
	if (*now % VBLK_SECTOR) {
		berr(err, 0,
		     "%s is now %llu bytes, not a whole number of 512-byte sectors; "
		     "the guest still sees %llu bytes",
		     b->name, (unsigned long long)*now, (unsigned long long)*old);
		goto out;
	}
	if (*now < *old) {
		berr(err, 0,
		     "%s shrank to %llu bytes; a disk can only grow (the guest still sees %llu "
		     "bytes)",
		     b->name, (unsigned long long)*now, (unsigned long long)*old);
		goto out;
	}
	r = 0;
	if (*now == *old)
		goto out;
	/* Requests are checked against b->capacity under this lock: from here on the new
	 * sectors are in bounds, and the driver learns of them by the interrupt. */
	b->capacity = *now / VBLK_SECTOR;
	b->config.capacity = htole64(b->capacity);
	virtio_config_changed(d);
out:
	pthread_mutex_unlock(&d->lock);
	return r;
}

/* Release what create took; b may be partly set up. */
static void vblk_free(struct vblk *b)
{
	io_limit_destroy(&b->limit);
	if (b->src_added)
		loop_del(b->dev.loop, &b->src);
	if (b->ring_ready)
		io_uring_queue_exit(&b->ring);
	if (b->efd >= 0)
		close(b->efd);
	if (b->fd >= 0)
		close(b->fd);
	pthread_mutex_destroy(&b->dev.lock);
	free(b);
}

static void vblk_destroy(struct virtio_dev *d)
{
	struct vblk *b = vblk_of(d);

	pthread_mutex_lock(&d->lock);
	vblk_reset(d);
	pthread_mutex_unlock(&d->lock);
	vblk_free(b);
}

static const struct virtio_dev_ops vblk_ops = {
	.config_read = vblk_config_read,
	.start = vblk_start,
	.notify = vblk_notify,
	.reset = vblk_reset,
	.destroy = vblk_destroy,
};

/* The config space (5.2.4), little-endian; discard and write zeroes only if writable. */
static void vblk_fill_config(struct vblk *b)
{
	struct virtio_blk_config *c = &b->config;

	c->capacity = htole64(b->capacity);
	c->seg_max = htole32(VBLK_SEG_MAX);
	c->blk_size = htole32(VBLK_SECTOR);
	if (b->readonly)
		return;
	c->max_discard_sectors = htole32(VBLK_RANGE_SECTORS_MAX);
	c->max_discard_seg = htole32(VBLK_RANGES_MAX);
	c->discard_sector_alignment = htole32(VBLK_ALIGN);
	c->max_write_zeroes_sectors = htole32(VBLK_RANGE_SECTORS_MAX);
	c->max_write_zeroes_seg = htole32(VBLK_RANGES_MAX);
	c->write_zeroes_may_unmap = 1;
}

static uint64_t vblk_features(bool readonly)
{
	uint64_t f = 1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTQ_F_EVENT_IDX |
		     1ULL << VIRTQ_F_INDIRECT_DESC | 1ULL << VIRTIO_BLK_F_SEG_MAX |
		     1ULL << VIRTIO_BLK_F_BLK_SIZE | 1ULL << VIRTIO_BLK_F_FLUSH;

	if (readonly)
		return f | 1ULL << VIRTIO_BLK_F_RO;
	return f | 1ULL << VIRTIO_BLK_F_DISCARD | 1ULL << VIRTIO_BLK_F_WRITE_ZEROES;
}

/* The ring, and its completion eventfd as a source on the loop. */
static int vblk_setup_ring(struct vblk *b, const char *path, struct berth_error *err)
{
	/* SUBMIT_ALL: one request failing at submission must not hold back the others. */
	int r = io_uring_queue_init(VBLK_SLOTS, &b->ring, IORING_SETUP_SUBMIT_ALL);

	if (r < 0)
		return berr(err, -r,
			    "cannot set up io_uring for disk %s (it needs Linux 5.18 or later, "
			    "not disabled by the sysctl kernel.io_uring_disabled)",
			    path);
	b->ring_ready = true;
	b->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (b->efd < 0)
		return berr(err, errno, "cannot create an eventfd for disk %s", path);
	r = io_uring_register_eventfd(&b->ring, b->efd);
	if (r < 0)
		return berr(err, -r, "cannot register an eventfd with io_uring for disk %s", path);
	b->src = (struct loop_source){ b->efd, vblk_on_completions, b };
	if (loop_add(b->dev.loop, &b->src, err))
		return -1;
	b->src_added = true;
	return 0;
}

int virtio_blk_create(struct virtio_dev **out, const struct disk_config *cfg, unsigned index,
		      const struct guest_mem *gm, struct loop *loop, struct berth_error *err)
{
	struct vblk *b = calloc(1, sizeof(*b));
	uint64_t bytes;
	unsigned i;

	if (!b)
		return berr(err, ENOMEM, "cannot allocate virtio-blk for disk %s", cfg->path);
	pthread_mutex_init(&b->dev.lock, NULL);
	b->fd = b->efd = b->limit.tfd = -1;
	b->dev.loop = loop;
	if (vblk_disk_open(cfg, &b->fd, &bytes, err) || vblk_setup_ring(b, cfg->path, err) ||
	    io_limit_init(&b->limit, &cfg->limit, loop, vblk_resume, b, err)) {
		vblk_free(b);
		return -1;
	}
	snprintf(b->name, sizeof(b->name), "virtio-blk %u", index);
	b->readonly = cfg->readonly;
	b->capacity = bytes / VBLK_SECTOR;
	/* Zero-padded (b is zeroed), not NUL-terminated when 20 bytes long. */
	memcpy(b->serial, cfg->serial, strnlen(cfg->serial, sizeof(b->serial)));
	vblk_fill_config(b);
	for (i = 0; i < VBLK_SLOTS; i++)
		vblk_put_slot(b, &b->slots[i]);
	b->dev.ops = &vblk_ops;
	b->dev.name = b->name;
	b->dev.device_id = VIRTIO_ID_BLK;
	b->dev.features = vblk_features(cfg->readonly);
	b->dev.nqueues = 1;
	b->dev.queue_max = VBLK_QUEUE_MAX;
	b->dev.config_len = offsetof(struct virtio_blk_config, max_secure_erase_sectors);
	b->dev.gm = gm;
	*out = &b->dev;
	return 0;
}
