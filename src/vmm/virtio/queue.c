/* queue.c - split virtqueue, device side: pop chains the driver made available, push them
 * back on the used ring, and decide about notifications in both directions.
 *
 * Ordering: avail->idx is read with acquire before the ring entries it covers; used ring
 * entries are written before used->idx is published with release; a full fence separates
 * our last write from reading the driver's suppression fields (and vice versa in the
 * driver), so that neither side can miss the other's update. */
#include "queue.h"

#include <endian.h>
#include <string.h>

/* Where a chain's descriptors currently come from: the queue's table or an indirect one. */
struct virtq_table {
	const uint8_t *host;
	uint32_t entries;
	bool indirect;
};

static int virtq_check_ring(const struct guest_mem *gm, const char *what, uint64_t gpa,
			    uint64_t len, unsigned align, void **host, struct berth_error *err)
{
	if (gpa % align)
		return berr(err, 0, "virtqueue %s at 0x%llx is not %u-byte aligned", what,
			    (unsigned long long)gpa, align);
	*host = gm_ptr(gm, gpa, len);
	if (!*host)
		return berr(err, 0, "virtqueue %s at 0x%llx (%llu bytes) is not in guest RAM", what,
			    (unsigned long long)gpa, (unsigned long long)len);
	/* Atomic accesses need the host address aligned too; RAM is page-aligned in practice. */
	if ((uintptr_t)*host % align)
		return berr(err, 0, "virtqueue %s at 0x%llx is misaligned in host memory", what,
			    (unsigned long long)gpa);
	return 0;
}

int virtq_init(struct virtq *q, const struct guest_mem *gm, uint16_t size, uint64_t desc,
	       uint64_t avail, uint64_t used, uint64_t features, struct berth_error *err)
{
	void *d, *a, *u;

	/* A queue that failed to set up refuses everything. */
	*q = (struct virtq){ .broken = "not set up" };
	if (size == 0 || size > VIRTQ_MAX_SIZE || (size & (size - 1)))
		return berr(err, 0, "virtqueue size %u is not a power of two up to %u", size,
			    VIRTQ_MAX_SIZE);
	if (virtq_check_ring(gm, "descriptor table", desc, VIRTQ_DESC_BYTES(size), VIRTQ_DESC_ALIGN,
			     &d, err) ||
	    virtq_check_ring(gm, "available ring", avail, VIRTQ_AVAIL_BYTES(size),
			     VIRTQ_AVAIL_ALIGN, &a, err) ||
	    virtq_check_ring(gm, "used ring", used, VIRTQ_USED_BYTES(size), VIRTQ_USED_ALIGN, &u,
			     err))
		return -1;
	*q = (struct virtq){
		.gm = gm,
		.size = size,
		.desc_host = d,
		.avail_host = a,
		.used_host = u,
		.event_idx = features & (1ULL << VIRTQ_F_EVENT_IDX),
		.indirect = features & (1ULL << VIRTQ_F_INDIRECT_DESC),
	};
	return 0;
}

static int virtq_break(struct virtq *q, const char *why)
{
	q->broken = why;
	return -1;
}

static uint16_t virtq_load16(const uint16_t *p, int order)
{
	return le16toh(__atomic_load_n(p, order));
}

static void virtq_store16(uint16_t *p, uint16_t v, int order)
{
	__atomic_store_n(p, htole16(v), order);
}

/* The driver's used_event: after avail->ring[size]. */
static uint16_t *virtq_used_event(struct virtq *q)
{
	return &q->avail_host->ring[q->size];
}

/* Our avail_event: after used->ring[size]. */
static uint16_t *virtq_avail_event(struct virtq *q)
{
	return (uint16_t *)&q->used_host->ring[q->size];
}

/* Copy descriptor i of t out of guest memory. The compiler barrier stops the compiler from
 * reading guest memory again in place of the copy, so what we check is what we use. */
static void virtq_copy_desc(const struct virtq_table *t, uint32_t i, struct virtq_desc *d)
{
	memcpy(d, t->host + (uint64_t)i * sizeof(*d), sizeof(*d));
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	d->addr = le64toh(d->addr);
	d->len = le32toh(d->len);
	d->flags = le16toh(d->flags);
	d->next = le16toh(d->next);
}

/* Switch t to the indirect table that d describes; an error message if d may not. */
static const char *virtq_enter_indirect(const struct virtq *q, const struct virtq_desc *d,
					struct virtq_table *t)
{
	if (t->indirect)
		return "indirect descriptor inside an indirect table";
	if (!q->indirect)
		return "indirect descriptor without VIRTIO_F_INDIRECT_DESC";
	if (d->flags & VIRTQ_DESC_F_NEXT)
		return "indirect descriptor with NEXT set";
	if (d->len == 0 || d->len % sizeof(*d) || d->len / sizeof(*d) > VIRTQ_MAX_SIZE)
		return "indirect table length not a nonzero multiple of 16 up to 32768 entries";
	t->host = gm_ptr(q->gm, d->addr, d->len);
	if (!t->host)
		return "indirect table not in guest RAM";
	t->entries = d->len / sizeof(*d);
	t->indirect = true;
	return NULL;
}

/* Add the buffer d describes to c; an error message if it may not be. */
static const char *virtq_add_buffer(const struct virtq *q, const struct virtq_desc *d,
				    struct virtq_chain *c)
{
	bool writable = d->flags & VIRTQ_DESC_F_WRITE;
	void *p;

	if (d->len == 0)
		return NULL;
	if (!writable && c->nin)
		return "device-readable buffer after a device-writable one";
	p = gm_ptr(q->gm, d->addr, d->len);
	if (!p)
		return "buffer not in guest RAM";
	if (c->nout + c->nin == VIRTQ_MAX_SEGS)
		return "chain has more than VIRTQ_MAX_SEGS buffers";
	/* Both totals are at most 2^32 here, so neither sum can overflow. */
	if (c->out_len + c->in_len + d->len > (1ULL << 32))
		return "chain longer than 2^32 bytes";
	c->iov[c->nout + c->nin] = (struct iovec){ .iov_base = p, .iov_len = d->len };
	if (writable) {
		c->nin++;
		c->in_len += d->len;
	} else {
		c->nout++;
		c->out_len += d->len;
	}
	return NULL;
}

/* Follow the chain at head into c; an error message if the driver broke a rule. Each table
 * is walked at most its size times, so a loop ends as a violation, never as a hang. */
static const char *virtq_walk(struct virtq *q, uint16_t head, struct virtq_chain *c)
{
	struct virtq_table t = { .host = q->desc_host, .entries = q->size };
	struct virtq_desc d;
	uint32_t i = head, seen = 0;
	const char *why;

	if (head >= q->size)
		return "head index out of range";
	/* Not the whole struct: the iovec array is 16 KiB and filled as far as it is used. */
	c->head = head;
	c->nout = c->nin = 0;
	c->out_len = c->in_len = 0;
	for (;;) {
		if (++seen > t.entries)
			return "descriptor chain longer than its table (a loop)";
		q->walked++;
		virtq_copy_desc(&t, i, &d);
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			why = virtq_enter_indirect(q, &d, &t);
			if (why)
				return why;
			i = 0;
			seen = 0;
			continue;
		}
		why = virtq_add_buffer(q, &d, c);
		if (why || !(d.flags & VIRTQ_DESC_F_NEXT))
			return why;
		i = d.next;
		if (i >= t.entries)
			return "next index out of range";
	}
}

int virtq_pop(struct virtq *q, struct virtq_chain *c)
{
	uint16_t avail_idx, head;
	const char *why;

	if (q->broken)
		return -1;
	avail_idx = virtq_load16(&q->avail_host->idx, __ATOMIC_ACQUIRE);
	if ((uint16_t)(avail_idx - q->last_avail) > q->size)
		return virtq_break(q, "available index more than the queue size ahead");
	if (avail_idx == q->last_avail)
		return 0;
	if (q->inflight == q->size)
		return virtq_break(q, "more chains in flight than the queue has descriptors");
	head = virtq_load16(&q->avail_host->ring[q->last_avail & (q->size - 1)], __ATOMIC_RELAXED);
	why = virtq_walk(q, head, c);
	if (why)
		return virtq_break(q, why);
	q->last_avail++;
	q->inflight++;
	/* With event idx, keep asking to hear of the next chain unless the device opted out. */
	if (q->event_idx && !q->notify_off)
		virtq_store16(virtq_avail_event(q), q->last_avail, __ATOMIC_RELAXED);
	return 1;
}

int virtq_push(struct virtq *q, const struct virtq_chain *c, uint32_t written)
{
	struct virtq_used_elem *e;

	if (q->broken || q->inflight == 0 || c->head >= q->size || written > c->in_len)
		return -1;
	e = &q->used_host->ring[q->used_idx & (q->size - 1)];
	e->id = htole32(c->head);
	e->len = htole32(written);
	q->used_idx++;
	q->inflight--;
	virtq_store16(&q->used_host->idx, q->used_idx, __ATOMIC_RELEASE);
	return 0;
}

/* The spec's vring_need_event(): has new_idx passed event since old? */
static bool virtq_need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

bool virtq_needs_notify(struct virtq *q)
{
	uint16_t old = q->signalled_used;

	/* Our used->idx store must be visible before we read what the driver asked for. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	q->signalled_used = q->used_idx;
	if (q->used_idx == old)
		return false; /* nothing new since the last decision */
	if (q->event_idx)
		return virtq_need_event(virtq_load16(virtq_used_event(q), __ATOMIC_RELAXED),
					q->used_idx, old);
	return !(virtq_load16(&q->avail_host->flags, __ATOMIC_RELAXED) &
		 VIRTQ_AVAIL_F_NO_INTERRUPT);
}

void virtq_disable_notify(struct virtq *q)
{
	q->notify_off = true;
	/* With event idx, avail_event simply stays behind: the driver has passed it already. */
	if (!q->event_idx)
		virtq_store16(&q->used_host->flags, VIRTQ_USED_F_NO_NOTIFY, __ATOMIC_RELAXED);
}

bool virtq_enable_notify(struct virtq *q)
{
	q->notify_off = false;
	if (q->event_idx)
		virtq_store16(virtq_avail_event(q), q->last_avail, __ATOMIC_RELAXED);
	else
		virtq_store16(&q->used_host->flags, 0, __ATOMIC_RELAXED);
	/* Our request must be visible before we look again, or a chain made available just
	 * before it would wait for a notification that never comes. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return virtq_load16(&q->avail_host->idx, __ATOMIC_ACQUIRE) != q->last_avail;
}

size_t virtq_chain_read(const struct virtq_chain *c, size_t off, void *dst, size_t len)
{
	size_t done = 0;
	unsigned i;

	for (i = 0; i < c->nout && done < len; i++) {
		size_t seg = c->iov[i].iov_len, n;

		if (off >= seg) {
			off -= seg;
			continue;
		}
		n = seg - off < len - done ? seg - off : len - done;
		memcpy((uint8_t *)dst + done, (const uint8_t *)c->iov[i].iov_base + off, n);
		done += n;
		off = 0;
	}
	return done;
}

/* Copy between buf and c's writable segments, from their start: into them (to_chain) or
 * out of them; the bytes copied. */
static size_t chain_in_copy(const struct virtq_chain *c, uint8_t *buf, size_t len, bool to_chain)
{
	size_t done = 0;
	unsigned i;

	for (i = c->nout; i < c->nout + c->nin && done < len; i++) {
		size_t n = c->iov[i].iov_len < len - done ? c->iov[i].iov_len : len - done;

		if (to_chain)
			memcpy(c->iov[i].iov_base, buf + done, n);
		else
			memcpy(buf + done, c->iov[i].iov_base, n);
		done += n;
	}
	return done;
}

size_t virtq_chain_write(const struct virtq_chain *c, const void *src, size_t len)
{
	return chain_in_copy(c, (uint8_t *)src, len, true);
}

size_t virtq_chain_read_written(const struct virtq_chain *c, void *dst, size_t len)
{
	return chain_in_copy(c, dst, len, false);
}
