/* net_backend.h - where a virtio-net device's frames go and come from: a tap device
 * (net_tap.c) or user-mode networking (net_slirp.c).
 *
 * The device (net.c) owns the queues and calls these from the VMM's event-loop thread with
 * its lock held. Frames cross with a 12-byte virtio-net header in front: on send it has
 * been checked (net_hdr_check) and lies in host memory, out of the guest's reach; on recv
 * the backend writes it (num_buffers is left for the device to fill).
 *
 * A backend carries 1..NET_MAX_PAIRS queues (a multi-queue tap: one fd per queue), each
 * its own rx_fd; the device's queue pair q sends and receives through queue q. */
#ifndef BERTH_VMM_VIRTIO_NET_BACKEND_H
#define BERTH_VMM_VIRTIO_NET_BACKEND_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "vmm/virtio/net_hdr.h"

/* Most queue pairs a virtio-net device has (and queues a backend carries). */
#define NET_MAX_PAIRS 8

struct net_backend;

struct net_backend_ops {
	/* Send one frame: iov[0] is the header, the rest the frame of frame_len bytes (it
	 * may still be in guest memory). 0, or -1 with errno when it was dropped. */
	int (*send)(struct net_backend *b, unsigned q, const struct iovec *iov, int iovcnt,
		    size_t frame_len);
	/* Take queue q's next received frame, header first, into the iovcnt buffers of iov
	 * (in order; the device gives room for the largest frame, NET_HDR_LEN +
	 * NET_MAX_FRAME): its length, 0 when there is none, -1 with errno on error. */
	ssize_t (*recv)(struct net_backend *b, unsigned q, const struct iovec *iov, int iovcnt);
	/* The driver accepted these VIRTIO_NET_F_* features: turn on the matching offloads. */
	int (*set_features)(struct net_backend *b, uint64_t negotiated);
	/* Carry traffic on queues 0..n-1 only, 1 <= n <= nqueues (the others get none to
	 * receive); NULL for a backend of one queue only. */
	int (*set_queues)(struct net_backend *b, unsigned n);
	/* Drop frames queued for a guest that has gone away (device reset). */
	void (*flush)(struct net_backend *b);
	/* Release everything. */
	void (*destroy)(struct net_backend *b);
};

struct net_backend {
	const struct net_backend_ops *ops;
	unsigned nqueues;	  /* 1..NET_MAX_PAIRS */
	int rx_fd[NET_MAX_PAIRS]; /* rx_fd[q]: readable when recv(q) may have a frame */
	uint64_t features;	  /* the VIRTIO_NET_F_* offloads this backend can carry */
};

#endif
