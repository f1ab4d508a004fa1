/* net_hdr.c - decoding and checking the virtio-net packet header. */
#include "net_hdr.h"

#include <endian.h>
#include <string.h>

static uint16_t get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return le16toh(v);
}

static void put16(uint8_t *p, uint16_t v)
{
	v = htole16(v);
	memcpy(p, &v, 2);
}

void net_hdr_decode(struct net_hdr *h, const uint8_t raw[NET_HDR_LEN])
{
	h->flags = raw[0];
	h->gso_type = raw[1];
	h->hdr_len = get16(raw + 2);
	h->gso_size = get16(raw + 4);
	h->csum_start = get16(raw + 6);
	h->csum_offset = get16(raw + 8);
	h->num_buffers = get16(raw + 10);
}

void net_hdr_encode(const struct net_hdr *h, uint8_t raw[NET_HDR_LEN])
{
	raw[0] = h->flags;
	raw[1] = h->gso_type;
	put16(raw + 2, h->hdr_len);
	put16(raw + 4, h->gso_size);
	put16(raw + 6, h->csum_start);
	put16(raw + 8, h->csum_offset);
	put16(raw + 10, h->num_buffers);
}

static int has(uint64_t negotiated, unsigned bit)
{
	return (negotiated >> bit) & 1;
}

/* The feature a GSO type needs, or -1 for a type no device may be sent. */
static int gso_feature(uint8_t type)
{
	switch (type) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return VIRTIO_NET_F_HOST_TSO4;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return VIRTIO_NET_F_HOST_TSO6;
	case VIRTIO_NET_HDR_GSO_UDP:
		return VIRTIO_NET_F_HOST_UFO;
	default:
		return -1;
	}
}

const char *net_hdr_check(const struct net_hdr *h, size_t frame_len, uint64_t negotiated)
{
	uint8_t type = h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	int need;

	if (frame_len < NET_ETH_LEN)
		return "frame shorter than an Ethernet header";
	if (frame_len > NET_MAX_FRAME)
		return "frame longer than 64 KiB";
	if (h->flags & ~VIRTIO_NET_HDR_F_NEEDS_CSUM)
		return "unknown header flags";
	if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		if (!has(negotiated, VIRTIO_NET_F_CSUM))
			return "partial checksum without VIRTIO_NET_F_CSUM";
		/* The 16-bit checksum field at csum_start + csum_offset must lie in the frame. */
		if ((size_t)h->csum_start + h->csum_offset + 2 > frame_len)
			return "checksum field outside the frame";
	}
	if (h->hdr_len > frame_len)
		return "hdr_len beyond the frame";
	if (h->gso_type == VIRTIO_NET_HDR_GSO_NONE)
		return NULL;
	need = gso_feature(type);
	if (need < 0)
		return "unknown GSO type";
	if (!has(negotiated, (unsigned)need))
		return "GSO type not negotiated";
	if ((h->gso_type & VIRTIO_NET_HDR_GSO_ECN) && !has(negotiated, VIRTIO_NET_F_HOST_ECN))
		return "GSO with ECN not negotiated";
	if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return "GSO frame without a partial checksum";
	if (h->gso_size == 0)
		return "GSO frame with gso_size 0";
	return NULL;
}
