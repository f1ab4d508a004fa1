/* net_pool.h - the address pool of berthd's bridge: the subnet of `bridge_address`, whose
 * one address is the gateway (the bridge's own) and whose others, but the network and
 * broadcast addresses, go to servers. Pure arithmetic: the database holds who has which
 * (servers.address), net_pool_pick() chooses a free one. */
#ifndef BERTH_DAEMON_NET_POOL_H
#define BERTH_DAEMON_NET_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define NET_POOL_MIN_PREFIX 16 /* at most 65534 addresses: a bitmap of 8 KiB picks one */
#define NET_POOL_MAX_PREFIX 29 /* /30 and smaller leave no room for servers beside the gateway */
#define NET_ADDR_LEN	    16 /* "255.255.255.255" and a NUL */
#define NET_MAC_LEN	    18 /* "52:54:00:xx:xx:xx" and a NUL */

/* An IPv4 subnet with the gateway in it; host byte order. prefix 0: no pool (networks off). */
struct net_pool {
	uint32_t gateway, network;
	unsigned prefix;
};

/* Parse "A.B.C.D/N" (the gateway's address and the subnet's length) into p. Refuses a
 * prefix outside /16../29 and a gateway that is the network or broadcast address. */
int net_pool_parse(const char *text, struct net_pool *p, struct berth_error *err);

/* Parse a dotted IPv4 address. */
int net_addr_parse(const char *text, uint32_t *addr);

/* addr as "A.B.C.D" in out (NET_ADDR_LEN bytes). */
char *net_addr_format(uint32_t addr, char out[NET_ADDR_LEN]);

/* The MAC of the server with address addr: 52:54:00 (the prefix KVM guests use) and the
 * address's low three bytes, unique in a pool of /16 or smaller. */
char *net_addr_mac(uint32_t addr, char out[NET_MAC_LEN]);

/* The netmask, the broadcast address, and the number of addresses servers may get. */
uint32_t net_pool_mask(const struct net_pool *p);
uint32_t net_pool_broadcast(const struct net_pool *p);
uint32_t net_pool_size(const struct net_pool *p);

/* Is addr one a server of the pool may have (in the subnet, not the network, broadcast or
 * gateway address)? */
bool net_pool_holds(const struct net_pool *p, uint32_t addr);

/* The lowest address of the pool that is none of the n in used (any order; ones outside
 * the pool are ignored) into *addr; -1 with ENOSPC in err when every one is taken. */
int net_pool_pick(const struct net_pool *p, const uint32_t *used, size_t n, uint32_t *addr,
		  struct berth_error *err);

#endif
