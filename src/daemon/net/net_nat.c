/* net_nat.c - the nftables table of berthd's bridge. */
#include "daemon/net/net_nat.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <nftables/libnftables.h>

#include "common/cleanup.h"

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

int net_nat_apply(const char *bridge, const struct net_pool *pool, bool nat,
		  struct berth_error *err)
{
	char table[NET_NAT_TABLE_MAX], net[NET_ADDR_LEN], masq[256], rules[RULES_MAX];
	struct nft_ctx *nft;
	int rc;

	net_nat_table(bridge, table);
	masq[0] = '\0';
	if (nat)
		snprintf(masq, sizeof(masq),
			 "chain postrouting { type nat hook postrouting priority srcnat; "
			 "policy accept; ip saddr %s/%u oifname != \"%s\" masquerade; }\n",
			 net_addr_format(pool->network, net), pool->prefix, bridge);
	/* the empty table first, so that delete never fails: the whole buffer is one
	 * transaction, the old table is replaced or nothing changes */
	snprintf(rules, sizeof(rules),
		 "table ip %s {}\n"
		 "delete table ip %s\n"
		 "table ip %s {\n"
		 "chain forward { type filter hook forward priority filter; policy accept; "
		 "iifname \"%s\" accept; oifname \"%s\" ct state established,related accept; }\n"
		 "%s"
		 "}\n",
		 table, table, table, bridge, bridge, masq);
	nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!nft)
		return berr(err, ENOMEM, "nftables");
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	rc = nft_run_cmd_from_buffer(nft, rules);
	if (rc)
		berr(err, 0,
		     "cannot set up nftables table ip %s (are the nf_tables and nft_masq modules "
		     "there?): %s",
		     table, nft_ctx_get_error_buffer(nft));
	nft_ctx_free(nft);
	if (rc)
		return -1;
	return nat ? forward_on(err) : 0;
}
