/* Unit tests for src/vmm/virtio/net_hdr.c and net_guard.c: which transmitted headers pass
 * for which negotiated features, and which frames user-mode networking lets through. */
#include "testlib.h"

#include "vmm/virtio/net_guard.h"
#include "vmm/virtio/net_hdr.h"

#define F(bit) (1ULL << (bit))

static const uint64_t tso =
    F(VIRTIO_NET_F_CSUM) | F(VIRTIO_NET_F_HOST_TSO4) | F(VIRTIO_NET_F_HOST_TSO6);

/* A partial TCP checksum, as for a frame with an Ethernet and IPv4 header (it ends at 52). */
static const struct net_hdr csum = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				     .csum_start = 34,
				     .csum_offset = 16 };

static void round_trip(void **state)
{
	const struct net_hdr h = { 1, 0x81, 54, 1448, 34, 16, 3 };
	uint8_t raw[NET_HDR_LEN];
	struct net_hdr back;

	(void)state;
	net_hdr_encode(&h, raw);
	assert_memory_equal(raw, "\x01\x81\x36\x00\xa8\x05\x22\x00\x10\x00\x03\x00", NET_HDR_LEN);
	net_hdr_decode(&back, raw);
	assert_memory_equal(&back, &h, sizeof(h));
}

static void plain_and_offloaded_frames_pass(void **state)
{
	struct net_hdr gso = csum;

	(void)state;
	assert_null(net_hdr_check(&(struct net_hdr){ 0 }, 60, 0));
	assert_null(net_hdr_check(&(struct net_hdr){ 0 }, NET_MAX_FRAME, 0));
	assert_null(net_hdr_check(&csum, 52, F(VIRTIO_NET_F_CSUM)));
	gso.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	gso.gso_size = 1448;
	gso.hdr_len = 66;
	assert_null(net_hdr_check(&gso, 30000, tso));
	gso.gso_type = VIRTIO_NET_HDR_GSO_TCPV6 | VIRTIO_NET_HDR_GSO_ECN;
	assert_null(net_hdr_check(&gso, 30000, tso | F(VIRTIO_NET_F_HOST_ECN)));
}

static void bad_headers_refused(void **state)
{
	struct net_hdr h = csum;

	(void)state;
	assert_non_null(net_hdr_check(&(struct net_hdr){ 0 }, 13, tso));
	assert_non_null(net_hdr_check(&(struct net_hdr){ 0 }, NET_MAX_FRAME + 1, tso));
	assert_non_null(net_hdr_check(&(struct net_hdr){ .flags = 2 }, 60, tso));
	assert_non_null(net_hdr_check(&csum, 60, 0));	/* CSUM not negotiated */
	assert_non_null(net_hdr_check(&csum, 51, tso)); /* field ends past the frame */
	h.csum_start = 0xffff;
	h.csum_offset = 0xffff;
	assert_non_null(net_hdr_check(&h, NET_MAX_FRAME, tso));
	assert_non_null(net_hdr_check(&(struct net_hdr){ .hdr_len = 61 }, 60, tso));
	h = csum;
	h.gso_size = 1000;
	h.gso_type = VIRTIO_NET_HDR_GSO_UDP; /* UFO never offered */
	assert_non_null(net_hdr_check(&h, 3000, tso));
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN;
	assert_non_null(net_hdr_check(&h, 3000, tso)); /* no HOST_ECN */
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	assert_non_null(net_hdr_check(&h, 3000, F(VIRTIO_NET_F_CSUM)));
	h.gso_size = 0;
	assert_non_null(net_hdr_check(&h, 3000, tso));
	h.gso_type = 2;
	h.gso_size = 1000;
	assert_non_null(net_hdr_check(&h, 3000, tso));
}

/* An Ethernet + IPv4 frame to dst with protocol proto, destination port dport, frag field. */
static size_t ip_frame(uint8_t *f, uint32_t dst, uint8_t proto, uint16_t dport, uint16_t frag)
{
	memset(f, 0, 64);
	f[12] = 0x08;
	f[14] = 0x45;
	f[14 + 6] = (uint8_t)(frag >> 8);
	f[14 + 7] = (uint8_t)frag;
	f[14 + 9] = proto;
	f[30] = (uint8_t)(dst >> 24);
	f[31] = (uint8_t)(dst >> 16);
	f[32] = (uint8_t)(dst >> 8);
	f[33] = (uint8_t)dst;
	f[36] = (uint8_t)(dport >> 8);
	f[37] = (uint8_t)dport;
	return 64;
}

static void guard(void **state)
{
	uint8_t f[64];

	(void)state;
	assert_null(net_guard_check(f, ip_frame(f, NET_USER_HOST, 6, 8080, 0)));
	assert_null(net_guard_check(f, ip_frame(f, NET_USER_HOST, 17, 9, 0x2000)));
	assert_null(net_guard_check(f, ip_frame(f, NET_USER_DNS, 17, 53, 0)));
	assert_null(net_guard_check(f, ip_frame(f, NET_USER_DNS, 6, 53, 0)));
	assert_null(net_guard_check(f, ip_frame(f, 0xffffffff, 17, 67, 0)));
	assert_non_null(net_guard_check(f, ip_frame(f, NET_USER_DNS, 6, 22, 0)));
	assert_non_null(net_guard_check(f, ip_frame(f, NET_USER_DNS, 17, 53, 0x2000)));
	assert_non_null(net_guard_check(f, ip_frame(f, 0xffffffff, 6, 67, 0)));
	assert_non_null(net_guard_check(f, ip_frame(f, 0x0a0002ff, 17, 137, 0)));
	assert_non_null(net_guard_check(f, ip_frame(f, 0x08080808, 17, 53, 0)));
	assert_non_null(net_guard_check(f, ip_frame(f, 0x0a000204, 6, 80, 0)));
	assert_non_null(net_guard_check(f, ip_frame(f, 0x7f000001, 6, 80, 0)));
	ip_frame(f, NET_USER_HOST, 6, 80, 0);
	f[14] = 0x4f; /* header longer than the frame */
	assert_non_null(net_guard_check(f, 40));
	assert_non_null(net_guard_check(f, 33));
	f[12] = 0x86; /* IPv6 */
	f[13] = 0xdd;
	assert_non_null(net_guard_check(f, 64));
	f[12] = 0x08; /* ARP */
	f[13] = 0x06;
	assert_null(net_guard_check(f, 42));
	assert_non_null(net_guard_check(f, 13));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(plain_and_offloaded_frames_pass),
		cmocka_unit_test(bad_headers_refused),
		cmocka_unit_test(guard),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
