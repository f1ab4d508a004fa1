/* net.c - the virtio-net device: its queues, config space and feature bits. Where frames
 * go is the backend's business (net_backend.h: net_tap.c, net_slirp.c).
 *
 * Threads and locks. Each queue pair has a lock of its own (p->lock, taken after d->lock,
 * pairs in index order) over its two queues, its backend queue's buffers and its counters;
 * its work (kicks, frames from the backend) runs on the pair's loop with that lock alone
 * held. On a multi-queue tap without limits (virtio_net_threads) every pair has a thread
 * and loop of its own and takes its queues' kicks over from the transport, so pairs move
 * frames in parallel; otherwise every pair runs on the VMM's event loop, kicks arriving
 * through the transport's notify (d->lock held, then p->lock). The control queue, start and
 * reset take d->lock: start and reset come from a vCPU thread and also take every pair's
 * lock, so a pair's work sees its queues either set up or gone. A pair whose queue breaks
 * stops at once and fails the device once it holds d->lock (never with a pair's lock).
 *
 * tx: on a notify, every chain is one frame behind a 12-byte header. The header is copied
 * out of guest memory and checked (net_hdr_check); a bad one drops that frame and counts
 * it, the device carries on. Only a malformed chain (virtq_pop refuses it) fails the device.
 *
 * Queues (5.1.2): pair p receives on queue 2p and transmits on 2p+1, backend queue p; the
 * control queue comes last (2 * max pairs with VIRTIO_NET_F_MQ, else 2, as the driver
 * counts). Pair 0 alone is used until the driver sends VQ_PAIRS_SET on the control queue
 * (net_ctrl.c); pairs past the count it set are neither polled nor served, and their
 * backend queues are detached, so the host sends them nothing.
 *
 * rx: each used pair's rx_fd is polled while the guest has buffers on it. Before a frame
 * is read the pair pops chains into its held until they could take the largest frame (with
 * MRG_RXBUF; else one chain): when they can, the backend reads the frame straight into
 * them (one copy, as vhost-net makes), the header is completed in place and the chains it
 * took are given back, the rest kept for the next frame. When the guest's buffers are
 * fewer or smaller, the frame is read into the pair's bounce buffer and copied into as
 * many chains as it needs. When the chains run out the frame stays pending, the rx_fd
 * leaves the loop and the guest's next rx notify brings it back: a slow guest is never
 * spun on, and frames wait in the backend's queue (the tap's own, or the slirp queue)
 * meanwhile. */
#include "net.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/ratelog.h"

#include "vmm/io_limit.h"
#include "vmm/loop_thread.h"
#include "vmm/virtio/net_backend.h"
#include "vmm/virtio/net_ctrl.h"
#include "vmm/virtio/net_hdr.h"
#include "vmm/virtio/net_slirp.h"
#include "vmm/virtio/net_tap.h"

#define NET_QUEUE_MAX 256
/* Most chains one received frame may span: 64 KiB in buffers of 1 KiB and up. */
#define NET_RX_HOLD 64
#define NET_RX_BUF  (NET_HDR_LEN + NET_MAX_FRAME)
/* Frames received per call, so a busy link cannot hold the event loop. */
#define NET_RX_BUDGET 256

/* Device config space (5.1.4): mac, status, max_virtqueue_pairs; little-endian. */
#define NET_CONFIG_LEN 10

struct vnet;

/* One rx/tx queue pair and its backend queue; all but the first three fields under lock. */
struct vnet_pair {
	struct vnet *n;
	unsigned idx;	   /* rx queue 2 * idx, tx queue 2 * idx + 1, backend queue idx */
	struct loop *loop; /* where its sources run: its thread's loop or the device's */
	pthread_mutex_t lock;
	bool on;		   /* started, in use (idx < pairs set) and not failed: served */
	const char *broke;	   /* a queue of the pair broke: why, until the device fails */
	struct loop_source rx_src; /* the backend's rx_fd[idx] */
	bool rx_polling;
	uint8_t *rx_frame;	   /* NET_RX_BUF bytes: the pending frame, header first */
	size_t rx_len;		   /* its length, 0 when none is pending */
	struct virtq_chain *held;  /* NET_RX_HOLD rx chains popped and not yet used: a ring */
	unsigned held_head, nheld; /* the oldest's index, and how many */
	struct iovec *rx_iov;	   /* IOV_MAX: the held chains' buffers, for a direct read */
	struct virtq_chain *tx_chain;
	struct iovec tx_iov[VIRTQ_MAX_SEGS + 1];
	struct net_stats stats;
};

struct vnet {
	struct virtio_dev d;
	char name[32];
	unsigned index; /* the card's number among the VM's */
	struct net_backend *be;
	unsigned max_pairs; /* the backend's queues: 1..NET_MAX_PAIRS */
	unsigned usable;    /* from start: pairs the driver may use (max_pairs with MQ, else 1) */
	unsigned active;    /* pairs in use: 1 until VQ_PAIRS_SET */
	unsigned ctrlq;	    /* from start: the control queue's index, or d.nqueues if none */
	bool started;
	uint8_t config[NET_CONFIG_LEN];
	bool told_bad; /* a bad tx header has been reported once (atomic: any pair) */
	struct vnet_pair pairs[NET_MAX_PAIRS];
	struct virtq_chain *ctrl_chain;
	/* bps=: each direction's bytes, checked before a frame is taken from the guest's
	 * queue (tx) or from the backend (rx); never with pair threads, which would share them */
	struct io_limit tx_limit, rx_limit;
	/* virtio_net_threads: a thread per pair, and the pairs' kicks taken from the transport
	 * (kick_src[q] for queue q, on kick_loop[q] while registered) */
	struct loop_thread threads[NET_MAX_PAIRS];
	bool own_kicks;
	struct loop_source kick_src[2 * NET_MAX_PAIRS];
	struct loop *kick_loop[2 * NET_MAX_PAIRS];
};

static struct vnet *vnet_of(struct virtio_dev *d)
{
	return (struct vnet *)d;
}

/* The iovecs for the backend: the checked header copy, then the frame as it lies in c. */
static int tx_iovecs(struct vnet_pair *p, const struct virtq_chain *c, uint8_t *hdr)
{
	size_t skip = NET_HDR_LEN;
	int cnt = 1;
	unsigned i;

	p->tx_iov[0] = (struct iovec){ hdr, NET_HDR_LEN };
	for (i = 0; i < c->nout; i++) {
		size_t seg = c->iov[i].iov_len;

		if (skip >= seg) {
			skip -= seg;
			continue;
		}
		p->tx_iov[cnt++] =
		    (struct iovec){ (uint8_t *)c->iov[i].iov_base + skip, seg - skip };
		skip = 0;
	}
	return cnt;
}

static void tx_bad(struct vnet_pair *p, const char *why)
{
	struct vnet *n = p->n;

	p->stats.tx_bad++;
	if (!__atomic_exchange_n(&n->told_bad, true, __ATOMIC_RELAXED))
		fprintf(stderr, "berth-vmm: %s: dropping a frame the guest sent: %s\n", n->name,
			why);
}

static unsigned rxq(const struct vnet_pair *p)
{
	return 2 * p->idx;
}

static unsigned txq(const struct vnet_pair *p)
{
	return 2 * p->idx + 1;
}

static void tx_one(struct vnet_pair *p, const struct virtq_chain *c)
{
	struct vnet *n = p->n;
	uint8_t raw[NET_HDR_LEN];
	struct net_hdr h;
	size_t frame_len;
	const char *why;

	if (c->nin) {
		tx_bad(p, "a transmit chain with device-writable buffers");
		return;
	}
	if (c->out_len < NET_HDR_LEN) {
		tx_bad(p, "shorter than the virtio-net header");
		return;
	}
	frame_len = c->out_len - NET_HDR_LEN;
	virtq_chain_read(c, 0, raw, NET_HDR_LEN);
	net_hdr_decode(&h, raw);
	why = net_hdr_check(&h, frame_len, n->d.negotiated);
	if (why) {
		tx_bad(p, why);
		return;
	}
	io_limit_charge(&n->tx_limit, 1, frame_len);
	if (n->be->ops->send(n->be, p->idx, p->tx_iov, tx_iovecs(p, c, raw), frame_len) < 0)
		p->stats.tx_dropped++;
	else
		p->stats.tx_packets++;
}

/* Poll pair p's rx_fd (on) or not; only a pair being served is polled (p->lock held). */
static void rx_poll(struct vnet_pair *p, bool on)
{
	struct vnet *n = p->n;
	struct berth_error err;

	on = on && p->on;
	if (on == p->rx_polling)
		return;
	if (!on) {
		loop_del(p->loop, &p->rx_src);
	} else if (loop_add(p->loop, &p->rx_src, &err) < 0) {
		fprintf(stderr, "berth-vmm: %s: receive stopped: %s\n", n->name, err.msg);
		return;
	}
	p->rx_polling = on;
}

/* Serve pair p from now on, or stop (p->lock held). */
static void pair_set_on(struct vnet_pair *p, bool on)
{
	p->on = on;
	rx_poll(p, on);
}

/* The driver broke a queue of pair p (p->lock held): the pair stops now; the device fails
 * when the lock is given back (pair_unlock). */
static void pair_break(struct vnet_pair *p, const struct virtq *q)
{
	p->broke = q->broken;
	pair_set_on(p, false);
}

/* The driver broke a queue (d->lock held, no pair's): a device that needs a reset serves
 * no queue. */
static void net_fail(struct vnet *n, const char *why)
{
	for (unsigned i = 0; i < n->max_pairs; i++) {
		pthread_mutex_lock(&n->pairs[i].lock);
		pair_set_on(&n->pairs[i], false);
		pthread_mutex_unlock(&n->pairs[i].lock);
	}
	virtio_fail(&n->d, why);
}

/* Give p->lock back; if a queue of the pair broke meanwhile, fail the device, under d->lock
 * (held already: dlocked; or taken now, when a reset in between makes it moot). */
static void pair_unlock(struct vnet_pair *p, bool dlocked)
{
	struct vnet *n = p->n;
	const char *why = p->broke;

	p->broke = NULL;
	pthread_mutex_unlock(&p->lock);
	if (!why)
		return;
	if (!dlocked)
		pthread_mutex_lock(&n->d.lock);
	if (n->started && !n->d.failed)
		net_fail(n, why);
	if (!dlocked)
		pthread_mutex_unlock(&n->d.lock);
}

static void tx_process(struct vnet_pair *p)
{
	struct vnet *n = p->n;
	struct virtq *q = &n->d.vqs[txq(p)];
	struct virtio_budget budget = virtio_budget(q);
	uint64_t walked = q->walked;
	bool limited = false;
	int r = 0;

	virtq_disable_notify(q);
	while (!(limited = !io_limit_ready(&n->tx_limit)) && virtio_budget_take(&budget, q) &&
	       (r = virtq_pop(q, p->tx_chain)) > 0) {
		tx_one(p, p->tx_chain);
		virtq_push(q, p->tx_chain, 0);
	}
	if (r < 0) {
		pair_break(p, q);
		return;
	}
	if (limited) { /* the rest waits in the ring, kicks off, for the limit's timer */
		virtio_signal(&n->d, txq(p));
		return;
	}
	/* After sending anything, look once more after the loop's other work with kicks still
	 * off (a sending guest usually has more by then: fewer exits per MiB); only a pass that
	 * finds nothing turns kicks back on, re-checking for frames added meanwhile. */
	if (q->walked != walked || virtq_enable_notify(q))
		virtio_requeue(&n->d, txq(p));
	virtio_signal(&n->d, txq(p));
}

/* The i-th held chain, oldest first. */
static struct virtq_chain *held_at(struct vnet_pair *p, unsigned i)
{
	return &p->held[(p->held_head + i) % NET_RX_HOLD];
}

/* Forget the first k held chains (used or given back). */
static void rx_unhold(struct vnet_pair *p, unsigned k)
{
	p->held_head = (p->held_head + k) % NET_RX_HOLD;
	p->nheld -= k;
}

/* The bytes the held chains can take. */
static uint64_t rx_room(struct vnet_pair *p)
{
	uint64_t room = 0;

	for (unsigned i = 0; i < p->nheld; i++)
		room += held_at(p, i)->in_len;
	return room;
}

/* Pop rx chains until those held can take len bytes (or, without MRG_RXBUF, one chain is
 * held): 1 done, 0 the guest has no more buffers, -1 the queue is broken, 2 the turn's
 * budget is spent (chains too small to use count too: each costs what it walked). */
static int rx_gather(struct vnet_pair *p, size_t len, bool mrg, struct virtio_budget *budget)
{
	struct virtq *q = &p->n->d.vqs[rxq(p)];
	uint64_t room = rx_room(p);

	while (room < len && p->nheld < (mrg ? NET_RX_HOLD : 1)) {
		struct virtq_chain *c = held_at(p, p->nheld);
		int r;

		if (!virtio_budget_take(budget, q))
			return 2;
		r = virtq_pop(q, c);
		if (r <= 0)
			return r;
		/* Too small for even the header: useless as the start of a frame; give it back. */
		if (c->in_len < NET_HDR_LEN) {
			virtq_push(q, c, 0);
			continue;
		}
		room += c->in_len;
		p->nheld++;
	}
	return 1;
}

/* How many of the held chains, in order, len bytes take (they can take them all). */
static unsigned rx_chains_for(struct vnet_pair *p, size_t len)
{
	size_t off = 0;
	unsigned k = 0;

	for (; off < len; k++) {
		size_t in = held_at(p, k)->in_len;

		off += len - off < in ? len - off : in;
	}
	return k;
}

/* Complete the 12-byte header raw of a frame in k chains as the guest gets it. */
static void rx_header(struct vnet_pair *p, uint8_t *raw, unsigned k, bool mrg)
{
	struct net_hdr h;

	net_hdr_decode(&h, raw);
	h.num_buffers = mrg ? (uint16_t)k : 1;
	/* Checksum hints only for a guest that asked for them. */
	if (!virtio_has(&p->n->d, VIRTIO_NET_F_GUEST_CSUM))
		h.flags = 0;
	net_hdr_encode(&h, raw);
}

/* Give the first k held chains back, a frame of len bytes written across them in order. */
static void rx_push(struct vnet_pair *p, size_t len, unsigned k)
{
	struct virtq *q = &p->n->d.vqs[rxq(p)];
	size_t off = 0;

	for (unsigned i = 0; i < k; i++) {
		struct virtq_chain *c = held_at(p, i);
		size_t w = len - off < c->in_len ? len - off : c->in_len;

		virtq_push(q, c, (uint32_t)w);
		off += w;
	}
	rx_unhold(p, k);
	p->stats.rx_packets++;
}

/* Copy the pending frame into the held chains and give them back. */
static void rx_fill(struct vnet_pair *p, bool mrg)
{
	unsigned k = rx_chains_for(p, p->rx_len);
	size_t off = 0;

	rx_header(p, p->rx_frame, k, mrg);
	for (unsigned i = 0; i < k; i++)
		off += virtq_chain_write(held_at(p, i), p->rx_frame + off, p->rx_len - off);
	rx_push(p, p->rx_len, k);
}

/* The held chains' buffers as iovecs, if they can take the largest frame: how many, or 0
 * (too little room, or too many pieces for one readv). */
static int rx_direct_iov(struct vnet_pair *p)
{
	uint64_t room = 0;
	int cnt = 0;

	for (unsigned i = 0; i < p->nheld && room < NET_RX_BUF; i++) {
		const struct virtq_chain *c = held_at(p, i);

		if (c->nin > (unsigned)(IOV_MAX - cnt))
			return 0;
		memcpy(&p->rx_iov[cnt], &c->iov[c->nout], c->nin * sizeof(*p->rx_iov));
		cnt += (int)c->nin;
		room += c->in_len;
	}
	return room >= NET_RX_BUF ? cnt : 0;
}

/* A frame of len bytes was read straight into the held chains: complete its header where
 * it lies and give back the chains it took. */
static void rx_direct_done(struct vnet_pair *p, size_t len, bool mrg)
{
	uint8_t raw[NET_HDR_LEN];
	unsigned k = rx_chains_for(p, len);

	/* The guest may have changed it meanwhile: only its own frame suffers. */
	virtq_chain_read_written(held_at(p, 0), raw, NET_HDR_LEN);
	rx_header(p, raw, k, mrg);
	virtq_chain_write(held_at(p, 0), raw, NET_HDR_LEN);
	rx_push(p, len, k);
}

/* Deliver the pending frame: 1 delivered (or dropped), 0 wait for buffers, -1 broken, 2
 * budget spent (the frame stays pending, with the chains held so far). */
static int rx_deliver(struct vnet_pair *p, struct virtio_budget *budget)
{
	bool mrg = virtio_has(&p->n->d, VIRTIO_NET_F_MRG_RXBUF);
	int r = rx_gather(p, p->rx_len, mrg, budget);

	if (r != 1)
		return r;
	if (rx_room(p) < p->rx_len) {
		/* Even all the chains we may hold are too small: the guest cannot take it. */
		p->stats.rx_dropped++;
	} else {
		rx_fill(p, mrg);
	}
	p->rx_len = 0;
	return 1;
}

/* Take the backend's next frame: straight into the chains held ahead when they can take
 * the largest one (and give them back), else into the bounce buffer as the pending frame.
 * 1 took one (or dropped a runt), 0 there is none (or the backend failed, and leaves the
 * loop), -1 the queue is broken, 2 the turn's budget is spent. */
static int rx_take(struct vnet_pair *p, bool mrg, struct virtio_budget *budget)
{
	struct vnet *n = p->n;
	int r = rx_gather(p, NET_RX_BUF, mrg, budget), cnt;
	ssize_t len;

	if (r < 0 || r == 2)
		return r;
	cnt = rx_direct_iov(p);
	if (cnt)
		len = n->be->ops->recv(n->be, p->idx, p->rx_iov, cnt);
	else
		len =
		    n->be->ops->recv(n->be, p->idx, &(struct iovec){ p->rx_frame, NET_RX_BUF }, 1);
	if (len < 0) {
		fprintf(stderr, "berth-vmm: %s: receive stopped: %s\n", n->name, strerror(errno));
		rx_poll(p, false);
		return 0;
	}
	if (len == 0)
		return 0;
	if ((size_t)len < NET_HDR_LEN + NET_ETH_LEN) {
		p->stats.rx_dropped++; /* the chains it was read into serve the next */
		return 1;
	}
	io_limit_charge(&n->rx_limit, 1, (size_t)len - NET_HDR_LEN);
	if (cnt)
		rx_direct_done(p, (size_t)len, mrg);
	else
		p->rx_len = (size_t)len;
	return 1;
}

static void rx_process(struct vnet_pair *p)
{
	struct vnet *n = p->n;
	struct virtq *q = &n->d.vqs[rxq(p)];
	struct virtio_budget budget = virtio_budget(q);
	bool mrg = virtio_has(&n->d, VIRTIO_NET_F_MRG_RXBUF);
	unsigned frames = NET_RX_BUDGET;
	int r;

	for (;;) {
		if (!p->rx_len) {
			/* The rx fd is level-triggered: what is left calls us back. */
			if (frames-- == 0)
				break;
			/* Over the limit: frames wait in the backend until the timer. */
			if (!io_limit_ready(&n->rx_limit)) {
				rx_poll(p, false);
				break;
			}
			r = rx_take(p, mrg, &budget);
		} else {
			r = rx_deliver(p, &budget);
			/* Out of buffers: wait for the guest's notify, unless some just came. */
			if (r == 0 && virtq_enable_notify(q))
				continue;
			if (r == 0)
				rx_poll(p, false);
		}
		if (r == 2) {
			/* A frame or the tap waits, maybe with nothing to wake us: come back. */
			virtio_requeue(&n->d, rxq(p));
			break;
		}
		if (r < 0) {
			/* Until reset: a readable fd must not call us back for ever. */
			pair_break(p, q);
			return;
		}
		if (r == 0)
			break;
	}
	virtio_signal(&n->d, rxq(p));
}

static void rx_ready(struct loop_source *src, uint32_t events)
{
	struct vnet_pair *p = src->opaque;

	(void)events;
	pthread_mutex_lock(&p->lock);
	/* The source may have been dropped after epoll reported it. */
	if (p->rx_polling)
		rx_process(p);
	pair_unlock(p, false);
}

/* Queue q (of a pair) was kicked or requeued: serve it if the pair is being served. */
static void pair_serve(struct vnet_pair *p, unsigned q)
{
	if (!p->on)
		return;
	if (q % 2) {
		tx_process(p);
	} else {
		rx_poll(p, true);
		rx_process(p);
	}
}

/* A direction's limit has tokens again: every pair goes on, through its queue's notify. */
static void tx_resume(void *opaque)
{
	struct vnet *n = opaque;

	for (unsigned i = 0; i < n->max_pairs; i++)
		virtio_requeue(&n->d, txq(&n->pairs[i]));
}

static void rx_resume(void *opaque)
{
	struct vnet *n = opaque;

	for (unsigned i = 0; i < n->max_pairs; i++)
		virtio_requeue(&n->d, rxq(&n->pairs[i]));
}

/* VQ_PAIRS_SET: use pairs 0..k-1 from now on; false (nothing changed) if the driver has
 * not set up all their queues or the backend cannot follow. A pair left out keeps what it
 * holds (a pending frame, popped chains) for when it is used again, or until reset. */
static bool set_pairs(struct vnet *n, unsigned k)
{
	static struct ratelog rl = RATELOG_INIT; /* as often as the driver asks */

	for (unsigned i = 0; i < 2 * k; i++)
		if (!n->d.vq_enabled[i])
			return false;
	if (n->be->ops->set_queues && n->be->ops->set_queues(n->be, k) < 0) {
		ratelog_printf(&rl, stderr, "berth-vmm: %s: cannot use %u queue pairs: %s", n->name,
			       k, strerror(errno));
		return false;
	}
	n->active = k;
	for (unsigned i = 0; i < n->max_pairs; i++) {
		struct vnet_pair *p = &n->pairs[i];

		pthread_mutex_lock(&p->lock);
		pair_set_on(p, i < k);
		pthread_mutex_unlock(&p->lock);
	}
	/* Buffers a newly used pair was given before were never looked at: look now. */
	for (unsigned i = 0; i < k; i++) {
		virtio_requeue(&n->d, rxq(&n->pairs[i]));
		virtio_requeue(&n->d, txq(&n->pairs[i]));
	}
	return true;
}

/* Answer every command on the control queue. */
static void ctrl_process(struct vnet *n)
{
	struct virtq *q = &n->d.vqs[n->ctrlq];
	struct virtio_budget budget = virtio_budget(q);
	struct virtq_chain *c = n->ctrl_chain;
	int r = 0;

	while (virtio_budget_take(&budget, q) && (r = virtq_pop(q, c)) > 0) {
		struct net_ctrl_req req;

		if (net_ctrl_parse(c, n->usable, &req) < 0) {
			virtq_push(q, c, 0); /* nowhere to answer */
			continue;
		}
		if (req.ack == VIRTIO_NET_OK && !set_pairs(n, req.pairs))
			req.ack = VIRTIO_NET_ERR;
		virtq_push(q, c, net_ctrl_answer(c, req.ack));
	}
	if (r < 0) {
		net_fail(n, q->broken);
		return;
	}
	if (virtio_budget_spent(&budget, q))
		virtio_requeue(&n->d, n->ctrlq);
	virtio_signal(&n->d, n->ctrlq);
}

static void net_config_read(struct virtio_dev *d, uint32_t off, uint8_t *buf, uint32_t len)
{
	memcpy(buf, vnet_of(d)->config + off, len);
}

/* Kicks of a queue taken from the transport (own_kicks), on the pair's loop (or, for the
 * control queue of a driver without MQ, which then sits among the pairs' queues, the
 * device's loop). */
static void net_kicked(struct loop_source *src, uint32_t events)
{
	struct vnet *n = src->opaque;
	unsigned q = (unsigned)(src - n->kick_src);
	struct vnet_pair *p = &n->pairs[q / 2];
	uint64_t v;

	(void)events;
	if (read(src->fd, &v, sizeof(v)) < 0)
		return;
	pthread_mutex_lock(&p->lock);
	pair_serve(p, q);
	pair_unlock(p, false);
}

static void net_ctrl_kicked(struct loop_source *src, uint32_t events)
{
	struct vnet *n = src->opaque;
	unsigned q = (unsigned)(src - n->kick_src);
	uint64_t v;

	(void)events;
	if (read(src->fd, &v, sizeof(v)) < 0)
		return;
	pthread_mutex_lock(&n->d.lock);
	if (n->started && !n->d.failed && q == n->ctrlq && n->d.vq_enabled[q])
		ctrl_process(n);
	pthread_mutex_unlock(&n->d.lock);
}

/* Watch the kicks of queue q (taken from the transport) on l with fn; once only, however
 * often the driver sets DRIVER_OK without a reset in between. */
static void kicks_watch(struct vnet *n, unsigned q, struct loop *l, loop_fn fn)
{
	struct berth_error err;

	if (n->kick_loop[q])
		return;
	n->kick_src[q].fn = fn;
	if (loop_add(l, &n->kick_src[q], &err) < 0) {
		fprintf(stderr, "berth-vmm: %s: queue %u not served: %s\n", n->name, q, err.msg);
		return;
	}
	n->kick_loop[q] = l;
}

/* At start: the kicks of the queues the driver may use; the control queue's too when it
 * is one of those the device took (queue 2 of a driver without MQ). */
static void kicks_start(struct vnet *n)
{
	if (!n->own_kicks)
		return;
	for (unsigned q = 0; q < 2 * n->usable; q++)
		kicks_watch(n, q, n->pairs[q / 2].loop, net_kicked);
	if (n->ctrlq < 2 * n->max_pairs)
		kicks_watch(n, n->ctrlq, n->d.loop, net_ctrl_kicked);
}

static void kicks_stop(struct vnet *n)
{
	for (unsigned q = 0; q < 2 * n->max_pairs; q++) {
		if (!n->kick_loop[q])
			continue;
		loop_del(n->kick_loop[q], &n->kick_src[q]);
		n->kick_loop[q] = NULL;
	}
}

static void pairs_lock(struct vnet *n)
{
	for (unsigned i = 0; i < n->max_pairs; i++)
		pthread_mutex_lock(&n->pairs[i].lock);
}

static void pairs_unlock(struct vnet *n)
{
	for (unsigned i = n->max_pairs; i-- > 0;)
		pthread_mutex_unlock(&n->pairs[i].lock);
}

static int net_start(struct virtio_dev *d)
{
	static struct ratelog rl = RATELOG_INIT; /* as often as the driver sets DRIVER_OK */
	struct vnet *n = vnet_of(d);
	bool mq = virtio_has(d, VIRTIO_NET_F_MQ);

	if (!virtio_has(d, VIRTIO_F_VERSION_1)) {
		ratelog_printf(&rl, stderr,
			       "berth-vmm: %s: the driver did not accept VIRTIO_F_VERSION_1",
			       n->name);
		return -1;
	}
	/* The first pair is the driver's to set up (5.1.5); rx is popped whenever frames come. */
	if (!d->vq_enabled[0] || !d->vq_enabled[1]) {
		ratelog_printf(&rl, stderr,
			       "berth-vmm: %s: the driver did not enable the first two queues",
			       n->name);
		return -1;
	}
	if (n->be->ops->set_features(n->be, d->negotiated) < 0) {
		ratelog_printf(&rl, stderr,
			       "berth-vmm: %s: cannot turn on the offloads the guest accepted: %s",
			       n->name, strerror(errno));
		return -1;
	}
	/* The control queue follows the pairs the driver counts: all of them with MQ. */
	n->usable = mq ? n->max_pairs : 1;
	n->ctrlq = virtio_has(d, VIRTIO_NET_F_CTRL_VQ) ? 2 * n->usable : d->nqueues;
	n->active = 1;
	n->started = true;
	pairs_lock(n);
	pair_set_on(&n->pairs[0], true);
	kicks_start(n);
	pairs_unlock(n);
	return 0;
}

static void net_notify(struct virtio_dev *d, unsigned q)
{
	struct vnet *n = vnet_of(d);
	struct vnet_pair *p;

	if (!n->started)
		return;
	if (q == n->ctrlq) {
		ctrl_process(n);
		return;
	}
	if (q >= 2 * n->max_pairs)
		return; /* the control queue of a driver without one */
	p = &n->pairs[q / 2];
	pthread_mutex_lock(&p->lock);
	pair_serve(p, q);
	pair_unlock(p, true);
}

/* All work is done synchronously under the pairs' locks, which reset takes: once it has
 * them, nothing is in flight, and a pair's sources that still fire find it off. */
static void net_reset(struct virtio_dev *d)
{
	struct vnet *n = vnet_of(d);

	pairs_lock(n);
	kicks_stop(n);
	for (unsigned i = 0; i < n->max_pairs; i++) {
		struct vnet_pair *p = &n->pairs[i];

		pair_set_on(p, false);
		p->rx_len = p->nheld = p->held_head = 0;
		p->broke = NULL;
	}
	n->started = false;
	n->active = 1;
	n->be->ops->flush(n->be);
	n->be->ops->set_features(n->be, 0);
	if (n->be->ops->set_queues)
		n->be->ops->set_queues(n->be, 1);
	pairs_unlock(n);
}

static void vnet_free(struct vnet *n)
{
	for (unsigned i = 0; i < NET_MAX_PAIRS; i++)
		loop_thread_stop(&n->threads[i]);
	io_limit_destroy(&n->tx_limit);
	io_limit_destroy(&n->rx_limit);
	if (n->be)
		n->be->ops->destroy(n->be);
	for (unsigned i = 0; i < NET_MAX_PAIRS; i++) {
		free(n->pairs[i].rx_frame);
		free(n->pairs[i].held);
		free(n->pairs[i].rx_iov);
		free(n->pairs[i].tx_chain);
		pthread_mutex_destroy(&n->pairs[i].lock);
	}
	free(n->ctrl_chain);
	pthread_mutex_destroy(&n->d.lock);
	free(n);
}

/* Unlocked (the VMM is exiting), so the pairs' threads stop first. */
static void net_destroy(struct virtio_dev *d)
{
	struct vnet *n = vnet_of(d);

	for (unsigned i = 0; i < n->max_pairs; i++) {
		loop_thread_stop(&n->threads[i]);
		pair_set_on(&n->pairs[i], false);
	}
	kicks_stop(n);
	vnet_free(n);
}

static const struct virtio_dev_ops net_ops = {
	.config_read = net_config_read,
	.start = net_start,
	.notify = net_notify,
	.reset = net_reset,
	.destroy = net_destroy,
};

static int open_backend(struct vnet *n, const struct net_config *cfg, unsigned pairs,
			struct berth_error *err)
{
	int r = cfg->kind == NET_TAP ? net_tap_open(&n->be, cfg->ifname, pairs, err)
				     : net_slirp_open(&n->be, cfg, err);

	return r < 0 ? berr_wrap(err, "%s", n->name) : 0;
}

/* Each of the backend's queues a pair with its rx buffers; 0 or -1 (out of memory). */
static int make_pairs(struct vnet *n)
{
	n->max_pairs = n->be->nqueues;
	for (unsigned i = 0; i < n->max_pairs; i++) {
		struct vnet_pair *p = &n->pairs[i];

		p->n = n;
		p->idx = i;
		p->loop = n->d.loop;
		p->rx_src =
		    (struct loop_source){ .fd = n->be->rx_fd[i], .fn = rx_ready, .opaque = p };
		p->rx_frame = malloc(NET_RX_BUF);
		p->held = malloc(NET_RX_HOLD * sizeof(*p->held));
		p->rx_iov = malloc(IOV_MAX * sizeof(*p->rx_iov));
		p->tx_chain = malloc(sizeof(*p->tx_chain));
		if (!p->rx_frame || !p->held || !p->rx_iov || !p->tx_chain)
			return -1;
	}
	return 0;
}

int virtio_net_create(struct virtio_dev **out, const struct net_config *cfg, unsigned index,
		      unsigned pairs, const struct guest_mem *gm, struct loop *loop,
		      struct berth_error *err)
{
	struct vnet *n = calloc(1, sizeof(*n));

	if (!n)
		return berr(err, ENOMEM, "virtio-net %u", index);
	pthread_mutex_init(&n->d.lock, NULL);
	for (unsigned i = 0; i < NET_MAX_PAIRS; i++)
		pthread_mutex_init(&n->pairs[i].lock, NULL);
	n->d.loop = loop;
	n->tx_limit.tfd = n->rx_limit.tfd = -1;
	snprintf(n->name, sizeof(n->name), "virtio-net %u", index);
	n->index = index;
	if (open_backend(n, cfg, pairs, err) < 0 ||
	    io_limit_init(&n->tx_limit, &cfg->limit, loop, tx_resume, n, err) ||
	    io_limit_init(&n->rx_limit, &cfg->limit, loop, rx_resume, n, err)) {
		vnet_free(n);
		return -1;
	}
	n->ctrl_chain = malloc(sizeof(*n->ctrl_chain));
	if (!n->ctrl_chain || make_pairs(n) < 0) {
		vnet_free(n);
		return berr(err, ENOMEM, "virtio-net %u", index);
	}
	memcpy(n->config, cfg->mac, 6);
	n->config[6] = VIRTIO_NET_S_LINK_UP;
	n->config[8] = (uint8_t)n->max_pairs; /* max_virtqueue_pairs, le16 */
	n->active = 1;
	n->d.ops = &net_ops;
	n->d.name = n->name;
	n->d.device_id = VIRTIO_ID_NET;
	n->d.features = 1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTQ_F_EVENT_IDX |
			1ULL << VIRTQ_F_INDIRECT_DESC | 1ULL << VIRTIO_NET_F_MAC |
			1ULL << VIRTIO_NET_F_STATUS | 1ULL << VIRTIO_NET_F_MRG_RXBUF |
			1ULL << VIRTIO_NET_F_CTRL_VQ | 1ULL << VIRTIO_NET_F_MQ | n->be->features;
	n->d.nqueues = 2 * n->max_pairs + 1; /* the pairs, then the control queue */
	n->d.queue_max = NET_QUEUE_MAX;
	n->d.config_len = NET_CONFIG_LEN;
	n->d.gm = gm;
	*out = &n->d;
	return 0;
}

int virtio_net_threads(struct virtio_dev *d, struct berth_error *err)
{
	struct vnet *n = vnet_of(d);

	if (n->max_pairs < 2 || n->tx_limit.tfd >= 0 || n->rx_limit.tfd >= 0)
		return 0;
	for (unsigned q = 0; q < 2 * n->max_pairs; q++) {
		int fd = virtio_take_kicks(d, q);

		if (fd < 0)
			return berr(err, 0, "%s: the transport cannot hand over queue %u", n->name,
				    q);
		n->kick_src[q] = (struct loop_source){ .fd = fd, .opaque = n };
	}
	n->own_kicks = true;
	for (unsigned i = 0; i < n->max_pairs; i++) {
		char name[24]; /* 15 characters at most: "net3-pair7" */

		snprintf(name, sizeof(name), "net%u-pair%u", n->index % 100, i % NET_MAX_PAIRS);
		if (loop_thread_start(&n->threads[i], name, VMM_THREAD_MAIN, err))
			return berr_wrap(err, "%s", n->name);
		n->pairs[i].loop = &n->threads[i].loop;
	}
	return 0;
}

void virtio_net_stats(struct virtio_dev *d, struct net_stats *st)
{
	struct vnet *n = vnet_of(d);

	*st = (struct net_stats){ 0 };
	pthread_mutex_lock(&d->lock);
	for (unsigned i = 0; i < n->max_pairs; i++) {
		struct vnet_pair *p = &n->pairs[i];

		pthread_mutex_lock(&p->lock);
		st->tx_packets += p->stats.tx_packets;
		st->tx_bad += p->stats.tx_bad;
		st->tx_dropped += p->stats.tx_dropped;
		st->rx_packets += p->stats.rx_packets;
		st->rx_dropped += p->stats.rx_dropped;
		pthread_mutex_unlock(&p->lock);
	}
	pthread_mutex_unlock(&d->lock);
}
