/* net.c - networks: the bridge at start, a server's interface at its start and stop. */
#include "daemon/net/net.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "daemon/state/db.h"
#include "daemon/net/net_dhcp.h"
#include "daemon/net/net_lease.h"
#include "daemon/net/net_link.h"
#include "daemon/net/net_shape.h"
#include "daemon/net/net_nat.h"

/* Interface names: a kind letter after "bt", then the address in hex, so that they fit
 * IFNAMSIZ, never clash between servers and tell which pool they are of. */
#define IF_TAP	"btv" /* a VM's tap */
#define IF_VETH "btc" /* a container's veth, host end */
#define IF_PEER "btp" /* its peer, until it is eth0 in the container */
#define IF_LEN	16

static void if_name(char out[IF_LEN], const char *kind, uint32_t addr)
{
	snprintf(out, IF_LEN, "%s%08x", kind, addr);
}

/* s's address of the pool. */
static int server_addr(const struct net *n, const struct server *s, uint32_t *addr,
		       struct berth_error *err)
{
	if (net_addr_parse(s->address, addr) || !net_pool_holds(&n->pool, *addr))
		return berr(err, 0,
			    "server %s has no address of the pool (%s): restart berthd to give "
			    "it one",
			    s->name, s->address[0] ? s->address : "none");
	return 0;
}

int net_start(struct net *n, const struct config *c, const char *state_dir, sqlite3 *db,
	      struct berth_error *err)
{
	*n =
	    (struct net){ .mode = NET_OFF, .pool = c->pool, .nat = c->nat, .state_dir = state_dir };
	snprintf(n->bridge, sizeof(n->bridge), "%s", c->bridge);
	if (!c->network)
		return 0;
	/* Without root no interface can be made, so `bridge` cannot count: VMs still get a
	 * network, the one berth-vmm makes itself. */
	if (geteuid() != 0) {
		n->mode = NET_USER;
		fprintf(stderr, "berthd: not root: VMs get user-mode networking%s%s%s\n",
			c->bridge[0] ? " (bridge " : "", c->bridge,
			c->bridge[0] ? " not made)" : "");
		return 0;
	}
	if (!c->bridge[0])
		return 0;
	n->mode = NET_BRIDGE;
	if (net_link_bridge(n->bridge, n->pool.gateway, n->pool.prefix, err) ||
	    net_nat_apply(n->bridge, &n->pool, n->nat, err) ||
	    net_dhcp_ensure(state_dir, n->bridge, &n->pool, err) ||
	    net_lease_fill(db, &n->pool, err))
		return berr_wrap(err, "networks (bridge %s)", n->bridge);
	return 0;
}

void net_check(const struct net *n)
{
	struct berth_error err;

	if (n->mode == NET_BRIDGE && net_dhcp_ensure(n->state_dir, n->bridge, &n->pool, &err))
		fprintf(stderr, "berthd: %s\n", err.msg);
}

int net_vm_attach(const struct net *n, const struct server *s, char net[NET_VM_ARG_MAX],
		  char cmdline[NET_CMDLINE_MAX], struct berth_error *err)
{
	char tap[IF_LEN], mac[NET_MAC_LEN], gw[NET_ADDR_LEN];
	uint32_t addr;

	net[0] = cmdline[0] = '\0';
	if (n->mode == NET_USER)
		snprintf(net, NET_VM_ARG_MAX, "user");
	if (n->mode != NET_BRIDGE)
		return 0;
	if (server_addr(n, s, &addr, err))
		return -1;
	if_name(tap, IF_TAP, addr);
	net_addr_mac(addr, mac);
	if (net_link_tap(tap, n->bridge, err))
		return berr_wrap(err, "network of VM %s", s->name);
	snprintf(net, NET_VM_ARG_MAX, "tap=%s,mac=%s", tap, mac);
	snprintf(cmdline, NET_CMDLINE_MAX, "berth.ip=%s/%u berth.gw=%s", s->address, n->pool.prefix,
		 net_addr_format(n->pool.gateway, gw));
	return 0;
}

int net_ct_attach(const struct net *n, const struct server *s, pid_t pid, struct berth_error *err)
{
	char host[IF_LEN], peer[IF_LEN];
	uint32_t addr;

	if (n->mode != NET_BRIDGE)
		return 0;
	if (server_addr(n, s, &addr, err))
		return -1;
	if_name(host, IF_VETH, addr);
	if_name(peer, IF_PEER, addr);
	net_link_remove(host); /* of a run whose container is gone, if any */
	if (net_link_veth(host, peer, n->bridge, pid, addr, n->pool.prefix, n->pool.gateway, err) ||
	    (s->limits.net_bps && (net_shape(host, 0, s->limits.net_bps, err) ||
				   net_shape("eth0", pid, s->limits.net_bps, err)))) {
		net_link_remove(host);
		return berr_wrap(err, "network of container %s", s->name);
	}
	return 0;
}

void net_detach(const struct net *n, const struct server *s)
{
	char name[IF_LEN];
	uint32_t addr;

	if (n->mode != NET_BRIDGE || net_addr_parse(s->address, &addr))
		return;
	if_name(name, s->kind == KIND_VM ? IF_TAP : IF_VETH, addr);
	net_link_remove(name);
}

struct orphans {
	const struct net *n;
	sqlite3 *db;
};

/* Is addr a server's that may run (starting, running, stopping)? */
static bool addr_in_use(sqlite3 *db, uint32_t addr)
{
	struct berth_error err;
	_cleanup_stmt_ sqlite3_stmt *st =
	    db_prepare(db,
		       "SELECT 1 FROM servers WHERE address = ? AND state IN"
		       " ('starting', 'running', 'stopping')",
		       &err);
	char a[NET_ADDR_LEN];

	if (!st)
		return true; /* when in doubt, leave it */
	sqlite3_bind_text(st, 1, net_addr_format(addr, a), -1, SQLITE_TRANSIENT);
	return sqlite3_step(st) != SQLITE_DONE;
}

static void remove_orphan(const char *name, void *ctx)
{
	struct orphans *o = ctx;
	char *end;
	unsigned long addr = strtoul(name + strlen(IF_TAP), &end, 16);

	if (strlen(name) != strlen(IF_TAP) + 8 || *end ||
	    !net_pool_holds(&o->n->pool, (uint32_t)addr) || addr_in_use(o->db, (uint32_t)addr))
		return;
	if (net_link_remove(name))
		fprintf(stderr, "berthd: removed %s, which no running server has\n", name);
}

void net_reconcile(const struct net *n, sqlite3 *db)
{
	static const char *const kinds[] = { IF_TAP, IF_VETH, IF_PEER };
	struct orphans o = { n, db };
	struct berth_error err;
	unsigned i;

	if (n->mode != NET_BRIDGE)
		return;
	for (i = 0; i < 3; i++)
		if (net_link_each(kinds[i], remove_orphan, &o, &err))
			fprintf(stderr, "berthd: %s\n", err.msg);
}

json_t *net_json(const struct net *n, sqlite3 *db, struct berth_error *err)
{
	static const char *const modes[] = { "off", "bridge", "user" };
	char gw[NET_ADDR_LEN], addr[NET_ADDR_LEN + 4];
	unsigned used, free_;

	if (n->mode != NET_BRIDGE)
		return json_pack("{s:s}", "mode", modes[n->mode]);
	if (net_lease_count(db, &n->pool, &used, &free_, err))
		return NULL;
	snprintf(addr, sizeof(addr), "%s/%u", net_addr_format(n->pool.gateway, gw), n->pool.prefix);
	return json_pack("{s:s, s:s, s:s, s:b, s:i, s:i}", "mode", modes[n->mode], "bridge",
			 n->bridge, "address", addr, "nat", n->nat, "used", used, "free", free_);
}
