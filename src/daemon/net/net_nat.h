/* net_nat.h - berthd's own nftables table (libnftables): masquerade for the bridge's subnet
 * and forwarding to and from the bridge. Other tables are never touched. */
#ifndef BERTH_DAEMON_NET_NAT_H
#define BERTH_DAEMON_NET_NAT_H

#include <stdbool.h>

#include "common/error.h"
#include "daemon/net/net_pool.h"

#define NET_NAT_TABLE_MAX 32

/* The name of the table of bridge: berth_BRIDGE, with what nft does not take in a name
 * made '_'. */
void net_nat_table(const char *bridge, char out[NET_NAT_TABLE_MAX]);

/* Replace the table `ip berth_BRIDGE` in one transaction: forward accepts what enters from
 * bridge and what answers it, but with isolate what the host would route from bridge back
 * to it (server to server); with nat, what leaves pool's subnet through another interface
 * is masqueraded, and net.ipv4.ip_forward is turned on. */
int net_nat_apply(const char *bridge, const struct net_pool *pool, bool nat, bool isolate,
		  struct berth_error *err);

#endif
