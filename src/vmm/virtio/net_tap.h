/* net_tap.h - the tap backend of virtio-net: frames go to and come from a host tap device. */
#ifndef BERTH_VMM_VIRTIO_NET_TAP_H
#define BERTH_VMM_VIRTIO_NET_TAP_H

#include "common/error.h"
#include "vmm/virtio/net_backend.h"

/* Attach to the existing tap interface ifname (IFF_TAP, IFF_NO_PI, IFF_VNET_HDR). */
int net_tap_open(struct net_backend **out, const char *ifname, struct berth_error *err);

#endif
