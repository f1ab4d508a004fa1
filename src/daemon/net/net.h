/* net.h - berthd's networks as a whole: the bridge with its address pool, NAT and DHCP
 * server, set up at start; a server's interface made when it starts (a tap for a VM, a veth
 * pair for a container) and removed when it stops; leftovers of a killed berthd removed at
 * the next start. Without root, VMs get user-mode networking (libslirp in berth-vmm) and no
 * address, whatever `bridge` says; `network = none` turns all of it off. docs/berthd.md,
 * "Networks". */
#ifndef BERTH_DAEMON_NET_H
#define BERTH_DAEMON_NET_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"
#include "daemon/config.h"
#include "daemon/net/net_pool.h"
#include "daemon/servers/server.h"

enum net_mode {
	NET_OFF,    /* `network = none`, or root without a bridge: servers have no network */
	NET_BRIDGE, /* root with a bridge: taps, veths, addresses of the pool */
	NET_USER,   /* not root: VMs get user-mode networking, containers none */
};

struct net {
	enum net_mode mode;
	char bridge[CONFIG_IFNAME_MAX + 1];
	struct net_pool pool;
	bool nat;
	bool isolate; /* isolate_servers: no server reaches another */
	const char *state_dir;
};

#define NET_VM_ARG_MAX	64 /* berth-vmm --net */
#define NET_CMDLINE_MAX 96 /* what the kernel command line gains */

/* Set up networks as c says: with a bridge and root, the bridge and its address, the
 * nftables tables (NAT, and the bridge's rules holding the ports there are), the DHCP
 * server, and an address for every server without one; without root, user mode (unless
 * `network = none`). */
int net_start(struct net *n, const struct config *c, const char *state_dir, sqlite3 *db,
	      struct berth_error *err);

/* Start dnsmasq again if it is gone (called now and then). */
void net_check(const struct net *n);

/* Make VM s's tap, under the bridge's rules; net gets berth-vmm's --net value ("" for
 * none) and cmdline what the kernel command line gains (berth.ip=A/P berth.gw=G). */
int net_vm_attach(const struct net *n, const struct server *s, char net[NET_VM_ARG_MAX],
		  char cmdline[NET_CMDLINE_MAX], struct berth_error *err);

/* Give container s, created but not started (init pid), its eth0 on the bridge (with the
 * MAC that follows from its address), under the bridge's rules. */
int net_ct_attach(const struct net *n, const struct server *s, pid_t pid, struct berth_error *err);

/* Remove what s's last run made (its tap or veth, and its port's rules); nothing when
 * there is none. */
void net_detach(const struct net *n, const struct server *s);

/* Remove taps and veths of this pool (and their rules) that no starting, running or
 * stopping server has. */
void net_reconcile(const struct net *n, sqlite3 *db);

/* The network for GET /1.0/host: mode, bridge, address, nat, isolate_servers, used and free
 * addresses. */
json_t *net_json(const struct net *n, sqlite3 *db, struct berth_error *err);

#endif
