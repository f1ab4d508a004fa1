/* fuzz_virtio_net.c - libFuzzer target: what a hostile virtio-net driver transmits, through
 * the header check (net_hdr_check) and the user-mode filter (net_guard_check).
 *
 * Input: one byte choosing the negotiated offloads, one byte of options (bit 0: claim a
 * frame length near the 64 KiB bound instead of the real one, taken from the next two
 * bytes), the 12-byte header, then the frame. Whatever the checks let through must obey
 * the rules they exist for; a frame they pass is checked against them again here. A frame
 * the guard passes also goes through the flow cap (net_flows_admit), with libslirp's socket
 * count taken from the third byte; the count it lets open never passes NET_FLOWS_MAX. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "vmm/virtio/net_flows.h"
#include "vmm/virtio/net_guard.h"
#include "vmm/virtio/net_hdr.h"

#define FUZZ_HEAD (2 + 2 + NET_HDR_LEN)

static const unsigned fuzz_offloads[] = {
	VIRTIO_NET_F_CSUM,     VIRTIO_NET_F_HOST_TSO4, VIRTIO_NET_F_HOST_TSO6,
	VIRTIO_NET_F_HOST_ECN, VIRTIO_NET_F_HOST_UFO,
};

static uint64_t fuzz_features(uint8_t sel)
{
	uint64_t f = 0;
	unsigned i;

	for (i = 0; i < sizeof(fuzz_offloads) / sizeof(fuzz_offloads[0]); i++)
		if (sel & (1u << i))
			f |= 1ULL << fuzz_offloads[i];
	return f;
}

static bool has(uint64_t f, unsigned bit)
{
	return (f >> bit) & 1;
}

/* Abort unless a header net_hdr_check passed is one a backend may be given. */
static void fuzz_check_hdr(const struct net_hdr *h, size_t len, uint64_t f)
{
	uint8_t type = h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;

	if (len < NET_ETH_LEN || len > NET_MAX_FRAME || h->hdr_len > len)
		abort();
	if (h->flags & ~VIRTIO_NET_HDR_F_NEEDS_CSUM)
		abort();
	if ((h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    (!has(f, VIRTIO_NET_F_CSUM) || (size_t)h->csum_start + h->csum_offset + 2 > len))
		abort();
	if (h->gso_type == VIRTIO_NET_HDR_GSO_NONE)
		return;
	if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) || h->gso_size == 0)
		abort();
	if ((type == VIRTIO_NET_HDR_GSO_TCPV4 && !has(f, VIRTIO_NET_F_HOST_TSO4)) ||
	    (type == VIRTIO_NET_HDR_GSO_TCPV6 && !has(f, VIRTIO_NET_F_HOST_TSO6)) ||
	    (type == VIRTIO_NET_HDR_GSO_UDP && !has(f, VIRTIO_NET_F_HOST_UFO)) ||
	    (type != VIRTIO_NET_HDR_GSO_TCPV4 && type != VIRTIO_NET_HDR_GSO_TCPV6 &&
	     type != VIRTIO_NET_HDR_GSO_UDP))
		abort();
	if ((h->gso_type & VIRTIO_NET_HDR_GSO_ECN) && !has(f, VIRTIO_NET_F_HOST_ECN))
		abort();
}

/* Abort unless an IPv4 frame the guard passed goes to the host, DNS or DHCP broadcast. */
static void fuzz_check_guard(const uint8_t *fr, size_t len)
{
	uint32_t dst;

	if (len < 14 || (fr[12] == 0x08 && fr[13] == 0x06))
		return; /* ARP */
	if (fr[12] != 0x08 || fr[13] != 0x00 || len < 34)
		abort();
	dst = (uint32_t)fr[30] << 24 | (uint32_t)fr[31] << 16 | (uint32_t)fr[32] << 8 | fr[33];
	if (dst != NET_USER_HOST && dst != NET_USER_DNS && dst != 0xffffffffu && dst != 0x0a0002ffu)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *frame = data + FUZZ_HEAD;
	uint64_t features;
	struct net_hdr h;
	size_t len;

	if (size < FUZZ_HEAD)
		return 0;
	features = fuzz_features(data[0]);
	len = size - FUZZ_HEAD;
	net_hdr_decode(&h, data + 4);
	if (data[1] & 1) {
		/* Only the length is looked at: probe the 64 KiB bound without the bytes. */
		size_t claim = 65000u + (data[2] | (size_t)data[3] << 8);

		if (!net_hdr_check(&h, claim, features))
			fuzz_check_hdr(&h, claim, features);
		return 0;
	}
	if (!net_hdr_check(&h, len, features))
		fuzz_check_hdr(&h, len, features);
	if (!net_guard_check(frame, len)) {
		static struct net_flows flows; /* kept across inputs, as a guest's would be */
		unsigned live = (unsigned)data[2] + (data[3] & 1 ? NET_FLOWS_MAX - 128 : 0);
		unsigned before = live;

		fuzz_check_guard(frame, len);
		if (net_flows_admit(&flows, frame, len, &live) && live != before &&
		    (live != before + 1 || live > NET_FLOWS_MAX))
			abort(); /* a new socket beyond the cap, or miscounted */
		if (flows.n > NET_FLOWS_MAX)
			abort();
	}
	return 0;
}
