/* net_guard.h - what a guest on user-mode networking may send: the host's loopback, DNS
 * and DHCP, nothing else.
 *
 * libslirp NATs the guest's network 10.0.2.0/24 to the host: 10.0.2.2 is the host's
 * loopback, 10.0.2.3 forwards DNS to the host's resolver, and (unless restricted) any
 * other address is reached through the host's own connections. Its `restricted` mode is
 * too strict (it blocks the loopback as well), so the device filters each frame first. */
#ifndef BERTH_VMM_VIRTIO_NET_GUARD_H
#define BERTH_VMM_VIRTIO_NET_GUARD_H

#include <stddef.h>
#include <stdint.h>

/* The guest's network (host byte order). */
#define NET_USER_NETWORK    0x0a000200u /* 10.0.2.0/24 */
#define NET_USER_NETMASK    0xffffff00u
#define NET_USER_HOST	    0x0a000202u /* 10.0.2.2: the host's 127.0.0.1 */
#define NET_USER_DNS	    0x0a000203u /* 10.0.2.3: the host's resolver, port 53 only */
#define NET_USER_DHCP_START 0x0a00020fu /* 10.0.2.15: the first address DHCP gives out */

/* May this Ethernet frame of len bytes from the guest go to slirp? NULL, or why not. */
const char *net_guard_check(const uint8_t *frame, size_t len);

#endif
