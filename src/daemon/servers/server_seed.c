/* server_seed.c - a server's seed with its network (server_seed.h). */
#include "daemon/servers/server_seed.h"

#include <stdio.h>

#include "daemon/net/net_pool.h"
#include "daemon/state/seed_rows.h"

int server_seed(struct berthd *d, const struct server *s, struct cloud_seed *seed,
		struct berth_error *err)
{
	sqlite3 *db = db_conn(&d->db, err);
	uint32_t addr;

	if (!db || seed_load(db, s->name, seed, err))
		return -1;
	/* without the bridge (user-mode networking, or none) the guest's DHCP is all there is */
	if (d->net.mode != NET_BRIDGE || !s->address[0] || net_addr_parse(s->address, &addr))
		return 0;
	snprintf(seed->address, sizeof(seed->address), "%s", s->address);
	net_addr_format(d->net.pool.gateway, seed->gateway);
	net_addr_mac(addr, seed->mac);
	seed->prefix = d->net.pool.prefix;
	return 0;
}
