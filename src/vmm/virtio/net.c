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
 * rx: the backend's rx_fd is polled while the guest has buffers. A frame is read into a
 * bounce buffer, then copied into as many chains as it needs (with MRG_RXBUF; else one),
 * popped into d->held. When the chains run out the frame stays pending, the rx_fd leaves
 * the loop and the guest's next rx notify brings it back: a slow guest is never spun on,
 * and frames wait in the backend's queue (the tap's own, or the slirp queue) meanwhile. */
#include "net.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ratelog.h"

#include "vmm/io_limit.h"
#include "vmm/virtio/net_backend.h"
#include "vmm/virtio/net_hdr.h"
#include "vmm/virtio/net_slirp.h"
#include "vmm/virtio/net_tap.h"

#define NET_RXQ	      0
#define NET_TXQ	      1
#define NET_QUEUE_MAX 256
/* Most chains one received frame may span: 64 KiB in buffers of 1 KiB and up. */
#define NET_RX_HOLD 64
#define NET_RX_BUF  (NET_HDR_LEN + NET_MAX_FRAME)
/* Frames received per call, so a busy link cannot hold the event loop. */
#define NET_RX_BUDGET 256

/* Device config space (5.1.4): mac, status, max_virtqueue_pairs; little-endian. */
#define NET_CONFIG_LEN 10

struct vnet {
	struct virtio_dev d;
	char name[32];
	struct net_backend *be;
	struct loop_source rx_src; /* the backend's rx_fd */
	bool started, rx_polling;
	uint8_t config[NET_CONFIG_LEN];
	struct net_stats stats;
	bool told_bad;		  /* a bad tx header has been reported once */
	uint8_t *rx_frame;	  /* NET_RX_BUF bytes: the pending frame, header first */
	size_t rx_len;		  /* its length, 0 when none is pending */
	struct virtq_chain *held; /* NET_RX_HOLD rx chains popped and not yet used */
	unsigned nheld;
	struct virtq_chain *tx_chain;
	struct iovec tx_iov[VIRTQ_MAX_SEGS + 1];
	/* bps=: each direction's bytes, checked before a frame is taken from the guest's
	 * queue (tx) or from the backend (rx) */
	struct io_limit tx_limit, rx_limit;
};

static struct vnet *vnet_of(struct virtio_dev *d)
{
	return (struct vnet *)d;
}

/* Copy len bytes of the readable segments of c, from byte off, into dst; what was copied. */
static size_t chain_read(const struct virtq_chain *c, size_t off, void *dst, size_t len)
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
		memcpy((uint8_t *)dst + done, (uint8_t *)c->iov[i].iov_base + off, n);
		done += n;
		off = 0;
	}
	return done;
}

/* Copy len bytes of src into the writable segments of c; what was copied. */
static size_t chain_write(const struct virtq_chain *c, const uint8_t *src, size_t len)
{
	size_t done = 0;
	unsigned i;

	for (i = c->nout; i < c->nout + c->nin && done < len; i++) {
		size_t n = c->iov[i].iov_len < len - done ? c->iov[i].iov_len : len - done;

		memcpy(c->iov[i].iov_base, src + done, n);
		done += n;
	}
	return done;
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

static void tx_one(struct vnet *n, const struct virtq_chain *c)
{
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
	chain_read(c, 0, raw, NET_HDR_LEN);
	net_hdr_decode(&h, raw);
	why = net_hdr_check(&h, frame_len, n->d.negotiated);
	if (why) {
		tx_bad(n, why);
		return;
	}
	io_limit_charge(&n->tx_limit, 1, frame_len);
	if (n->be->ops->send(n->be, n->tx_iov, tx_iovecs(n, c, raw), frame_len) < 0)
		n->stats.tx_dropped++;
	else
		n->stats.tx_packets++;
}

static void rx_poll(struct vnet *n, bool on)
{
	struct berth_error err;

	if (on == n->rx_polling)
		return;
	if (!on) {
		loop_del(n->d.loop, &n->rx_src);
	} else if (loop_add(n->d.loop, &n->rx_src, &err) < 0) {
		fprintf(stderr, "berth-vmm: %s: receive stopped: %s\n", n->name, err.msg);
		return;
	}
	n->rx_polling = on;
}

static void tx_process(struct vnet *n)
{
	struct virtq *q = &n->d.vqs[NET_TXQ];
	struct virtio_budget budget = virtio_budget(q);
	uint64_t walked = q->walked;
	bool limited = false;
	int r = 0;

	virtq_disable_notify(q);
	while (!(limited = !io_limit_ready(&n->tx_limit)) && virtio_budget_take(&budget, q) &&
	       (r = virtq_pop(q, n->tx_chain)) > 0) {
		tx_one(n, n->tx_chain);
		virtq_push(q, n->tx_chain, 0);
	}
	if (r < 0) {
		rx_poll(n, false); /* a device that needs a reset serves no queue */
		virtio_fail(&n->d, q->broken);
		return;
	}
	if (limited) { /* the rest waits in the ring, kicks off, for the limit's timer */
		virtio_signal(&n->d, NET_TXQ);
		return;
	}
	/* After sending anything, look once more after the loop's other work with kicks still
	 * off (a sending guest usually has more by then: fewer exits per MiB); only a pass that
	 * finds nothing turns kicks back on, re-checking for frames added meanwhile. */
	if (q->walked != walked || virtq_enable_notify(q))
		virtio_requeue(&n->d, NET_TXQ);
	virtio_signal(&n->d, NET_TXQ);
}

/* Forget the first k held chains (used or given back). */
static void rx_unhold(struct vnet *n, unsigned k)
{
	n->nheld -= k;
	memmove(n->held, n->held + k, n->nheld * sizeof(*n->held));
}

/* Pop rx chains until those held can take len bytes (or, without MRG_RXBUF, one chain is
 * held): 1 done, 0 the guest has no more buffers, -1 the queue is broken, 2 the turn's
 * budget is spent (chains too small to use count too: each costs what it walked). */
static int rx_gather(struct vnet *n, size_t len, bool mrg, struct virtio_budget *budget)
{
	struct virtq *q = &n->d.vqs[NET_RXQ];
	uint64_t room = 0;
	unsigned i;

	for (i = 0; i < n->nheld; i++)
		room += n->held[i].in_len;
	while (room < len && n->nheld < (mrg ? NET_RX_HOLD : 1)) {
		struct virtq_chain *c = &n->held[n->nheld];
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
		n->nheld++;
	}
	return 1;
}

/* Copy the pending frame into the held chains and give them back. */
static void rx_fill(struct vnet *n, bool mrg)
{
	struct virtq *q = &n->d.vqs[NET_RXQ];
	size_t off = 0;
	unsigned k = 0, i;
	struct net_hdr h;

	for (; off < n->rx_len; k++)
		off += n->rx_len - off < n->held[k].in_len ? n->rx_len - off : n->held[k].in_len;
	net_hdr_decode(&h, n->rx_frame);
	h.num_buffers = mrg ? (uint16_t)k : 1;
	/* Checksum hints only for a guest that asked for them. */
	if (!virtio_has(&n->d, VIRTIO_NET_F_GUEST_CSUM))
		h.flags = 0;
	net_hdr_encode(&h, n->rx_frame);
	for (i = 0, off = 0; i < k; i++) {
		size_t w = chain_write(&n->held[i], n->rx_frame + off, n->rx_len - off);

		virtq_push(q, &n->held[i], (uint32_t)w);
		off += w;
	}
	rx_unhold(n, k);
	n->stats.rx_packets++;
}

/* Deliver the pending frame: 1 delivered (or dropped), 0 wait for buffers, -1 broken, 2
 * budget spent (the frame stays pending, with the chains held so far). */
static int rx_deliver(struct vnet *n, struct virtio_budget *budget)
{
	bool mrg = virtio_has(&n->d, VIRTIO_NET_F_MRG_RXBUF);
	uint64_t room = 0;
	unsigned i;
	int r = rx_gather(n, n->rx_len, mrg, budget);

	if (r != 1)
		return r;
	for (i = 0; i < n->nheld; i++)
		room += n->held[i].in_len;
	if (room < n->rx_len) {
		/* Even all the chains we may hold are too small: the guest cannot take it. */
		n->stats.rx_dropped++;
	} else {
		rx_fill(n, mrg);
	}
	n->rx_len = 0;
	return 1;
}

static void rx_process(struct vnet *n)
{
	struct virtq *q = &n->d.vqs[NET_RXQ];
	struct virtio_budget budget = virtio_budget(q);
	unsigned frames = NET_RX_BUDGET;
	ssize_t len;
	int r;

	for (;;) {
		if (!n->rx_len) {
			/* The rx fd is level-triggered: what is left calls us back. */
			if (frames-- == 0)
				break;
			/* Over the limit: frames wait in the backend until the timer. */
			if (!io_limit_ready(&n->rx_limit)) {
				rx_poll(n, false);
				break;
			}
			len = n->be->ops->recv(n->be, n->rx_frame, NET_RX_BUF);
			if (len < 0) {
				fprintf(stderr, "berth-vmm: %s: receive stopped: %s\n", n->name,
					strerror(errno));
				rx_poll(n, false);
				break;
			}
			if (len == 0)
				break;
			if ((size_t)len < NET_HDR_LEN + NET_ETH_LEN) {
				n->stats.rx_dropped++;
				continue;
			}
			n->rx_len = (size_t)len;
			io_limit_charge(&n->rx_limit, 1, n->rx_len - NET_HDR_LEN);
		}
		r = rx_deliver(n, &budget);
		if (r == 2) {
			/* The frame waits, maybe with no more behind it to wake us: come back. */
			virtio_requeue(&n->d, NET_RXQ);
			break;
		}
		if (r < 0) {
			/* Until reset: a readable fd must not call us back for ever. */
			rx_poll(n, false);
			virtio_fail(&n->d, q->broken);
			return;
		}
		if (r == 0) {
			/* Out of buffers: wait for the guest's notify, unless some just came. */
			if (virtq_enable_notify(q))
				continue;
			rx_poll(n, false);
			break;
		}
	}
	virtio_signal(&n->d, NET_RXQ);
}

static void rx_ready(struct loop_source *src, uint32_t events)
{
	struct vnet *n = src->opaque;

	(void)events;
	pthread_mutex_lock(&n->d.lock);
	/* The source may have been dropped after epoll reported it. */
	if (n->started && n->rx_polling && !n->d.failed)
		rx_process(n);
	pthread_mutex_unlock(&n->d.lock);
}

/* A direction's limit has tokens again. */
static void tx_resume(void *opaque)
{
	struct vnet *n = opaque;

	pthread_mutex_lock(&n->d.lock);
	if (n->started && !n->d.failed)
		tx_process(n);
	pthread_mutex_unlock(&n->d.lock);
}

static void rx_resume(void *opaque)
{
	struct vnet *n = opaque;

	pthread_mutex_lock(&n->d.lock);
	if (n->started && !n->d.failed) {
		rx_poll(n, true);
		rx_process(n);
	}
	pthread_mutex_unlock(&n->d.lock);
}

static void net_config_read(struct virtio_dev *d, uint32_t off, uint8_t *buf, uint32_t len)
{
	memcpy(buf, vnet_of(d)->config + off, len);
}

static int net_start(struct virtio_dev *d)
{
	static struct ratelog rl = RATELOG_INIT; /* as often as the driver sets DRIVER_OK */
	struct vnet *n = vnet_of(d);

	if (!virtio_has(d, VIRTIO_F_VERSION_1)) {
		ratelog_printf(&rl, stderr,
			       "berth-vmm: %s: the driver did not accept VIRTIO_F_VERSION_1",
			       n->name);
		return -1;
	}
	/* Both queues are the driver's to set up (5.1.5); rx is popped whenever frames come. */
	if (!d->vq_enabled[NET_RXQ] || !d->vq_enabled[NET_TXQ]) {
		ratelog_printf(&rl, stderr, "berth-vmm: %s: the driver did not enable both queues",
			       n->name);
		return -1;
	}
	if (n->be->ops->set_features(n->be, d->negotiated) < 0) {
		ratelog_printf(&rl, stderr,
			       "berth-vmm: %s: cannot turn on the offloads the guest accepted: %s",
			       n->name, strerror(errno));
		return -1;
	}
	n->started = true;
	rx_poll(n, true);
	return 0;
}

static void net_notify(struct virtio_dev *d, unsigned q)
{
	struct vnet *n = vnet_of(d);

	if (!n->started)
		return;
	if (q == NET_TXQ) {
		tx_process(n);
	} else if (q == NET_RXQ) {
		rx_poll(n, true);
		rx_process(n);
	}
}

/* All work is done synchronously under d->lock, so nothing is in flight to wait for. */
static void net_reset(struct virtio_dev *d)
{
	struct vnet *n = vnet_of(d);

	rx_poll(n, false);
	n->started = false;
	n->rx_len = 0;
	n->nheld = 0;
	n->be->ops->flush(n->be);
	n->be->ops->set_features(n->be, 0);
}

static void vnet_free(struct vnet *n)
{
	io_limit_destroy(&n->tx_limit);
	io_limit_destroy(&n->rx_limit);
	if (n->be)
		n->be->ops->destroy(n->be);
	free(n->rx_frame);
	free(n->held);
	free(n->tx_chain);
	pthread_mutex_destroy(&n->d.lock);
	free(n);
}

static void net_destroy(struct virtio_dev *d)
{
	struct vnet *n = vnet_of(d);

	rx_poll(n, false);
	vnet_free(n);
}

static const struct virtio_dev_ops net_ops = {
	.config_read = net_config_read,
	.start = net_start,
	.notify = net_notify,
	.reset = net_reset,
	.destroy = net_destroy,
};

static int open_backend(struct vnet *n, const struct net_config *cfg, struct berth_error *err)
{
	int r = cfg->kind == NET_TAP ? net_tap_open(&n->be, cfg->ifname, err)
				     : net_slirp_open(&n->be, cfg, err);

	return r < 0 ? berr_wrap(err, "%s", n->name) : 0;
}

int virtio_net_create(struct virtio_dev **out, const struct net_config *cfg, unsigned index,
		      const struct guest_mem *gm, struct loop *loop, struct berth_error *err)
{
	struct vnet *n = calloc(1, sizeof(*n));

	if (!n)
		return berr(err, ENOMEM, "virtio-net %u", index);
	pthread_mutex_init(&n->d.lock, NULL);
	n->tx_limit.tfd = n->rx_limit.tfd = -1;
	snprintf(n->name, sizeof(n->name), "virtio-net %u", index);
	n->rx_frame = malloc(NET_RX_BUF);
	n->held = malloc(NET_RX_HOLD * sizeof(*n->held));
	n->tx_chain = malloc(sizeof(*n->tx_chain));
	if (!n->rx_frame || !n->held || !n->tx_chain) {
		vnet_free(n);
		return berr(err, ENOMEM, "virtio-net %u", index);
	}
	if (open_backend(n, cfg, err) < 0 ||
	    io_limit_init(&n->tx_limit, &cfg->limit, loop, tx_resume, n, err) ||
	    io_limit_init(&n->rx_limit, &cfg->limit, loop, rx_resume, n, err)) {
		vnet_free(n);
		return -1;
	}
	memcpy(n->config, cfg->mac, 6);
	n->config[6] = VIRTIO_NET_S_LINK_UP;
	n->config[8] = 1; /* max_virtqueue_pairs */
	n->rx_src = (struct loop_source){ .fd = n->be->rx_fd, .fn = rx_ready, .opaque = n };
	n->d.ops = &net_ops;
	n->d.name = n->name;
	n->d.device_id = VIRTIO_ID_NET;
	n->d.features = 1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTQ_F_EVENT_IDX |
			1ULL << VIRTQ_F_INDIRECT_DESC | 1ULL << VIRTIO_NET_F_MAC |
			1ULL << VIRTIO_NET_F_STATUS | 1ULL << VIRTIO_NET_F_MRG_RXBUF |
			n->be->features;
	n->d.nqueues = 2;
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
