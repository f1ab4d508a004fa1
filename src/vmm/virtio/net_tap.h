/* net_tap.h - the tap backend of virtio-net: frames go to and come from a host tap device. */
#ifndef BERTH_VMM_VIRTIO_NET_TAP_H
#define BERTH_VMM_VIRTIO_NET_TAP_H

#include "common/error.h"
#include "vmm/virtio/net_backend.h"

/* Attach to the existing tap interface ifname (IFF_TAP, IFF_NO_PI, IFF_VNET_HDR) with up to
 * pairs (1..NET_MAX_PAIRS) queues when it is a multi-queue tap, else with one; queue 0
 * alone attached until set_queues. */
int net_tap_open(struct net_backend **out, const char *ifname, unsigned pairs,
		 struct berth_error *err);

#endif
