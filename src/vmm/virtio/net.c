/* net.c - the virtio-net device: its queues, config space and feature bits. Where frames
 * go is the backend's business (net_backend.h: net_tap.c, net_slirp.c).
 *
 * Everything runs on the VMM's event loop with d->lock held, except start and reset (a
 * vCPU thread, also locked), which only register or drop the rx source.
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
 * rx: each used pair's rx_fd is polled while the guest has buffers on it. A frame is read
 * into the pair's bounce buffer, then copied into as many chains as it needs (with
 * MRG_RXBUF; else one), popped into the pair's held. When the chains run out the frame
 * stays pending, the rx_fd leaves the loop and the guest's next rx notify brings it back: a
 * slow guest is never spun on, and frames wait in the backend's queue (the tap's own, or
 * the slirp queue) meanwhile. */
#include "net.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ratelog.h"

#include "vmm/io_limit.h"
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

/* One rx/tx queue pair and its backend queue. */
struct vnet_pair {
	struct vnet *n;
	unsigned idx;		   /* rx queue 2 * idx, tx queue 2 * idx + 1, backend queue idx */
	struct loop_source rx_src; /* the backend's rx_fd[idx] */
	bool rx_polling;
	uint8_t *rx_frame;	  /* NET_RX_BUF bytes: the pending frame, header first */
	size_t rx_len;		  /* its length, 0 when none is pending */
	struct virtq_chain *held; /* NET_RX_HOLD rx chains popped and not yet used */
	unsigned nheld;
};

struct vnet {
	struct virtio_dev d;
	char name[32];
	struct net_backend *be;
	unsigned max_pairs; /* the backend's queues: 1..NET_MAX_PAIRS */
	unsigned usable;    /* from start: pairs the driver may use (max_pairs with MQ, else 1) */
	unsigned active;    /* pairs in use: 1 until VQ_PAIRS_SET */
	unsigned ctrlq;	    /* from start: the control queue's index, or d.nqueues if none */
	bool started;
	uint8_t config[NET_CONFIG_LEN];
	struct net_stats stats;
	bool told_bad; /* a bad tx header has been reported once */
	struct vnet_pair pairs[NET_MAX_PAIRS];
	struct virtq_chain *tx_chain; /* also each control command's */
	struct iovec tx_iov[VIRTQ_MAX_SEGS + 1];
	/* bps=: each direction's bytes, checked before a frame is taken from the guest's
	 * queue (tx) or from the backend (rx) */
	struct io_limit tx_limit, rx_limit;
};

static struct vnet *vnet_of(struct virtio_dev *d)
{
	return (struct vnet *)d;
}

/* The iovecs for the backend: the checked header copy, then the frame as it lies in c. */
static int tx_iovecs(struct vnet *n, const struct virtq_chain *c, uint8_t *hdr)
{
	size_t skip = NET_HDR_LEN;
	int cnt = 1;
	unsigned i;

	n->tx_iov[0] = (struct iovec){ hdr, NET_HDR_LEN };
	for (i = 0; i < c->nout; i++) {
		size_t seg = c->iov[i].iov_len;

		if (skip >= seg) {
			skip -= seg;
			continue;
		}
		n->tx_iov[cnt++] =
		    (struct iovec){ (uint8_t *)c->iov[i].iov_base + skip, seg - skip };
		skip = 0;
	}
	return cnt;
}

static void tx_bad(struct vnet *n, const char *why)
{
	n->stats.tx_bad++;
	if (!n->told_bad)
		fprintf(stderr, "berth-vmm: %s: dropping a frame the guest sent: %s\n", n->name,
			why);
	n->told_bad = true;
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
		tx_bad(n, "a transmit chain with device-writable buffers");
		return;
	}
	if (c->out_len < NET_HDR_LEN) {
		tx_bad(n, "shorter than the virtio-net header");
		return;
	}
	frame_len = c->out_len - NET_HDR_LEN;
	virtq_chain_read(c, 0, raw, NET_HDR_LEN);
	net_hdr_decode(&h, raw);
	why = net_hdr_check(&h, frame_len, n->d.negotiated);
	if (why) {
		tx_bad(n, why);
		return;
	}
	io_limit_charge(&n->tx_limit, 1, frame_len);
	if (n->be->ops->send(n->be, p->idx, n->tx_iov, tx_iovecs(n, c, raw), frame_len) < 0)
		n->stats.tx_dropped++;
	else
		n->stats.tx_packets++;
}

/* Poll pair p's rx_fd (on) or not; only a pair in use is polled. */
static void rx_poll(struct vnet_pair *p, bool on)
{
	struct vnet *n = p->n;
	struct berth_error err;

	on = on && p->idx < n->active;
	if (on == p->rx_polling)
		return;
	if (!on) {
		loop_del(n->d.loop, &p->rx_src);
	} else if (loop_add(n->d.loop, &p->rx_src, &err) < 0) {
		fprintf(stderr, "berth-vmm: %s: receive stopped: %s\n", n->name, err.msg);
		return;
	}
	p->rx_polling = on;
}

static void rx_poll_all(struct vnet *n, bool on)
{
	for (unsigned i = 0; i < n->max_pairs; i++)
		rx_poll(&n->pairs[i], on);
}

/* The driver broke queue q: a device that needs a reset serves no queue. */
static void net_fail(struct vnet *n, const struct virtq *q)
{
	rx_poll_all(n, false);
	virtio_fail(&n->d, q->broken);
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
	       (r = virtq_pop(q, n->tx_chain)) > 0) {
		tx_one(p, n->tx_chain);
		virtq_push(q, n->tx_chain, 0);
	}
	if (r < 0) {
		net_fail(n, q);
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

/* Forget the first k held chains (used or given back). */
static void rx_unhold(struct vnet_pair *p, unsigned k)
{
	p->nheld -= k;
	memmove(p->held, p->held + k, p->nheld * sizeof(*p->held));
}

/* Pop rx chains until those held can take len bytes (or, without MRG_RXBUF, one chain is
 * held): 1 done, 0 the guest has no more buffers, -1 the queue is broken, 2 the turn's
 * budget is spent (chains too small to use count too: each costs what it walked). */
static int rx_gather(struct vnet_pair *p, size_t len, bool mrg, struct virtio_budget *budget)
{
	struct virtq *q = &p->n->d.vqs[rxq(p)];
	uint64_t room = 0;
	unsigned i;

	for (i = 0; i < p->nheld; i++)
		room += p->held[i].in_len;
	while (room < len && p->nheld < (mrg ? NET_RX_HOLD : 1)) {
		struct virtq_chain *c = &p->held[p->nheld];
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

/* Copy the pending frame into the held chains and give them back. */
static void rx_fill(struct vnet_pair *p, bool mrg)
{
	struct vnet *n = p->n;
	struct virtq *q = &n->d.vqs[rxq(p)];
	size_t off = 0;
	unsigned k = 0, i;
	struct net_hdr h;

	for (; off < p->rx_len; k++)
		off += p->rx_len - off < p->held[k].in_len ? p->rx_len - off : p->held[k].in_len;
	net_hdr_decode(&h, p->rx_frame);
	h.num_buffers = mrg ? (uint16_t)k : 1;
	/* Checksum hints only for a guest that asked for them. */
	if (!virtio_has(&n->d, VIRTIO_NET_F_GUEST_CSUM))
		h.flags = 0;
	net_hdr_encode(&h, p->rx_frame);
	for (i = 0, off = 0; i < k; i++) {
		size_t w = virtq_chain_write(&p->held[i], p->rx_frame + off, p->rx_len - off);

		virtq_push(q, &p->held[i], (uint32_t)w);
		off += w;
	}
	rx_unhold(p, k);
	n->stats.rx_packets++;
}

/* Deliver the pending frame: 1 delivered (or dropped), 0 wait for buffers, -1 broken, 2
 * budget spent (the frame stays pending, with the chains held so far). */
static int rx_deliver(struct vnet_pair *p, struct virtio_budget *budget)
{
	bool mrg = virtio_has(&p->n->d, VIRTIO_NET_F_MRG_RXBUF);
	uint64_t room = 0;
	unsigned i;
	int r = rx_gather(p, p->rx_len, mrg, budget);

	if (r != 1)
		return r;
	for (i = 0; i < p->nheld; i++)
		room += p->held[i].in_len;
	if (room < p->rx_len) {
		/* Even all the chains we may hold are too small: the guest cannot take it. */
		p->n->stats.rx_dropped++;
	} else {
		rx_fill(p, mrg);
	}
	p->rx_len = 0;
	return 1;
}

static void rx_process(struct vnet_pair *p)
{
	struct vnet *n = p->n;
	struct virtq *q = &n->d.vqs[rxq(p)];
	struct virtio_budget budget = virtio_budget(q);
	unsigned frames = NET_RX_BUDGET;
	ssize_t len;
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
			len = n->be->ops->recv(n->be, p->idx, p->rx_frame, NET_RX_BUF);
			if (len < 0) {
				fprintf(stderr, "berth-vmm: %s: receive stopped: %s\n", n->name,
					strerror(errno));
				rx_poll(p, false);
				break;
			}
			if (len == 0)
				break;
			if ((size_t)len < NET_HDR_LEN + NET_ETH_LEN) {
				n->stats.rx_dropped++;
				continue;
			}
			p->rx_len = (size_t)len;
			io_limit_charge(&n->rx_limit, 1, p->rx_len - NET_HDR_LEN);
		}
		r = rx_deliver(p, &budget);
		if (r == 2) {
			/* The frame waits, maybe with no more behind it to wake us: come back. */
			virtio_requeue(&n->d, rxq(p));
			break;
		}
		if (r < 0) {
			/* Until reset: a readable fd must not call us back for ever. */
			net_fail(n, q);
			return;
		}
		if (r == 0) {
			/* Out of buffers: wait for the guest's notify, unless some just came. */
			if (virtq_enable_notify(q))
				continue;
			rx_poll(p, false);
			break;
		}
	}
	virtio_signal(&n->d, rxq(p));
}

static void rx_ready(struct loop_source *src, uint32_t events)
{
	struct vnet_pair *p = src->opaque;
	struct vnet *n = p->n;

	(void)events;
	pthread_mutex_lock(&n->d.lock);
	/* The source may have been dropped after epoll reported it. */
	if (n->started && p->rx_polling && !n->d.failed)
		rx_process(p);
	pthread_mutex_unlock(&n->d.lock);
}

/* A direction's limit has tokens again: every pair in use goes on. */
static void tx_resume(void *opaque)
{
	struct vnet *n = opaque;

	pthread_mutex_lock(&n->d.lock);
	for (unsigned i = 0; i < n->active && n->started && !n->d.failed; i++)
		tx_process(&n->pairs[i]);
	pthread_mutex_unlock(&n->d.lock);
}

static void rx_resume(void *opaque)
{
	struct vnet *n = opaque;

	pthread_mutex_lock(&n->d.lock);
	for (unsigned i = 0; i < n->active && n->started && !n->d.failed; i++) {
		rx_poll(&n->pairs[i], true);
		rx_process(&n->pairs[i]);
	}
	pthread_mutex_unlock(&n->d.lock);
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
	for (unsigned i = 0; i < n->max_pairs; i++)
		rx_poll(&n->pairs[i], true); /* off past k */
	/* Buffers a newly used pair was given before were never looked at: look now. */
	for (unsigned i = 0; i < k; i++)
		virtio_requeue(&n->d, rxq(&n->pairs[i]));
	return true;
}

/* Answer every command on the control queue. */
static void ctrl_process(struct vnet *n)
{
	struct virtq *q = &n->d.vqs[n->ctrlq];
	struct virtio_budget budget = virtio_budget(q);
	struct virtq_chain *c = n->tx_chain;
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
		net_fail(n, q);
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
	rx_poll(&n->pairs[0], true);
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
	if (q / 2 >= n->active)
		return; /* a pair not in use (or the control queue of a driver without one) */
	p = &n->pairs[q / 2];
	if (q % 2) {
		tx_process(p);
	} else {
		rx_poll(p, true);
		rx_process(p);
	}
}

/* All work is done synchronously under d->lock, so nothing is in flight to wait for. */
static void net_reset(struct virtio_dev *d)
{
	struct vnet *n = vnet_of(d);

	rx_poll_all(n, false);
	n->started = false;
	n->active = 1;
	for (unsigned i = 0; i < n->max_pairs; i++)
		n->pairs[i].rx_len = n->pairs[i].nheld = 0;
	n->be->ops->flush(n->be);
	n->be->ops->set_features(n->be, 0);
	if (n->be->ops->set_queues)
		n->be->ops->set_queues(n->be, 1);
}

static void vnet_free(struct vnet *n)
{
	io_limit_destroy(&n->tx_limit);
	io_limit_destroy(&n->rx_limit);
	if (n->be)
		n->be->ops->destroy(n->be);
	for (unsigned i = 0; i < NET_MAX_PAIRS; i++) {
		free(n->pairs[i].rx_frame);
		free(n->pairs[i].held);
	}
	free(n->tx_chain);
	pthread_mutex_destroy(&n->d.lock);
	free(n);
}

static void net_destroy(struct virtio_dev *d)
{
	struct vnet *n = vnet_of(d);

	rx_poll_all(n, false);
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
		p->rx_src =
		    (struct loop_source){ .fd = n->be->rx_fd[i], .fn = rx_ready, .opaque = p };
		p->rx_frame = malloc(NET_RX_BUF);
		p->held = malloc(NET_RX_HOLD * sizeof(*p->held));
		if (!p->rx_frame || !p->held)
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
	n->tx_limit.tfd = n->rx_limit.tfd = -1;
	snprintf(n->name, sizeof(n->name), "virtio-net %u", index);
	if (open_backend(n, cfg, pairs, err) < 0 ||
	    io_limit_init(&n->tx_limit, &cfg->limit, loop, tx_resume, n, err) ||
	    io_limit_init(&n->rx_limit, &cfg->limit, loop, rx_resume, n, err)) {
		vnet_free(n);
		return -1;
	}
	n->tx_chain = malloc(sizeof(*n->tx_chain));
	if (!n->tx_chain || make_pairs(n) < 0) {
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
	n->d.loop = loop;
	*out = &n->d;
	return 0;
}

void virtio_net_stats(struct virtio_dev *d, struct net_stats *st)
{
	pthread_mutex_lock(&d->lock);
	*st = vnet_of(d)->stats;
	pthread_mutex_unlock(&d->lock);
}
