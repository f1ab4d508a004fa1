/* net_flows.h - how many flows a user-mode-networking guest may hold open through libslirp.
 *
 * libslirp opens a host socket for every TCP connection, every UDP source port and every
 * ping the guest starts, and closes it when the connection ends or has been idle long
 * enough (UDP: 240 s, DNS: 10 s); it offers no call to close one earlier or to cap them. So
 * a guest sending datagrams from thousands of ports took berth-vmm to its fd limit. The
 * device asks here before each frame that passed net_guard_check: a frame that would open
 * a new socket goes through only while libslirp holds fewer than NET_FLOWS_MAX; the rest of
 * a guest's traffic (on its flows already open) is never held back. Old and idle flows
 * make way as libslirp's own timers close them. UDP source ports the guest used recently
 * are remembered (NET_FLOWS_MAX of them, least recently used forgotten first) as holding a
 * socket. */
#ifndef BERTH_VMM_VIRTIO_NET_FLOWS_H
#define BERTH_VMM_VIRTIO_NET_FLOWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Most sockets libslirp may hold for one card (its hostfwd listeners count too). */
#define NET_FLOWS_MAX 256

struct net_flows {
	unsigned n;		      /* UDP ports remembered */
	uint64_t clock;		      /* counts frames, for least recently used */
	uint16_t port[NET_FLOWS_MAX]; /* UDP source ports with a socket, as far as we know */
	uint64_t used[NET_FLOWS_MAX]; /* clock at each port's last frame */
};

/* May frame (len bytes, already passed by net_guard_check) go to libslirp, which holds
 * *live sockets now? If it opens a new one, *live counts it. */
bool net_flows_admit(struct net_flows *f, const uint8_t *frame, size_t len, unsigned *live);

#endif
