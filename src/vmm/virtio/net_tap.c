/* net_tap.c - the tap backend: non-blocking fds on /dev/net/tun with a 12-byte virtio-net
 * header on every frame, so checksum and segmentation offloads pass straight through.
 *
 * A multi-queue tap (IFF_MULTI_QUEUE) gets one fd per queue pair, each attached with
 * TUNSETIFF on the same name; the kernel spreads received flows over the queues attached,
 * so a queue the guest does not use is detached (TUNSETQUEUE) rather than left unread. A
 * single-queue tap gets one fd and one pair, whatever was asked. */
#include "net_tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/cleanup.h"

static int tap_send(struct net_backend *b, unsigned q, const struct iovec *iov, int iovcnt,
		    size_t frame_len)
{
	ssize_t n = writev(b->rx_fd[q], iov, iovcnt);

	if (n < 0)
		return -1;
	if ((size_t)n != NET_HDR_LEN + frame_len) {
		errno = EIO;
		return -1;
	}
	return 0;
}

static ssize_t tap_recv(struct net_backend *b, unsigned q, const struct iovec *iov, int iovcnt)
{
	ssize_t n = readv(b->rx_fd[q], iov, iovcnt);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	return n;
}

/* What the tap may hand us is what the guest accepted to receive (GUEST_*). The offloads
 * belong to the interface, not to one of its queues. */
static int tap_set_features(struct net_backend *b, uint64_t negotiated)
{
	unsigned flags = 0;

	if (negotiated & (1ULL << VIRTIO_NET_F_GUEST_CSUM)) {
		flags |= TUN_F_CSUM;
		if (negotiated & (1ULL << VIRTIO_NET_F_GUEST_TSO4))
			flags |= TUN_F_TSO4;
		if (negotiated & (1ULL << VIRTIO_NET_F_GUEST_TSO6))
			flags |= TUN_F_TSO6;
		if ((flags & (TUN_F_TSO4 | TUN_F_TSO6)) &&
		    (negotiated & (1ULL << VIRTIO_NET_F_GUEST_ECN)))
			flags |= TUN_F_TSO_ECN;
	}
	return ioctl(b->rx_fd[0], TUNSETOFFLOAD, flags);
}

/* Attach queues 0..n-1, detach the rest. Attaching an attached queue (or detaching a
 * detached one) is EINVAL to the kernel, and harmless here. */
static int tap_set_queues(struct net_backend *b, unsigned n)
{
	for (unsigned q = 0; q < b->nqueues; q++) {
		struct ifreq ifr = { .ifr_flags = q < n ? IFF_ATTACH_QUEUE : IFF_DETACH_QUEUE };

		if (ioctl(b->rx_fd[q], TUNSETQUEUE, &ifr) < 0 && errno != EINVAL)
			return -1;
	}
	return 0;
}

/* A tap queues nothing of ours: what the guest missed stays in the kernel's queue. */
static void tap_flush(struct net_backend *b)
{
	(void)b;
}

static void tap_destroy(struct net_backend *b)
{
	for (unsigned q = 0; q < b->nqueues; q++)
		close(b->rx_fd[q]);
	free(b);
}

static const struct net_backend_ops tap_ops = {
	.send = tap_send,
	.recv = tap_recv,
	.set_features = tap_set_features,
	.set_queues = tap_set_queues,
	.flush = tap_flush,
	.destroy = tap_destroy,
};

static int tap_attach_error(struct berth_error *err, int e, const char *ifname)
{
	switch (e) {
	case EPERM:
		return berr(err, e,
			    "tap %s: not permitted; run as root, or create it for this user with "
			    "`ip tuntap add %s mode tap user $USER`",
			    ifname, ifname);
	case EBUSY:
		return berr(err, e, "tap %s is busy: another process has it open", ifname);
	case EINVAL:
		return berr(err, e, "%s is not a tap (a tun, or another kind of device?)", ifname);
	default: /* /dev/net/tun missing, say */
		return berr(err, e, "cannot attach to tap %s", ifname);
	}
}

/* Open one queue of tap ifname with flags (IFF_MULTI_QUEUE or not): the fd, or -1 with
 * errno. */
static int tap_attach(const char *ifname, short mq)
{
	_cleanup_close_ int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	struct ifreq ifr = { 0 };

	if (fd < 0)
		return -1;
	strcpy(ifr.ifr_name, ifname);
	ifr.ifr_flags = (short)(IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | mq);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		return -1;
	return steal_fd(&fd);
}

/* The first queue: with IFF_MULTI_QUEUE when more than one is wanted, or when the tap is
 * a multi-queue one (the kernel refuses a mismatch with EINVAL); *mq says which it was. */
static int tap_attach_first(const char *ifname, unsigned want, short *mq)
{
	int fd;

	*mq = want > 1 ? IFF_MULTI_QUEUE : 0;
	fd = tap_attach(ifname, *mq);
	if (fd < 0 && errno == EINVAL) {
		*mq ^= IFF_MULTI_QUEUE;
		fd = tap_attach(ifname, *mq);
	}
	return fd;
}

int net_tap_open(struct net_backend **out, const char *ifname, unsigned pairs,
		 struct berth_error *err)
{
	int hdr_len = NET_HDR_LEN;
	struct net_backend *b;
	short mq;
	int fd;

	if (!ifname[0] || strnlen(ifname, IFNAMSIZ) >= IFNAMSIZ)
		return berr(err, 0, "a tap needs an interface name of 1 to %d characters",
			    IFNAMSIZ - 1);
	if (pairs < 1 || pairs > NET_MAX_PAIRS)
		return berr(err, 0, "tap %s: 1 to %d queue pairs", ifname, NET_MAX_PAIRS);
	if (if_nametoindex(ifname) == 0)
		return berr(err, 0,
			    "tap %s does not exist; create it with `ip tuntap add %s mode tap`",
			    ifname, ifname);
	fd = tap_attach_first(ifname, pairs, &mq);
	if (fd < 0)
		return tap_attach_error(err, errno, ifname);
	b = calloc(1, sizeof(*b));
	if (!b) {
		close(fd);
		return berr(err, ENOMEM, "tap %s", ifname);
	}
	b->ops = &tap_ops;
	b->rx_fd[b->nqueues++] = fd;
	if (!mq && pairs > 1)
		fprintf(stderr,
			"berth-vmm: tap %s is a single-queue tap: one queue pair instead of %u "
			"(create it with `ip tuntap add %s mode tap multi_queue`)\n",
			ifname, pairs, ifname);
	while (mq && b->nqueues < pairs) {
		fd = tap_attach(ifname, mq);
		if (fd < 0) {
			berr(err, errno, "tap %s: cannot attach queue %u", ifname, b->nqueues);
			tap_destroy(b);
			return -1;
		}
		b->rx_fd[b->nqueues++] = fd;
	}
	if (ioctl(b->rx_fd[0], TUNSETVNETHDRSZ, &hdr_len) < 0) {
		berr(err, errno, "tap %s: cannot set the virtio-net header size", ifname);
		tap_destroy(b);
		return -1;
	}
	/* No offloads towards the guest until it has accepted them, and the queues beyond
	 * the first only once the driver asks for them. */
	if (ioctl(b->rx_fd[0], TUNSETOFFLOAD, 0) < 0 || (mq && tap_set_queues(b, 1) < 0)) {
		berr(err, errno, "tap %s: cannot clear offloads or detach queues", ifname);
		tap_destroy(b);
		return -1;
	}
	b->features = 1ULL << VIRTIO_NET_F_CSUM | 1ULL << VIRTIO_NET_F_GUEST_CSUM |
		      1ULL << VIRTIO_NET_F_HOST_TSO4 | 1ULL << VIRTIO_NET_F_HOST_TSO6 |
		      1ULL << VIRTIO_NET_F_HOST_ECN | 1ULL << VIRTIO_NET_F_GUEST_TSO4 |
		      1ULL << VIRTIO_NET_F_GUEST_TSO6 | 1ULL << VIRTIO_NET_F_GUEST_ECN;
	*out = b;
	return 0;
}
