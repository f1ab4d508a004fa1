/* net_flows.c - a cap on the sockets a guest makes libslirp open (see net_flows.h). */
#include "net_flows.h"

#define ETH_P_IP_     0x0800
#define IPPROTO_ICMP_ 1
#define IPPROTO_TCP_  6
#define IPPROTO_UDP_  17
#define TCP_SYN	      0x02
#define TCP_ACK	      0x10
#define PORT_DHCP     67 /* answered inside libslirp, without a socket */

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* A UDP datagram from port: true if it goes to a socket already open (as far as we know),
 * else whether a new one may be opened, remembering port if so. */
static bool udp_admit(struct net_flows *f, uint16_t port, unsigned *live)
{
	unsigned i, oldest = 0;

	f->clock++;
	for (i = 0; i < f->n; i++) {
		if (f->port[i] == port) {
			f->used[i] = f->clock;
			return true;
		}
		if (f->used[i] < f->used[oldest])
			oldest = i;
	}
	if (*live >= NET_FLOWS_MAX)
		return false;
	(*live)++;
	i = f->n < NET_FLOWS_MAX ? f->n++ : oldest;
	f->port[i] = port;
	f->used[i] = f->clock;
	return true;
}

bool net_flows_admit(struct net_flows *f, const uint8_t *frame, size_t len, unsigned *live)
{
	const uint8_t *ip = frame + 14, *l4;
	size_t ihl;

	if (len < 14 + 20 || be16(frame + 12) != ETH_P_IP_)
		return true; /* ARP: no socket */
	ihl = (size_t)(ip[0] & 0xf) * 4;
	if (ihl < 20 || (be16(ip + 6) & 0x1fff))
		return true; /* a later fragment: its first one decided */
	l4 = ip + ihl;
	/* Too short for its own header: libslirp drops it without a socket. */
	if (len < 14 + ihl + (ip[9] == IPPROTO_TCP_ ? 14u : ip[9] == IPPROTO_UDP_ ? 8u : 1u))
		return true;
	switch (ip[9]) {
	case IPPROTO_UDP_:
		if (be16(l4 + 2) == PORT_DHCP)
			return true;
		return udp_admit(f, be16(l4), live);
	case IPPROTO_TCP_:
		if ((l4[13] & (TCP_SYN | TCP_ACK)) != TCP_SYN)
			return true; /* only a SYN opens a connection */
		break;
	case IPPROTO_ICMP_:
		if (l4[0] != 8)
			return true; /* only an echo request opens a (ping) socket */
		break;
	default:
		return true;
	}
	if (*live >= NET_FLOWS_MAX)
		return false;
	(*live)++;
	return true;
}
