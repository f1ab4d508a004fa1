/* net_filter.h - the rules of berthd's bridge (nftables, bridge family, libnftables): a
 * server's port (its VM's tap or its container's veth) sends only from its own MAC and its
 * own IPv4 address, ARP included, and no IPv6 (berthd gives none) or other protocol; no
 * port answers DHCP; with isolate_servers no port reaches another. One table,
 * `bridge berth_BRIDGE`, whose sets hold the ports: a port's elements are added before it
 * joins the bridge and removed when it goes. docs/berthd.md, "The bridge's rules". */
#ifndef BERTH_DAEMON_NET_FILTER_H
#define BERTH_DAEMON_NET_FILTER_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* A server's port: its interface's name and its address (host byte order), whose MAC
 * follows (net_addr_mac). */
struct net_port {
	char name[IFNAMSIZ];
	uint32_t addr;
};

/* Replace the table of bridge in one transaction, holding the n ports given (those of the
 * servers that run on), with isolate or without. */
int net_filter_apply(const char *bridge, bool isolate, const struct net_port *ports, size_t n,
		     struct berth_error *err);

/* Add port p to the table of bridge (again is fine). */
int net_filter_port_add(const char *bridge, const struct net_port *p, struct berth_error *err);

/* Remove port p from the table of bridge (a port it does not hold is fine). */
int net_filter_port_remove(const char *bridge, const struct net_port *p, struct berth_error *err);

#endif
