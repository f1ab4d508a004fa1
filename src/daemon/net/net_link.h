/* net_link.h - the host's network interfaces berthd makes, through rtnetlink (libnl-route):
 * the bridge, a persistent tap per running VM, a veth pair per running container whose
 * peer becomes eth0 in the container's network namespace. Each call opens its own netlink
 * socket, so any thread may call any of them. */
#ifndef BERTH_DAEMON_NET_LINK_H
#define BERTH_DAEMON_NET_LINK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

/* Make bridge name if it is missing, give it address/prefix (host byte order) and bring
 * it up. */
int net_link_bridge(const char *name, uint32_t address, unsigned prefix, struct berth_error *err);

/* Make the persistent tap name (IFF_TAP|IFF_NO_PI|IFF_VNET_HDR|IFF_MULTI_QUEUE, as
 * berth-vmm opens it: a queue pair per vCPU) if it is missing, put it on bridge and bring
 * it up. */
int net_link_tap(const char *name, const char *bridge, struct berth_error *err);

/* Attach fd, open on /dev/net/tun, to tap name (made if missing) with berth-vmm's flags:
 * multi-queue, or single-queue for a tap made so (the kernel refuses a mismatch). 0, or
 * -1 with errno. */
int net_link_tap_attach(int fd, const char *name);

/* Make the veth pair host/peer with peer in the network namespace of process pid, put
 * host on bridge and up; then, in that namespace, rename peer eth0, give it the MAC mac
 * ("52:54:00:..."), address/prefix, a default route via gateway, and bring it and lo up. */
int net_link_veth(const char *host, const char *peer, const char *bridge, pid_t pid,
		  const char *mac, uint32_t address, unsigned prefix, uint32_t gateway,
		  struct berth_error *err);

/* Remove interface name; true if it was there. */
bool net_link_remove(const char *name);

/* Call fn with the name of every interface whose name starts with prefix. */
int net_link_each(const char *prefix, void (*fn)(const char *name, void *ctx), void *ctx,
		  struct berth_error *err);

#endif
