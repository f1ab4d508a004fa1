/* net_nat.c - the nftables table of berthd's bridge. */
#include "daemon/net/net_nat.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "daemon/net/net_nft.h"

#define RULES_MAX 2048

void net_nat_table(const char *bridge, char out[NET_NAT_TABLE_MAX])
{
	char *p;

	snprintf(out, NET_NAT_TABLE_MAX, "berth_%s", bridge);
	for (p = out; *p; p++)
		if (!isalnum((unsigned char)*p))
			*p = '_';
}

static int forward_on(struct berth_error *err)
{
	_cleanup_close_ int fd = open("/proc/sys/net/ipv4/ip_forward", O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, "1\n", 2) != 2)
		return berr(err, errno, "cannot turn on net.ipv4.ip_forward");
	return 0;
}

int net_nat_apply(const char *bridge, const struct net_pool *pool, bool nat, bool isolate,
		  struct berth_error *err)
{
	char table[NET_NAT_TABLE_MAX], net[NET_ADDR_LEN], masq[256], apart[128], rules[RULES_MAX];
	char what[64];

	net_nat_table(bridge, table);
	masq[0] = apart[0] = '\0';
	if (nat)
		snprintf(masq, sizeof(masq),
			 "chain postrouting { type nat hook postrouting priority srcnat; "
			 "policy accept; ip saddr %s/%u oifname != \"%s\" masquerade; }\n",
			 net_addr_format(pool->network, net), pool->prefix, bridge);
	/* a server routing through the host to another is one that reaches it: with
	 * isolate_servers it is dropped here as the bridge's own table drops it between
	 * ports (net_filter.c) */
	if (isolate)
		snprintf(apart, sizeof(apart), "iifname \"%s\" oifname \"%s\" drop; ", bridge,
			 bridge);
	/* the empty table first, so that delete never fails: the whole buffer is one
	 * transaction, the old table is replaced or nothing changes */
	snprintf(rules, sizeof(rules),
		 "table ip %s {}\n"
		 "delete table ip %s\n"
		 "table ip %s {\n"
		 "chain forward { type filter hook forward priority filter; policy accept; "
		 "%siifname \"%s\" accept; oifname \"%s\" ct state established,related accept; }\n"
		 "%s"
		 "}\n",
		 table, table, table, apart, bridge, bridge, masq);
	snprintf(what, sizeof(what), "set up nftables table ip %s", table);
	if (net_nft_run(rules, what, "are the nf_tables and nft_masq modules there?", err))
		return -1;
	return nat ? forward_on(err) : 0;
}
