/* net_link.c - bridge, taps and veth pairs through libnl-route. */
#include "daemon/net/net_link.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>

#include "common/cleanup.h"

static inline void nl_sockp(struct nl_sock **p)
{
	if (*p)
		nl_socket_free(*p);
}

static inline void link_putp(struct rtnl_link **p)
{
	if (*p)
		rtnl_link_put(*p);
}

#define _cleanup_nl_   __attribute__((cleanup(nl_sockp)))
#define _cleanup_link_ __attribute__((cleanup(link_putp)))

/* A netlink route socket of the calling thread's network namespace. */
static struct nl_sock *route_socket(struct berth_error *err)
{
	struct nl_sock *sk = nl_socket_alloc();
	int rc;

	if (!sk) {
		berr(err, ENOMEM, "netlink socket");
		return NULL;
	}
	rc = nl_connect(sk, NETLINK_ROUTE);
	if (rc < 0) {
		nl_socket_free(sk);
		berr(err, 0, "cannot open a netlink socket: %s", nl_geterror(rc));
		return NULL;
	}
	return sk;
}

static int nl_fail(struct berth_error *err, int rc, const char *what, const char *name)
{
	return berr(err, 0, "cannot %s %s: %s", what, name, nl_geterror(rc));
}

/* Bring link name up (and rename it to new_name, give it the MAC mac, when given). */
static int link_up(struct nl_sock *sk, const char *name, const char *new_name, const char *mac,
		   struct berth_error *err)
{
	_cleanup_link_ struct rtnl_link *link = NULL, *change = NULL;
	struct nl_addr *lladdr = NULL;
	int rc = rtnl_link_get_kernel(sk, 0, name, &link);

	if (rc < 0)
		return nl_fail(err, rc, "find interface", name);
	change = rtnl_link_alloc();
	if (!change)
		return berr(err, ENOMEM, "interface %s", name);
	if (new_name)
		rtnl_link_set_name(change, new_name);
	if (mac) {
		if ((rc = nl_addr_parse(mac, AF_LLC, &lladdr)) < 0)
			return nl_fail(err, rc, "parse the MAC of", name);
		rtnl_link_set_addr(change, lladdr); /* the link holds its own reference */
		nl_addr_put(lladdr);
	}
	rtnl_link_set_flags(change, IFF_UP);
	rc = rtnl_link_change(sk, link, change, 0);
	return rc < 0 ? nl_fail(err, rc, "bring up", name) : 0;
}

/* Put link name on bridge, then up. */
static int link_join(struct nl_sock *sk, const char *name, const char *bridge,
		     struct berth_error *err)
{
	_cleanup_link_ struct rtnl_link *link = NULL, *br = NULL;
	int rc;

	if ((rc = rtnl_link_get_kernel(sk, 0, bridge, &br)) < 0)
		return nl_fail(err, rc, "find bridge", bridge);
	if ((rc = rtnl_link_get_kernel(sk, 0, name, &link)) < 0)
		return nl_fail(err, rc, "find interface", name);
	if ((rc = rtnl_link_enslave(sk, br, link)) < 0)
		return berr(err, 0, "cannot put %s on bridge %s: %s", name, bridge,
			    nl_geterror(rc));
	return link_up(sk, name, NULL, NULL, err);
}

/* Give link name address/prefix (again is fine). */
static int link_address(struct nl_sock *sk, const char *name, uint32_t address, unsigned prefix,
			struct berth_error *err)
{
	_cleanup_link_ struct rtnl_link *link = NULL;
	uint32_t be = htonl(address);
	struct rtnl_addr *a = NULL;
	struct nl_addr *local = NULL;
	int rc;

	if ((rc = rtnl_link_get_kernel(sk, 0, name, &link)) < 0)
		return nl_fail(err, rc, "find interface", name);
	a = rtnl_addr_alloc();
	local = nl_addr_build(AF_INET, &be, sizeof(be));
	if (!a || !local) {
		rc = -NLE_NOMEM;
		goto out;
	}
	nl_addr_set_prefixlen(local, (int)prefix);
	rtnl_addr_set_ifindex(a, rtnl_link_get_ifindex(link));
	rtnl_addr_set_family(a, AF_INET);
	if ((rc = rtnl_addr_set_local(a, local)) == 0)
		rc = rtnl_addr_add(sk, a, NLM_F_REPLACE);
out:
	nl_addr_put(local);
	rtnl_addr_put(a);
	return rc < 0 && rc != -NLE_EXIST ? nl_fail(err, rc, "give an address to", name) : 0;
}

int net_link_bridge(const char *name, uint32_t address, unsigned prefix, struct berth_error *err)
{
	_cleanup_nl_ struct nl_sock *sk = route_socket(err);
	int rc;

	if (!sk)
		return -1;
	rc = rtnl_link_bridge_add(sk, name);
	if (rc < 0 && rc != -NLE_EXIST)
		return nl_fail(err, rc, "make bridge", name);
	if (link_address(sk, name, address, prefix, err) || link_up(sk, name, NULL, NULL, err))
		return -1;
	return 0;
}

int net_link_tap_attach(int fd, const char *name)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE;
	if (ioctl(fd, TUNSETIFF, &ifr) == 0)
		return 0;
	if (errno != EINVAL)
		return -1;
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	return ioctl(fd, TUNSETIFF, &ifr);
}

int net_link_tap(const char *name, const char *bridge, struct berth_error *err)
{
	_cleanup_close_ int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	_cleanup_nl_ struct nl_sock *sk = NULL;

	if (fd < 0)
		return berr(err, errno, "cannot open /dev/net/tun (is the tun module loaded?)");
	if (net_link_tap_attach(fd, name) < 0)
		return berr(err, errno, "cannot make tap %s", name);
	/* it stays when we close it, for the VMM to open by name */
	if (ioctl(fd, TUNSETPERSIST, 1) < 0)
		return berr(err, errno, "cannot make tap %s persistent", name);
	sk = route_socket(err);
	return sk ? link_join(sk, name, bridge, err) : -1;
}

/* What the thread that enters a container's network namespace does there. */
struct ns_job {
	pid_t pid;
	const char *peer, *mac;
	uint32_t address, gateway;
	unsigned prefix;
	struct berth_error err;
	int rc;
};

static int default_route(struct nl_sock *sk, uint32_t gateway, struct berth_error *err)
{
	_cleanup_link_ struct rtnl_link *eth0 = NULL;
	uint32_t be = htonl(gateway), any = 0;
	struct rtnl_route *r = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *gw = nl_addr_build(AF_INET, &be, sizeof(be));
	struct nl_addr *dst = nl_addr_build(AF_INET, &any, sizeof(any));
	int rc = rtnl_link_get_kernel(sk, 0, "eth0", &eth0);

	if (rc == 0 && (!r || !nh || !gw || !dst))
		rc = -NLE_NOMEM;
	if (rc == 0) {
		nl_addr_set_prefixlen(dst, 0);
		rtnl_route_set_family(r, AF_INET);
		rtnl_route_set_dst(r, dst);
		rtnl_route_nh_set_gateway(nh, gw);
		rtnl_route_nh_set_ifindex(nh, rtnl_link_get_ifindex(eth0));
		rtnl_route_add_nexthop(r, nh);
		nh = NULL; /* the route's now */
		rc = rtnl_route_add(sk, r, NLM_F_REPLACE);
	}
	if (nh)
		rtnl_route_nh_free(nh);
	rtnl_route_put(r);
	nl_addr_put(gw);
	nl_addr_put(dst);
	return rc < 0 ? nl_fail(err, rc, "add the default route of", "eth0") : 0;
}

/* A thread of its own enters the namespace (setns changes only the calling thread's) and
 * ends there: no thread of berthd is ever left in a container's namespace. */
static void *ns_configure(void *arg)
{
	struct ns_job *j = arg;
	_cleanup_nl_ struct nl_sock *sk = NULL;
	_cleanup_close_ int fd = -1;
	char path[64];

	j->rc = -1;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)j->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		berr(&j->err, errno, "cannot enter the network namespace of pid %d", (int)j->pid);
		return NULL;
	}
	sk = route_socket(&j->err);
	if (!sk || link_up(sk, j->peer, "eth0", j->mac, &j->err) ||
	    link_up(sk, "lo", NULL, NULL, &j->err) ||
	    link_address(sk, "eth0", j->address, j->prefix, &j->err) ||
	    default_route(sk, j->gateway, &j->err))
		return NULL;
	j->rc = 0;
	return NULL;
}

int net_link_veth(const char *host, const char *peer, const char *bridge, pid_t pid,
		  const char *mac, uint32_t address, unsigned prefix, uint32_t gateway,
		  struct berth_error *err)
{
	_cleanup_nl_ struct nl_sock *sk = route_socket(err);
	struct ns_job j = { .pid = pid,
			    .peer = peer,
			    .mac = mac,
			    .address = address,
			    .gateway = gateway,
			    .prefix = prefix };
	pthread_t t;
	int rc;

	if (!sk)
		return -1;
	rc = rtnl_link_veth_add(sk, host, peer, pid);
	if (rc < 0)
		return nl_fail(err, rc, "make veth pair", host);
	if (link_join(sk, host, bridge, err))
		return -1;
	rc = pthread_create(&t, NULL, ns_configure, &j);
	if (rc)
		return berr(err, rc, "cannot start a thread to configure %s", peer);
	pthread_join(t, NULL);
	if (j.rc) {
		*err = j.err;
		return -1;
	}
	return 0;
}

bool net_link_remove(const char *name)
{
	_cleanup_link_ struct rtnl_link *link = NULL;
	_cleanup_nl_ struct nl_sock *sk = NULL;
	struct berth_error err;

	sk = route_socket(&err);
	if (!sk || rtnl_link_get_kernel(sk, 0, name, &link) < 0)
		return false;
	return rtnl_link_delete(sk, link) == 0;
}

struct each_ctx {
	const char *prefix;
	void (*fn)(const char *name, void *ctx);
	void *ctx;
};

static void each_link(struct nl_object *obj, void *arg)
{
	struct each_ctx *c = arg;
	const char *name = rtnl_link_get_name((struct rtnl_link *)obj);

	if (name && strncmp(name, c->prefix, strlen(c->prefix)) == 0)
		c->fn(name, c->ctx);
}

int net_link_each(const char *prefix, void (*fn)(const char *name, void *ctx), void *ctx,
		  struct berth_error *err)
{
	_cleanup_nl_ struct nl_sock *sk = route_socket(err);
	struct each_ctx c = { prefix, fn, ctx };
	struct nl_cache *cache;
	int rc;

	if (!sk)
		return -1;
	rc = rtnl_link_alloc_cache(sk, AF_UNSPEC, &cache);
	if (rc < 0)
		return berr(err, 0, "cannot list interfaces: %s", nl_geterror(rc));
	nl_cache_foreach(cache, each_link, &c);
	nl_cache_free(cache);
	return 0;
}
