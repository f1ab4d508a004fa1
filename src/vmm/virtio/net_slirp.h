/* net_slirp.h - the user-mode backend of virtio-net: libslirp on its own thread gives the
 * guest DHCP, DNS and its host's loopback at 10.0.2.2, and forwards host TCP ports to it. */
#ifndef BERTH_VMM_VIRTIO_NET_SLIRP_H
#define BERTH_VMM_VIRTIO_NET_SLIRP_H

#include "common/error.h"
#include "vmm/config.h"
#include "vmm/virtio/net_backend.h"

/* Start user-mode networking with the port forwards in cfg (listening on 127.0.0.1). */
int net_slirp_open(struct net_backend **out, const struct net_config *cfg, struct berth_error *err);

#endif
