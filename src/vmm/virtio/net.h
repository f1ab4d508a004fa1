/* net.h - virtio-net (virtio 1.x, 5.1): a network card whose frames go to a host tap
 * device or to user-mode networking (libslirp). Queue pairs (receive, transmit) come first,
 * one per backend queue (up to NET_MAX_PAIRS on a multi-queue tap, else one), then the
 * control queue (multiqueue only). See "virtio-net" in docs/berth-vmm.md. */
#ifndef BERTH_VMM_VIRTIO_NET_H
#define BERTH_VMM_VIRTIO_NET_H

#include <stdint.h>

#include "common/error.h"
#include "vmm/config.h"
#include "vmm/loop.h"
#include "vmm/memory.h"
#include "vmm/virtio/device.h"

/* What a device has carried and refused since it was created. */
struct net_stats {
	uint64_t tx_packets; /* frames handed to the backend */
	uint64_t tx_bad;     /* frames dropped for a bad header or length */
	uint64_t tx_dropped; /* frames the backend refused (tap error, user-mode filter) */
	uint64_t rx_packets; /* frames given to the guest */
	uint64_t rx_dropped; /* frames too big for the guest's buffers */
};

/* Create virtio-net device number index with the backend cfg describes, with up to pairs
 * queue pairs (1..NET_MAX_PAIRS; a tap only, and only a multi-queue one, gets more than 1). */
int virtio_net_create(struct virtio_dev **out, const struct net_config *cfg, unsigned index,
		      unsigned pairs, const struct guest_mem *gm, struct loop *loop,
		      struct berth_error *err);

/* Serve each queue pair on a thread of its own, which takes its queues' kicks over from the
 * transport (after virtio_pci_init, before any seccomp filter): only with more than one
 * pair and no bps= limit (whose buckets the pairs share); else every pair stays on the
 * device's loop. */
int virtio_net_threads(struct virtio_dev *d, struct berth_error *err);

/* Copy d's counters into st (takes d->lock). */
void virtio_net_stats(struct virtio_dev *d, struct net_stats *st);

#endif
