/* net_dhcp.h - the DHCP server of the bridge: a dnsmasq berthd starts and that outlives it
 * (adopted by its pid file), answering on the bridge only, each server's MAC with its
 * address of the pool (one file per server in STATE_DIR/dhcp/hosts, which dnsmasq watches).
 * No DNS (--port=0). */
#ifndef BERTH_DAEMON_NET_DHCP_H
#define BERTH_DAEMON_NET_DHCP_H

#include "common/error.h"
#include "daemon/net_pool.h"

/* Start dnsmasq for bridge and pool unless the one of STATE_DIR/dhcp/dnsmasq.pid runs. */
int net_dhcp_ensure(const char *state_dir, const char *bridge, const struct net_pool *pool,
		    struct berth_error *err);

/* Offer addr to mac under server name's file; forget it again. */
int net_dhcp_host(const char *state_dir, const char *name, const char *mac, const char *addr,
		  struct berth_error *err);
void net_dhcp_forget(const char *state_dir, const char *name);

#endif
