/* Unit tests for virtio-net on user-mode networking (src/vmm/virtio/net.c, net_slirp.c):
 * the guest gets a DHCP offer, port forwards listen on 127.0.0.1 and clash cleanly, and
 * frames to anywhere but the host's loopback, DNS and DHCP never reach libslirp. */
#include "testlib.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net_test.h"
#include "vmm/virtio/net_flows.h"

static struct vh h;

static void start_user(const struct net_config *cfg)
{
	struct virtio_dev *d;
	struct berth_error err;

	assert_int_equal(vh_init(&h, 4 << 20), 0);
	if (virtio_net_create(&d, cfg, 0, 1, &h.gm, &h.loop, &err) < 0)
		fail_msg("%s", err.msg);
	vh_attach(&h, d);
	assert_int_equal(vh_start(&h, 64, ~0ULL), 0);
}

static int teardown(void **state)
{
	(void)state;
	if (h.ram)
		vh_destroy(&h);
	return 0;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* An Ethernet + IPv4 + UDP frame from 0.0.0.0:sport to dst:dport with payload len bytes
 * (written by the caller at f + 42); the frame's length. */
static size_t udp_frame(uint8_t *f, uint32_t dst, uint16_t sport, uint16_t dport, size_t len)
{
	uint8_t *ip = f + 14, *udp = ip + 20;
	uint32_t sum = 0;
	unsigned i;

	memset(f, 0xff, 6);
	memcpy(f + 6, nt_mac, 6);
	put16(f + 12, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(28 + len));
	ip[8] = 64;
	ip[9] = 17;
	put32(ip + 16, dst);
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(ip + 10, (uint16_t)~sum);
	put16(udp, sport);
	put16(udp + 2, dport);
	put16(udp + 4, (uint16_t)(8 + len));
	put16(udp + 6, 0); /* no UDP checksum */
	return 42 + len;
}

/* A DHCPDISCOVER from nt_mac, broadcast, as a booting guest sends it. */
static size_t dhcp_discover(uint8_t *f)
{
	uint8_t *b = f + 42;
	size_t len = 236 + 312; /* BOOTP header and a full options field */

	memset(b, 0, len);
	b[0] = 1; /* BOOTREQUEST */
	b[1] = 1; /* Ethernet */
	b[2] = 6;
	put32(b + 4, 0x12345678); /* xid */
	put16(b + 10, 0x8000);	  /* reply by broadcast */
	memcpy(b + 28, nt_mac, 6);
	put32(b + 236, 0x63825363); /* magic cookie */
	b[240] = 53;		    /* DHCP message type: */
	b[241] = 1;
	b[242] = 1; /* DISCOVER */
	b[243] = 255;
	return udp_frame(f, 0xffffffffu, 68, 67, len);
}

static void dhcp_offer(void **state)
{
	struct net_config cfg = { .kind = NET_USER };
	uint8_t f[1024];
	uint64_t gpa;
	const uint8_t *r, *b;

	(void)state;
	memcpy(cfg.mac, nt_mac, 6);
	start_user(&cfg);
	assert_false(h.dev->features >> VIRTIO_NET_F_CSUM & 1); /* slirp takes whole frames */
	gpa = nt_offer_rx(&h, 4, 2048);
	nt_send(&h, &(struct net_hdr){ 0 }, f, dhcp_discover(f));
	assert_int_equal(nt_stats(&h).tx_packets, 1);
	assert_int_equal(vh_run_until_used(&h, NT_RXQ, 1, 3000), 0);
	r = vh_host(&h, gpa) + NET_HDR_LEN;
	b = r + 42;
	assert_true(vh_used_elem(&h, NT_RXQ, 0).len > NET_HDR_LEN + 42 + 243);
	assert_int_equal(r[12] << 8 | r[13], 0x0800);
	assert_int_equal(r[14 + 9], 17);
	assert_int_equal(r[34] << 8 | r[35], 67); /* from the server port */
	assert_int_equal(b[0], 2);		  /* BOOTREPLY */
	assert_memory_equal(b + 4, "\x12\x34\x56\x78", 4);
	assert_memory_equal(b + 16, "\x0a\x00\x02\x0f", 4); /* yiaddr 10.0.2.15 */
	assert_memory_equal(b + 240, "\x35\x01\x02", 3);    /* DHCPOFFER */
}

/* A free TCP port on 127.0.0.1 (free a moment ago). */
static uint16_t free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0);

	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &al), 0);
	close(s);
	return ntohs(a.sin_port);
}

/* Is something listening on 127.0.0.1:port, and on no other address? (/proc/net/tcp) */
static int listens_on_loopback_only(uint16_t port)
{
	char line[256], want[32], any[32];
	int loopback = 0, other = 0;
	FILE *f = fopen("/proc/net/tcp", "r");

	assert_non_null(f);
	snprintf(want, sizeof(want), "0100007F:%04X 00000000:0000 0A", port);
	snprintf(any, sizeof(any), ":%04X 00000000:0000 0A", port);
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, want))
			loopback = 1;
		else if (strstr(line, any))
			other = 1;
	}
	fclose(f);
	return loopback && !other;
}

/* A forward listens on 127.0.0.1 only, and a connection to it heads for the guest. */
static void hostfwd_listens_on_loopback(void **state)
{
	struct net_config cfg = { .kind = NET_USER, .nhostfwds = 1 };
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	const uint8_t *r;
	uint64_t gpa;
	int s;

	(void)state;
	cfg.hostfwds[0] = (struct net_hostfwd){ free_port(), 22 };
	start_user(&cfg);
	assert_true(listens_on_loopback_only(cfg.hostfwds[0].host_port));
	a.sin_port = htons(cfg.hostfwds[0].host_port);
	s = socket(AF_INET, SOCK_STREAM, 0);
	gpa = nt_offer_rx(&h, 4, 2048);
	assert_int_equal(connect(s, (struct sockaddr *)&a, sizeof(a)), 0);
	/* libslirp's thread accepts it and looks for the guest: ARP, who has 10.0.2.15? */
	assert_int_equal(vh_run_until_used(&h, NT_RXQ, 1, 3000), 0);
	r = vh_host(&h, gpa) + NET_HDR_LEN;
	assert_int_equal(r[12] << 8 | r[13], 0x0806);
	assert_memory_equal(r + 14 + 24, "\x0a\x00\x02\x0f", 4);
	close(s);
}

static void hostfwd_port_in_use(void **state)
{
	struct net_config cfg = { .kind = NET_USER, .nhostfwds = 1 };
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct virtio_dev *d;
	struct berth_error err;
	char port[16];
	int s;

	(void)state;
	cfg.hostfwds[0] = (struct net_hostfwd){ free_port(), 80 };
	a.sin_port = htons(cfg.hostfwds[0].host_port);
	s = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s, 1), 0);
	assert_int_equal(vh_init(&h, 1 << 20), 0);
	assert_int_equal(virtio_net_create(&d, &cfg, 0, 1, &h.gm, &h.loop, &err), -1);
	snprintf(port, sizeof(port), "127.0.0.1:%u", cfg.hostfwds[0].host_port);
	assert_contains(err.msg, port);
	assert_contains(err.msg, "another program");
	close(s);
}

/* Only the host's loopback, DNS and DHCP: a frame elsewhere is dropped and counted. */
static void only_loopback_reached(void **state)
{
	struct net_config cfg = { .kind = NET_USER };
	uint8_t f[128] = { 0 };

	(void)state;
	start_user(&cfg);
	nt_send(&h, &(struct net_hdr){ 0 }, f, udp_frame(f, 0x08080808, 1000, 53, 16));
	nt_send(&h, &(struct net_hdr){ 0 }, f, udp_frame(f, 0x0a000203, 1000, 123, 16));
	assert_int_equal(nt_stats(&h).tx_dropped, 2);
	nt_send(&h, &(struct net_hdr){ 0 }, f, udp_frame(f, 0x0a000202, 1000, 9, 16));
	assert_int_equal(nt_stats(&h).tx_packets, 1);
	assert_int_equal(h.failures, 0);
}

/* File descriptors this process has open. */
static unsigned open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* Datagrams to the host from thousands of source ports: libslirp opens a socket for at most
 * NET_FLOWS_MAX of them, the rest are dropped and counted; a flow already open goes on. */
static void flows_are_capped(void **state)
{
	struct net_config cfg = { .kind = NET_USER };
	uint8_t f[128] = { 0 };
	unsigned before, i;

	(void)state;
	start_user(&cfg);
	before = open_fds();
	for (i = 0; i < 3000; i++) {
		nt_send(&h, &(struct net_hdr){ 0 }, f,
			udp_frame(f, 0x0a000202, (uint16_t)(10000 + i), 9, 16));
		vh_free_all(&h);
	}
	assert_true(open_fds() <= before + NET_FLOWS_MAX);
	assert_true(nt_stats(&h).tx_dropped >= 3000 - NET_FLOWS_MAX);
	assert_true(nt_stats(&h).tx_packets >= NET_FLOWS_MAX / 2);
	i = (unsigned)nt_stats(&h).tx_packets;
	nt_send(&h, &(struct net_hdr){ 0 }, f, udp_frame(f, 0x0a000202, 10000, 9, 16));
	assert_int_equal(nt_stats(&h).tx_packets, i + 1);
	assert_int_equal(h.failures, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(dhcp_offer, teardown),
		cmocka_unit_test_teardown(hostfwd_listens_on_loopback, teardown),
		cmocka_unit_test_teardown(hostfwd_port_in_use, teardown),
		cmocka_unit_test_teardown(only_loopback_reached, teardown),
		cmocka_unit_test_teardown(flows_are_capped, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
