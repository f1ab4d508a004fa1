/* net_pool.c - the bridge's subnet: parsing, and picking a free address. */
#include "daemon/net/net_pool.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/error.h"

int net_addr_parse(const char *text, uint32_t *addr)
{
	struct in_addr in;

	/* inet_pton takes only the four-part dotted form, no octal or short forms */
	if (inet_pton(AF_INET, text, &in) != 1)
		return -1;
	*addr = ntohl(in.s_addr);
	return 0;
}

char *net_addr_format(uint32_t addr, char out[NET_ADDR_LEN])
{
	snprintf(out, NET_ADDR_LEN, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 255,
		 (addr >> 8) & 255, addr & 255);
	return out;
}

char *net_addr_mac(uint32_t addr, char out[NET_MAC_LEN])
{
	snprintf(out, NET_MAC_LEN, "52:54:00:%02x:%02x:%02x", (addr >> 16) & 255, (addr >> 8) & 255,
		 addr & 255);
	return out;
}

uint32_t net_pool_mask(const struct net_pool *p)
{
	return p->prefix ? ~0u << (32 - p->prefix) : 0;
}

uint32_t net_pool_broadcast(const struct net_pool *p)
{
	return p->network | ~net_pool_mask(p);
}

uint32_t net_pool_size(const struct net_pool *p)
{
	return p->prefix ? (1u << (32 - p->prefix)) - 3 : 0;
}

int net_pool_parse(const char *text, struct net_pool *p, struct berth_error *err)
{
	char addr[NET_ADDR_LEN];
	const char *slash = strchr(text, '/');
	unsigned long prefix;
	struct net_pool q;
	char *end;

	if (!slash || (size_t)(slash - text) >= sizeof(addr) || !isdigit((unsigned char)slash[1]))
		return berr(err, 0, "'%s' is not ADDRESS/PREFIX, such as 10.187.0.1/24", text);
	memcpy(addr, text, (size_t)(slash - text));
	addr[slash - text] = '\0';
	errno = 0;
	prefix = strtoul(slash + 1, &end, 10);
	if (*end || errno || net_addr_parse(addr, &q.gateway))
		return berr(err, 0, "'%s' is not ADDRESS/PREFIX, such as 10.187.0.1/24", text);
	if (prefix < NET_POOL_MIN_PREFIX || prefix > NET_POOL_MAX_PREFIX)
		return berr(err, 0, "'%s': the prefix must be from /%d to /%d", text,
			    NET_POOL_MIN_PREFIX, NET_POOL_MAX_PREFIX);
	q.prefix = (unsigned)prefix;
	q.network = q.gateway & net_pool_mask(&q);
	if (q.gateway == q.network || q.gateway == net_pool_broadcast(&q))
		return berr(err, 0,
			    "'%s': the bridge's address must be a host of the subnet, such as "
			    "the network address + 1",
			    text);
	*p = q;
	return 0;
}

bool net_pool_holds(const struct net_pool *p, uint32_t addr)
{
	return p->prefix && (addr & net_pool_mask(p)) == p->network && addr != p->network &&
	       addr != net_pool_broadcast(p) && addr != p->gateway;
}

int net_pool_pick(const struct net_pool *p, const uint32_t *used, size_t n, uint32_t *addr,
		  struct berth_error *err)
{
	uint32_t span = ~net_pool_mask(p) + 1, off;
	_cleanup_free_ unsigned char *taken = NULL;
	char a[NET_ADDR_LEN];
	size_t i;

	if (!p->prefix)
		return refuse(err, EINVAL, "no address pool (networks are off)");
	taken = calloc(span / 8 + 1, 1);
	if (!taken)
		return berr(err, ENOMEM, "address pool");
	for (i = 0; i < n; i++) {
		if (net_pool_holds(p, used[i])) {
			off = used[i] - p->network;
			taken[off / 8] |= (unsigned char)(1u << (off % 8));
		}
	}
	for (off = 1; off < span - 1; off++) {
		if (p->network + off == p->gateway || (taken[off / 8] & (1u << (off % 8))))
			continue;
		*addr = p->network + off;
		return 0;
	}
	return refuse(err, ENOSPC,
		      "no free address: all %u of %s/%u are taken (delete a server, or give "
		      "bridge_address a larger subnet)",
		      net_pool_size(p), net_addr_format(p->network, a), p->prefix);
}
