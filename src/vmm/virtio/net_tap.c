/* net_tap.c - the tap backend: one non-blocking fd on /dev/net/tun with a 12-byte virtio-net
 * header on every frame, so checksum and segmentation offloads pass straight through. */
#include "net_tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/cleanup.h"

static int tap_send(struct net_backend *b, const struct iovec *iov, int iovcnt, size_t frame_len)
{
	ssize_t n = writev(b->rx_fd, iov, iovcnt);

	if (n < 0)
		return -1;
	if ((size_t)n != NET_HDR_LEN + frame_len) {
		errno = EIO;
		return -1;
	}
	return 0;
}

static ssize_t tap_recv(struct net_backend *b, uint8_t *buf, size_t len)
{
	ssize_t n = read(b->rx_fd, buf, len);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	return n;
}

/* What the tap may hand us is what the guest accepted to receive (GUEST_*). */
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
	return ioctl(b->rx_fd, TUNSETOFFLOAD, flags);
}

/* A tap queues nothing of ours: what the guest missed stays in the kernel's queue. */
static void tap_flush(struct net_backend *b)
{
	(void)b;
}

static void tap_destroy(struct net_backend *b)
{
	close(b->rx_fd);
	free(b);
}

static const struct net_backend_ops tap_ops = {
	.send = tap_send,
	.recv = tap_recv,
	.set_features = tap_set_features,
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
		return berr(err, e,
			    "%s is not a single-queue tap (a tun, a multi-queue tap, or another "
			    "kind of device?)",
			    ifname);
	default:
		return berr(err, e, "cannot attach to tap %s", ifname);
	}
}

int net_tap_open(struct net_backend **out, const char *ifname, struct berth_error *err)
{
	_cleanup_close_ int fd = -1;
	struct ifreq ifr = { 0 };
	int hdr_len = NET_HDR_LEN;
	struct net_backend *b;

	if (!ifname[0] || strnlen(ifname, IFNAMSIZ) >= IFNAMSIZ)
		return berr(err, 0, "a tap needs an interface name of 1 to %d characters",
			    IFNAMSIZ - 1);
	if (if_nametoindex(ifname) == 0)
		return berr(err, 0,
			    "tap %s does not exist; create it with `ip tuntap add %s mode tap`",
			    ifname, ifname);
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return berr(err, errno, "cannot open /dev/net/tun for tap %s", ifname);
	strcpy(ifr.ifr_name, ifname);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		return tap_attach_error(err, errno, ifname);
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr_len) < 0)
		return berr(err, errno, "tap %s: cannot set the virtio-net header size", ifname);
	/* No offloads towards the guest until it has accepted them. */
	if (ioctl(fd, TUNSETOFFLOAD, 0) < 0)
		return berr(err, errno, "tap %s: cannot clear offloads", ifname);
	b = calloc(1, sizeof(*b));
	if (!b)
		return berr(err, ENOMEM, "tap %s", ifname);
	b->ops = &tap_ops;
	b->rx_fd = steal_fd(&fd);
	b->features = 1ULL << VIRTIO_NET_F_CSUM | 1ULL << VIRTIO_NET_F_GUEST_CSUM |
		      1ULL << VIRTIO_NET_F_HOST_TSO4 | 1ULL << VIRTIO_NET_F_HOST_TSO6 |
		      1ULL << VIRTIO_NET_F_HOST_ECN | 1ULL << VIRTIO_NET_F_GUEST_TSO4 |
		      1ULL << VIRTIO_NET_F_GUEST_TSO6 | 1ULL << VIRTIO_NET_F_GUEST_ECN;
	*out = b;
	return 0;
}
