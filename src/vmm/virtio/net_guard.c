/* net_guard.c - the filter between a user-mode-networking guest and libslirp: ARP, anything
 * to the host (10.0.2.2, which slirp maps to 127.0.0.1), DNS to 10.0.2.3 and DHCP
 * broadcasts. The rest, IPv6 and fragments to DNS or DHCP included, is dropped. */
#include "net_guard.h"

#include <stdbool.h>

#define ETH_P_IP_    0x0800
#define ETH_P_ARP_   0x0806
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define PORT_DNS     53
#define PORT_DHCP    67

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Is the IPv4 packet ip (of len bytes, header ihl bytes) unfragmented UDP (or also TCP, when
 * tcp_too) to port? Fragments are refused: a later one could rewrite the ports slirp sees. */
static bool to_port(const uint8_t *ip, size_t len, size_t ihl, bool tcp_too, uint16_t port)
{
	uint8_t proto = ip[9];

	if (be16(ip + 6) & 0x3fff) /* more fragments, or an offset */
		return false;
	if (proto != IPPROTO_UDP_ && !(tcp_too && proto == IPPROTO_TCP_))
		return false;
	return len >= ihl + 4 && be16(ip + ihl + 2) == port;
}

static const char *ipv4_check(const uint8_t *ip, size_t len)
{
	size_t ihl;
	uint32_t dst;

	if (len < 20 || ip[0] >> 4 != 4)
		return "truncated IPv4 header";
	ihl = (size_t)(ip[0] & 0xf) * 4;
	if (ihl < 20 || ihl > len)
		return "bad IPv4 header length";
	dst = be32(ip + 16);
	if (dst == NET_USER_HOST)
		return NULL;
	if (dst == NET_USER_DNS)
		return to_port(ip, len, ihl, true, PORT_DNS) ? NULL : "10.0.2.3 serves DNS only";
	if (dst == 0xffffffffu || dst == (NET_USER_NETWORK | ~NET_USER_NETMASK))
		return to_port(ip, len, ihl, false, PORT_DHCP) ? NULL : "broadcast other than DHCP";
	return "destination outside the host's loopback";
}

const char *net_guard_check(const uint8_t *frame, size_t len)
{
	if (len < 14)
		return "runt frame";
	switch (be16(frame + 12)) {
	case ETH_P_ARP_:
		return NULL;
	case ETH_P_IP_:
		return ipv4_check(frame + 14, len - 14);
	default:
		return "protocol other than IPv4 and ARP";
	}
}
