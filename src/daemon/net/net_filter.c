/* net_filter.c - the bridge family table that keeps each server's port to its own
 * addresses. Three sets name the ports and what each may send from:
 *
 *   ports  the ports under guard (IFNAME)
 *   mac    IFNAME . its MAC      (every frame's source, ARP's sender MAC)
 *   ip4    IFNAME . its address  (IPv4's source, ARP's sender address)
 *
 * Prerouting sees every frame a port sends, to the host or to be forwarded, and sends a
 * guarded port's to `port`: only IPv4 and ARP pass, and only from the port's own MAC and
 * address. A port's elements go in before it joins the bridge, so it never sends unguarded. */
#include "daemon/net/net_filter.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/cleanup.h"
#include "daemon/net/net_nat.h"
#include "daemon/net/net_nft.h"
#include "daemon/net/net_pool.h"

/* IPv6 is dropped with everything that is not IPv4 or ARP: berthd gives no server an IPv6
 * address and sends no router advertisement, so IPv6 between ports would only be a way
 * around the rules (neighbour discovery, router advertisements from a tenant). The first
 * DHCP request comes from 0.0.0.0, an ARP probe (RFC 5227) from sender address 0.0.0.0. */
static const char filter_chains[] =
    "set ports { type ifname; }\n"
    "set mac { type ifname . ether_addr; }\n"
    "set ip4 { type ifname . ipv4_addr; }\n"
    "chain port {\n"
    "  iifname . ether saddr != @mac drop\n"
    "  ether type arp jump port_arp\n"
    "  ether type ip jump port_ip\n"
    "  drop\n"
    "}\n"
    "chain port_arp {\n"
    "  arp htype != 1 drop\n"
    "  arp ptype != ip drop\n"
    "  arp hlen != 6 drop\n"
    "  arp plen != 4 drop\n"
    "  iifname . arp saddr ether != @mac drop\n"
    "  arp operation request arp saddr ip 0.0.0.0 accept\n"
    "  iifname . arp saddr ip != @ip4 drop\n"
    "  accept\n"
    "}\n"
    "chain port_ip {\n"
    "  udp sport 67 drop\n"
    "  ip saddr 0.0.0.0 ip daddr 255.255.255.255 udp sport 68 udp dport 67 accept\n"
    "  iifname . ip saddr != @ip4 drop\n"
    "  accept\n"
    "}\n"
    "chain prerouting {\n"
    "  type filter hook prerouting priority filter; policy accept;\n"
    "  iifname @ports jump port\n"
    "}\n";

/* The elements of p, as `add element` or `delete element` commands into f. */
static void port_elements(FILE *f, const char *verb, const char *table, const struct net_port *p)
{
	char mac[NET_MAC_LEN], addr[NET_ADDR_LEN];

	net_addr_mac(p->addr, mac);
	net_addr_format(p->addr, addr);
	fprintf(f,
		"%s element bridge %s ports { \"%s\" }\n"
		"%s element bridge %s mac { \"%s\" . %s }\n"
		"%s element bridge %s ip4 { \"%s\" . %s }\n",
		verb, table, p->name, verb, table, p->name, mac, verb, table, p->name, addr);
}

int net_filter_apply(const char *bridge, bool isolate, const struct net_port *ports, size_t n,
		     struct berth_error *err)
{
	char table[NET_NAT_TABLE_MAX], what[80];
	_cleanup_free_ char *cmds = NULL;
	size_t size, i;
	FILE *f;

	net_nat_table(bridge, table);
	f = open_memstream(&cmds, &size);
	if (!f)
		return berr(err, errno, "nftables rules of bridge %s", bridge);
	/* the empty table first, so that delete never fails: one transaction replaces it */
	fprintf(f, "table bridge %s {}\ndelete table bridge %s\ntable bridge %s {\n%s", table,
		table, table, filter_chains);
	if (isolate)
		fprintf(f, "chain forward {\n"
			   "  type filter hook forward priority filter; policy accept;\n"
			   "  iifname @ports oifname @ports drop\n"
			   "}\n");
	fprintf(f, "}\n");
	for (i = 0; i < n; i++)
		port_elements(f, "add", table, &ports[i]);
	if (fclose(f))
		return berr(err, errno, "nftables rules of bridge %s", bridge);
	snprintf(what, sizeof(what), "set up nftables table bridge %s", table);
	return net_nft_run(cmds, what,
			   "does the kernel have nf_tables for bridges, CONFIG_NF_TABLES_BRIDGE?",
			   err);
}

/* Run the commands of verbs on p's elements in one transaction. */
static int port_run(const char *bridge, const struct net_port *p, const char *const verbs[2],
		    const char *what, struct berth_error *err)
{
	char table[NET_NAT_TABLE_MAX], doing[96];
	_cleanup_free_ char *cmds = NULL;
	size_t size;
	unsigned i;
	FILE *f = open_memstream(&cmds, &size);

	if (!f)
		return berr(err, errno, "nftables rules of %s", p->name);
	net_nat_table(bridge, table);
	for (i = 0; i < 2 && verbs[i]; i++)
		port_elements(f, verbs[i], table, p);
	if (fclose(f))
		return berr(err, errno, "nftables rules of %s", p->name);
	snprintf(doing, sizeof(doing), "%s %s in nftables table bridge %s", what, p->name, table);
	return net_nft_run(cmds, doing, "is berthd's table still there?", err);
}

int net_filter_port_add(const char *bridge, const struct net_port *p, struct berth_error *err)
{
	static const char *const verbs[2] = { "add", NULL };

	return port_run(bridge, p, verbs, "filter port", err);
}

int net_filter_port_remove(const char *bridge, const struct net_port *p, struct berth_error *err)
{
	/* add first, so that the delete never fails on an element that is not there */
	static const char *const verbs[2] = { "add", "delete" };

	return port_run(bridge, p, verbs, "remove port", err);
}
