/* net_test.h - driver-side helpers for the virtio-net tests, on top of virtio_harness.h:
 * transmit a frame, offer receive buffers, read back what the device wrote. */
#ifndef BERTH_TESTS_NET_TEST_H
#define BERTH_TESTS_NET_TEST_H

#include "virtio_harness.h"
#include "vmm/virtio/net.h"
#include "vmm/virtio/net_hdr.h"

#define NT_RXQ 0
#define NT_TXQ 1

static const uint8_t nt_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

/* As the driver: send frame behind header h, the header in a descriptor of its own. */
static inline void nt_send(struct vh *h, const struct net_hdr *hdr, const void *frame, size_t len)
{
	uint64_t hgpa = vh_alloc(h, NET_HDR_LEN), fgpa = vh_alloc(h, len);

	net_hdr_encode(hdr, vh_host(h, hgpa));
	memcpy(vh_host(h, fgpa), frame, len);
	vh_submit(h, NT_TXQ,
		  (struct vh_buf[]){ { hgpa, NET_HDR_LEN, false }, { fgpa, (uint32_t)len, false } },
		  2);
}

/* As the driver: offer n receive chains of size bytes each, then notify; the first's gpa. */
static inline uint64_t nt_offer_rx(struct vh *h, unsigned n, uint32_t size)
{
	uint64_t first = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		uint64_t gpa = vh_alloc(h, size);

		if (i == 0)
			first = gpa;
		vh_offer(h, NT_RXQ,
			 vh_add_chain(h, NT_RXQ, &(struct vh_buf){ gpa, size, true }, 1));
	}
	vh_kick(h, NT_RXQ);
	return first;
}

/* A test frame: broadcast, from nt_mac, of the local experimental ethertype 0x88b5, with a
 * payload of len - 14 bytes counting up from seed. */
static inline void nt_frame(uint8_t *f, size_t len, uint8_t seed)
{
	size_t i;

	memset(f, 0xff, 6);
	memcpy(f + 6, nt_mac, 6);
	f[12] = 0x88;
	f[13] = 0xb5;
	for (i = 14; i < len; i++)
		f[i] = (uint8_t)(seed + i);
}

/* As the driver: send a control command (header, data of len bytes, a 1-byte ack) on queue
 * ctrlq and run it; the ack, or -1 when the device gave the chain back unanswered. */
static inline int nt_ctrl(struct vh *h, unsigned ctrlq, uint8_t class, uint8_t cmd,
			  const void *data, uint32_t len)
{
	uint64_t hdr = vh_alloc(h, 2), dat = vh_alloc(h, len ? len : 1), ack = vh_alloc(h, 1);
	uint16_t before = vh_used_idx(h, ctrlq);
	uint8_t *a = vh_host(h, ack);
	struct virtq_used_elem e;

	*(uint8_t *)vh_host(h, hdr) = class;
	*((uint8_t *)vh_host(h, hdr) + 1) = cmd;
	if (len)
		memcpy(vh_host(h, dat), data, len);
	*a = 0xee;
	if (len)
		vh_submit(
		    h, ctrlq,
		    (struct vh_buf[]){ { hdr, 2, false }, { dat, len, false }, { ack, 1, true } },
		    3);
	else
		vh_submit(h, ctrlq, (struct vh_buf[]){ { hdr, 2, false }, { ack, 1, true } }, 2);
	if (vh_used_idx(h, ctrlq) != (uint16_t)(before + 1))
		return -2; /* not even given back */
	e = vh_used_elem(h, ctrlq, before);
	return e.len == 1 ? *a : -1;
}

/* VQ_PAIRS_SET with pairs, as Linux sends it; the ack. */
static inline int nt_pairs_set(struct vh *h, unsigned ctrlq, uint16_t pairs)
{
	uint8_t le[2] = { (uint8_t)pairs, (uint8_t)(pairs >> 8) };

	return nt_ctrl(h, ctrlq, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, le, 2);
}

static inline struct net_stats nt_stats(struct vh *h)
{
	struct net_stats st;

	virtio_net_stats(h->dev, &st);
	return st;
}

#endif
