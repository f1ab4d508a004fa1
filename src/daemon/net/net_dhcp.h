/* net_dhcp.h - the DHCP server of the bridge: a dnsmasq berthd starts and that outlives it
 * (adopted by its pid file), answering on the bridge only. A server's MAC follows from its
 * address (net_addr_mac), so one file made at start, MAC and address for every address of the
 * pool, is right for every server there will be: berthd never has to tell dnsmasq of a new
 * server. No DNS (--port=0). */
#ifndef BERTH_DAEMON_NET_DHCP_H
#define BERTH_DAEMON_NET_DHCP_H

#include "common/error.h"
#include "daemon/net/net_pool.h"

/* Start dnsmasq for bridge and pool unless the one of STATE_DIR/dhcp/dnsmasq.pid runs with
 * these settings (one with others, such as an older bridge_address, is stopped first). */
int net_dhcp_ensure(const char *state_dir, const char *bridge, const struct net_pool *pool,
		    struct berth_error *err);

#endif
