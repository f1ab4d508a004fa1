/* net_hdr.h - the virtio-net packet header (virtio 1.x, 5.1.6) and the checks a transmitted
 * one must pass before any backend sees it.
 *
 * Every packet on the rx and tx queues starts with a 12-byte struct virtio_net_hdr_v1
 * (with VIRTIO_F_VERSION_1 the header always has num_buffers). On tx the driver writes it,
 * so it is hostile: net_hdr_check() decides from a private copy whether the offloads it
 * asks for were negotiated and whether its offsets lie inside the frame. */
#ifndef BERTH_VMM_VIRTIO_NET_HDR_H
#define BERTH_VMM_VIRTIO_NET_HDR_H

#include <linux/virtio_net.h>
#include <stddef.h>
#include <stdint.h>

#define NET_HDR_LEN 12u /* sizeof(struct virtio_net_hdr_v1) */
#define NET_ETH_LEN 14u /* the smallest frame we pass on: an Ethernet header */
/* The longest frame (after the header): a 64 KiB GSO packet with its Ethernet and VLAN headers. */
#define NET_MAX_FRAME (65536u + 18u)

/* The header in host byte order. */
struct net_hdr {
	uint8_t flags;	   /* VIRTIO_NET_HDR_F_* */
	uint8_t gso_type;  /* VIRTIO_NET_HDR_GSO_*, with VIRTIO_NET_HDR_GSO_ECN */
	uint16_t hdr_len;  /* bytes of headers before the GSO payload (a hint) */
	uint16_t gso_size; /* payload bytes per segment */
	uint16_t csum_start, csum_offset;
	uint16_t num_buffers; /* rx with MRG_RXBUF: chains this packet spans */
};

/* Decode the 12 little-endian bytes at raw. */
void net_hdr_decode(struct net_hdr *h, const uint8_t raw[NET_HDR_LEN]);

/* Encode h as 12 little-endian bytes at raw. */
void net_hdr_encode(const struct net_hdr *h, uint8_t raw[NET_HDR_LEN]);

/* Is h a header the driver may send with a frame of frame_len bytes, given the features
 * negotiated (VIRTIO_NET_F_* bits)? NULL if so, else why not. */
const char *net_hdr_check(const struct net_hdr *h, size_t frame_len, uint64_t negotiated);

#endif
