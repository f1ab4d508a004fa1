/* Unit tests for virtio-net over a tap (src/vmm/virtio/net.c, net_tap.c, net_ctrl.c), with
 * the fake transport of virtio_harness.h. The test moves into a network namespace of its
 * own and makes two taps there, a single-queue and a multi-queue one; a packet socket on
 * each tap's interface sees what the guest sends and sends what the guest should receive.
 * Skipped where network namespaces are not allowed. */
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net_test.h"

#define TAP   "bnet0"
#define TAPMQ "bnetmq0" /* multi-queue */

static int netns_ok;
static int pkts[2] = { -1, -1 }; /* a packet socket on TAP, one on TAPMQ */
static int pkt = -1;		 /* the one of the tap the test's device is on */
static struct vh h;

static void write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);

	if (fd >= 0) {
		if (write(fd, s, strlen(s)) < 0)
			perror(path);
		close(fd);
	}
}

/* A persistent tap named name (multi-queue with mq), up, and a packet socket on it. */
static int make_tap(const char *name, short mq)
{
	struct ifreq ifr = { 0 };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	int fd, s, ps;

	fd = open("/dev/net/tun", O_RDWR);
	if (fd < 0)
		return -1;
	strcpy(ifr.ifr_name, name);
	ifr.ifr_flags = (short)(IFF_TAP | IFF_NO_PI | mq);
	assert_int_equal(ioctl(fd, TUNSETIFF, &ifr), 0);
	assert_int_equal(ioctl(fd, TUNSETPERSIST, 1), 0);
	close(fd);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	assert_int_equal(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP;
	assert_int_equal(ioctl(s, SIOCSIFFLAGS, &ifr), 0);
	close(s);
	ps = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	assert_true(ps >= 0);
	/* Each test's device re-attaches the persistent tap: its carrier comes on at once, but
	 * the kernel swaps the no-op qdisc for the real one later (linkwatch, a work queue), and
	 * a frame sent meanwhile is dropped without an error. Past the qdisc, the frame goes
	 * straight to the tap, whose carrier is all that is checked. */
	assert_int_equal(setsockopt(ps, SOL_PACKET, PACKET_QDISC_BYPASS, &(int){ 1 }, sizeof(int)),
			 0);
	sll.sll_ifindex = (int)if_nametoindex(name);
	assert_int_equal(bind(ps, (struct sockaddr *)&sll, sizeof(sll)), 0);
	return ps;
}

/* Both taps in a fresh network namespace. */
static int make_taps(void)
{
	if (unshare(CLONE_NEWNET) < 0)
		return -1;
	/* No IPv6 chatter (router solicitations) on the taps to confuse the rx tests. */
	write_file("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	pkts[0] = make_tap(TAP, 0);
	pkts[1] = make_tap(TAPMQ, IFF_MULTI_QUEUE);
	return pkts[0] < 0 || pkts[1] < 0 ? -1 : 0;
}

static int group_setup(void **state)
{
	(void)state;
	netns_ok = make_taps() == 0;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 2; i++)
		if (pkts[i] >= 0)
			close(pkts[i]);
	return 0;
}

static uint64_t dev_bps;       /* the next device's bps= (0: none) */
static unsigned dev_pairs = 1; /* its queue pairs: more than 1 puts it on TAPMQ */
static bool dev_threads;       /* virtio_net_threads before the start */

/* A device on TAP (or TAPMQ) with the features in accept, started, its packet socket
 * drained. */
static void start_dev(uint64_t accept)
{
	struct net_config cfg = { .kind = NET_TAP, .limit.bps = dev_bps };
	struct virtio_dev *d;
	struct berth_error err;
	uint8_t junk[2048];

	if (!netns_ok)
		skip();
	memcpy(cfg.mac, nt_mac, 6);
	strcpy(cfg.ifname, dev_pairs > 1 ? TAPMQ : TAP);
	pkt = pkts[dev_pairs > 1];
	assert_int_equal(vh_init(&h, 4 << 20), 0);
	if (virtio_net_create(&d, &cfg, 0, dev_pairs, &h.gm, &h.loop, &err) < 0)
		fail_msg("%s", err.msg);
	vh_attach(&h, d);
	if (dev_threads && virtio_net_threads(d, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(vh_start(&h, 64, accept), 0);
	while (recv(pkt, junk, sizeof(junk), MSG_DONTWAIT) > 0)
		;
}

static int teardown(void **state)
{
	(void)state;
	dev_bps = 0;
	dev_pairs = 1;
	dev_threads = false;
	if (h.ram)
		vh_destroy(&h);
	return 0;
}

/* The next frame the tap's interface sent (the guest's, as the host sees it received). */
static ssize_t pkt_recv(uint8_t *buf, size_t len)
{
	struct sockaddr_ll from;
	socklen_t fl = sizeof(from);
	struct pollfd p = { pkt, POLLIN, 0 };

	while (poll(&p, 1, 2000) == 1) {
		ssize_t n = recvfrom(pkt, buf, len, 0, (struct sockaddr *)&from, &fl);

		if (n < 0 || from.sll_pkttype != PACKET_OUTGOING)
			return n;
		fl = sizeof(from);
	}
	return -1;
}

/* Send a frame out of the tap's interface, towards the guest. */
static void pkt_send(const uint8_t *f, size_t len)
{
	assert_int_equal(send(pkt, f, len, 0), (ssize_t)len);
}

static void config_space(void **state)
{
	uint8_t cfg[10];

	(void)state;
	start_dev(~0ULL);
	vh_config_read(&h, 0, cfg, sizeof(cfg));
	assert_memory_equal(cfg, nt_mac, 6);
	assert_int_equal(cfg[6] | cfg[7] << 8, VIRTIO_NET_S_LINK_UP);
	assert_true(h.dev->features >> VIRTIO_F_VERSION_1 & 1);
	assert_true(h.dev->features >> VIRTIO_NET_F_MRG_RXBUF & 1);
	assert_true(h.dev->features >> VIRTIO_NET_F_HOST_TSO4 & 1);
	assert_false(h.dev->features >> VIRTIO_NET_F_HOST_UFO & 1);
}

static void tx_reaches_tap(void **state)
{
	uint8_t f[100], got[2048];
	struct net_hdr hdr = { 0 };

	(void)state;
	start_dev(~0ULL);
	nt_frame(f, sizeof(f), 1);
	nt_send(&h, &hdr, f, sizeof(f));
	assert_int_equal(vh_used_idx(&h, NT_TXQ), 1);
	assert_int_equal(vh_used_elem(&h, NT_TXQ, 0).len, 0);
	assert_int_equal(pkt_recv(got, sizeof(got)), sizeof(f));
	assert_memory_equal(got, f, sizeof(f));
	assert_int_equal(nt_stats(&h).tx_packets, 1);
	assert_int_equal(h.failures, 0);
}

/* bps=: each way, frames past the burst wait (tx: in the ring, unpopped; rx: in the tap)
 * until the limit's timer on the loop; none is dropped. 10 000 bytes/s holds 1000 bytes
 * and the frame at hand: two 1000-byte frames go at once, the third waits 100 ms. */
static void bps_limit(void **state)
{
	uint8_t f[1000], got[2048];
	struct net_hdr hdr = { 0 };
	unsigned i;

	(void)state;
	dev_bps = 10000;
	start_dev(~0ULL);
	for (i = 0; i < 4; i++) {
		nt_frame(f, sizeof(f), (uint8_t)i);
		nt_send(&h, &hdr, f, sizeof(f));
	}
	assert_int_equal(vh_used_idx(&h, NT_TXQ), 2);
	assert_int_equal(h.dev->vqs[NT_TXQ].inflight, 0);
	assert_int_equal(vh_run_until_used(&h, NT_TXQ, 4, 3000), 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(pkt_recv(got, sizeof(got)), sizeof(f));
		assert_int_equal(got[14], (uint8_t)(i + 14)); /* in order (nt_frame) */
	}
	nt_offer_rx(&h, 8, 2048);
	for (i = 0; i < 4; i++) {
		nt_frame(f, sizeof(f), (uint8_t)i);
		pkt_send(f, sizeof(f));
	}
	assert_int_equal(vh_run_until_used(&h, NT_RXQ, 4, 3000), 0);
	assert_int_equal(nt_stats(&h).rx_packets, 4);
	assert_int_equal(nt_stats(&h).tx_packets, 4);
	assert_int_equal(nt_stats(&h).rx_dropped + nt_stats(&h).tx_dropped, 0);
	assert_int_equal(h.failures, 0);
}

/* Without MRG_RXBUF a frame goes into one buffer of size bytes, num_buffers 1. */
static void rx_one_buffer(uint32_t size)
{
	uint8_t f[300];
	uint64_t gpa;
	struct net_hdr hdr;

	start_dev(~(1ULL << VIRTIO_NET_F_MRG_RXBUF));
	gpa = nt_offer_rx(&h, 2, size);
	nt_frame(f, sizeof(f), 7);
	pkt_send(f, sizeof(f));
	assert_int_equal(vh_run_until_used(&h, NT_RXQ, 1, 3000), 0);
	assert_int_equal(vh_used_elem(&h, NT_RXQ, 0).len, NET_HDR_LEN + sizeof(f));
	net_hdr_decode(&hdr, vh_host(&h, gpa));
	assert_int_equal(hdr.num_buffers, 1);
	assert_memory_equal(vh_host(&h, gpa + NET_HDR_LEN), f, sizeof(f));
	assert_int_equal(nt_stats(&h).rx_packets, 1);
	assert_true(h.interrupts[NT_RXQ] >= 1);
}

/* Through the bounce buffer: a buffer smaller than the largest frame. */
static void rx_into_one_buffer(void **state)
{
	(void)state;
	rx_one_buffer(2048);
}

/* With MRG_RXBUF a frame larger than one buffer spans several; num_buffers says how many. */
static void rx_merged_buffers(void **state)
{
	uint8_t f[1200];
	uint64_t gpa;
	struct net_hdr hdr;

	(void)state;
	start_dev(~0ULL);
	gpa = nt_offer_rx(&h, 4, 512); /* adjacent in guest RAM */
	nt_frame(f, sizeof(f), 3);
	pkt_send(f, sizeof(f));
	assert_int_equal(vh_run_until_used(&h, NT_RXQ, 3, 3000), 0);
	assert_int_equal(vh_used_elem(&h, NT_RXQ, 0).len, 512);
	assert_int_equal(vh_used_elem(&h, NT_RXQ, 1).len, 512);
	assert_int_equal(vh_used_elem(&h, NT_RXQ, 2).len, NET_HDR_LEN + sizeof(f) - 1024);
	net_hdr_decode(&hdr, vh_host(&h, gpa));
	assert_int_equal(hdr.num_buffers, 3);
	assert_memory_equal(vh_host(&h, gpa + NET_HDR_LEN), f, sizeof(f));
}

/* Buffers that could take the largest frame: frames are read straight into them, in
 * order; the chains a frame does not take serve the next one. */
static void rx_direct_merged(void **state)
{
	uint8_t f[1400], g[100];
	uint64_t gpa;
	struct net_hdr hdr;

	(void)state;
	start_dev(~0ULL);
	gpa = nt_offer_rx(&h, 60, 1200); /* room for 64 KiB and its header */
	nt_frame(f, sizeof(f), 5);
	pkt_send(f, sizeof(f));
	nt_frame(g, sizeof(g), 6);
	pkt_send(g, sizeof(g));
	assert_int_equal(vh_run_until_used(&h, NT_RXQ, 3, 3000), 0);
	assert_int_equal(vh_used_elem(&h, NT_RXQ, 0).len, 1200);
	assert_int_equal(vh_used_elem(&h, NT_RXQ, 1).len, NET_HDR_LEN + sizeof(f) - 1200);
	net_hdr_decode(&hdr, vh_host(&h, gpa));
	assert_int_equal(hdr.num_buffers, 2);
	assert_memory_equal(vh_host(&h, gpa + NET_HDR_LEN), f, sizeof(f));
	assert_int_equal(vh_used_elem(&h, NT_RXQ, 2).len, NET_HDR_LEN + sizeof(g));
	net_hdr_decode(&hdr, vh_host(&h, gpa + 2 * 1200));
	assert_int_equal(hdr.num_buffers, 1);
	assert_memory_equal(vh_host(&h, gpa + 2 * 1200 + NET_HDR_LEN), g, sizeof(g));
	assert_int_equal(nt_stats(&h).rx_packets, 2);
	assert_int_equal(nt_stats(&h).rx_dropped, 0);
}

/* Without MRG_RXBUF, one buffer as big as the largest frame takes a frame straight. */
static void rx_direct_one_buffer(void **state)
{
	(void)state;
	rx_one_buffer(NET_HDR_LEN + NET_MAX_FRAME);
}

/* Bad headers cost the frame, never the device. */
static void bad_headers_dropped(void **state)
{
	static uint8_t big[NET_MAX_FRAME + 1];
	uint8_t f[100], got[2048];
	const struct net_hdr bad[] = {
		{ .flags = 0x80 },
		{ .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 90, .csum_offset = 9 },
		{ .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 1000 }, /* no NEEDS_CSUM */
		{ .gso_type = VIRTIO_NET_HDR_GSO_UDP,
		  .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		  .gso_size = 1000 }, /* UFO is not offered */
		{ .gso_type = 7 },
		{ .hdr_len = 101 },
	};
	unsigned i;
	uint64_t gpa;

	(void)state;
	start_dev(~0ULL);
	nt_frame(f, sizeof(f), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		nt_send(&h, &bad[i], f, sizeof(f));
	nt_send(&h, &(struct net_hdr){ 0 }, f, 10);	       /* a runt */
	nt_send(&h, &(struct net_hdr){ 0 }, big, sizeof(big)); /* too long */
	gpa = vh_alloc(&h, 8);				       /* no room for a header */
	vh_submit(&h, NT_TXQ, &(struct vh_buf){ gpa, 8, false }, 1);
	assert_int_equal(vh_used_idx(&h, NT_TXQ), i + 3);
	assert_int_equal(nt_stats(&h).tx_bad, i + 3);
	assert_int_equal(nt_stats(&h).tx_packets, 0);
	assert_int_equal(h.failures, 0);
	/* The device goes on working. */
	nt_send(&h, &(struct net_hdr){ 0 }, f, sizeof(f));
	assert_int_equal(pkt_recv(got, sizeof(got)), sizeof(f));
	assert_int_equal(nt_stats(&h).tx_packets, 1);
}

/* A malformed chain is the driver breaking the rules: the device fails. */
static void broken_chain_fails(void **state)
{
	(void)state;
	start_dev(~0ULL);
	vh_put_desc(&h, NT_TXQ, 0, (uint64_t)h.ram_size, 100, 0, 0); /* outside RAM */
	vh_offer(&h, NT_TXQ, 0);
	vh_kick(&h, NT_TXQ);
	assert_int_equal(h.failures, 1);
}

/* A malformed rx chain fails the device once, as soon as it is offered (chains are taken
 * ahead of frames); the tap is not watched after: a frame arriving wakes nothing. */
static void broken_rx_chain_fails(void **state)
{
	uint8_t f[100];

	(void)state;
	start_dev(~0ULL);
	vh_put_desc(&h, NT_RXQ, 0, (uint64_t)h.ram_size, 100, VIRTQ_DESC_F_WRITE, 0);
	vh_offer(&h, NT_RXQ, 0);
	vh_kick(&h, NT_RXQ);
	assert_int_equal(h.failures, 1);
	nt_frame(f, sizeof(f), 0);
	pkt_send(f, sizeof(f));
	assert_int_equal(vh_run(&h, 200), 0);
	assert_int_equal(h.failures, 1);
}

/* No rx buffers: the tap leaves the loop (nothing fires, nothing spins) and its frames wait
 * in the tap's queue until the guest offers buffers. */
static void rx_backpressure(void **state)
{
	uint8_t f[200];
	unsigned i;

	(void)state;
	start_dev(~0ULL);
	for (i = 0; i < 3; i++) {
		nt_frame(f, sizeof(f), (uint8_t)i);
		pkt_send(f, sizeof(f));
	}
	assert_int_equal(vh_run(&h, 1000), 1); /* the tap is readable, no buffers */
	assert_int_equal(vh_run(&h, 200), 0);  /* and is no longer watched */
	assert_int_equal(vh_used_idx(&h, NT_RXQ), 0);
	nt_offer_rx(&h, 3, 1024);
	assert_int_equal(vh_run_until_used(&h, NT_RXQ, 3, 3000), 0);
	assert_int_equal(nt_stats(&h).rx_packets, 3);
	assert_int_equal(nt_stats(&h).rx_dropped, 0);
}

/* With a frame waiting, a full rx queue of the costliest useless chains (indirect tables of
 * VIRTQ_MAX_SIZE descriptors holding one writable byte, too small for the header) is walked
 * a bounded share per turn of the loop, the rest handed back to the loop; the frame still
 * reaches the first good buffer after them. */
static void rx_costliest_chains_take_turns(void **state)
{
	uint64_t table, one;
	uint8_t f[200];
	uint16_t i;

	(void)state;
	start_dev(~0ULL);
	vh_reset(&h);
	assert_int_equal(vh_start(&h, 256, ~0ULL), 0);
	table = vh_alloc(&h, 16ULL * VIRTQ_MAX_SIZE);
	one = vh_alloc(&h, 1);
	for (i = 0; i < VIRTQ_MAX_SIZE - 1; i++)
		vh_put_desc_at(&h, table, i, 0, 0, VIRTQ_DESC_F_NEXT, (uint16_t)(i + 1));
	vh_put_desc_at(&h, table, VIRTQ_MAX_SIZE - 1, one, 1, VIRTQ_DESC_F_WRITE, 0);
	for (i = 0; i < 256; i++) {
		vh_put_desc(&h, NT_RXQ, i, table, 16 * VIRTQ_MAX_SIZE, VIRTQ_DESC_F_INDIRECT, 0);
		vh_offer(&h, NT_RXQ, i);
	}
	h.max_walk = 0;
	h.requeues = 0;
	nt_frame(f, sizeof(f), 0);
	pkt_send(f, sizeof(f));
	assert_int_equal(vh_run(&h, 1000), 1); /* the tap: one turn */
	assert_true(vh_used_idx(&h, NT_RXQ) > 0);
	assert_true(vh_used_idx(&h, NT_RXQ) < 256);
	assert_int_equal(h.requeues, 1);
	assert_int_equal(vh_run_until_used(&h, NT_RXQ, 256, 60000), 0);
	assert_true(h.max_walk <= VIRTIO_TURN_MAX_WALK);
	assert_int_equal(nt_stats(&h).rx_packets, 0);
	nt_offer_rx(&h, 1, 2048);
	assert_int_equal(vh_run_until_used(&h, NT_RXQ, 257, 3000), 0);
	assert_int_equal(vh_used_elem(&h, NT_RXQ, 256).len, NET_HDR_LEN + sizeof(f));
	assert_int_equal(nt_stats(&h).rx_packets, 1);
	assert_true(h.max_walk <= VIRTIO_TURN_MAX_WALK);
}

/* A frame too big for a guest's (non-merged) buffer is dropped; the buffer serves the next. */
static void rx_too_big_dropped(void **state)
{
	uint8_t f[600];

	(void)state;
	start_dev(~(1ULL << VIRTIO_NET_F_MRG_RXBUF));
	nt_offer_rx(&h, 1, 256);
	nt_frame(f, sizeof(f), 0);
	pkt_send(f, sizeof(f));
	pkt_send(f, 100);
	assert_int_equal(vh_run_until_used(&h, NT_RXQ, 1, 3000), 0);
	assert_int_equal(vh_used_elem(&h, NT_RXQ, 0).len, NET_HDR_LEN + 100);
	assert_int_equal(nt_stats(&h).rx_dropped, 1);
}

/* Offloads the guest accepts are handed to the tap; the tap takes them. */
static void offloads_negotiated(void **state)
{
	(void)state;
	start_dev(1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTIO_NET_F_GUEST_CSUM |
		  1ULL << VIRTIO_NET_F_GUEST_TSO4 | 1ULL << VIRTIO_NET_F_GUEST_TSO6 |
		  1ULL << VIRTIO_NET_F_GUEST_ECN);
	assert_int_equal(h.failures, 0);
	vh_reset(&h);
	/* A driver without VERSION_1 is refused. */
	assert_int_equal(vh_start(&h, 64, 1ULL << VIRTIO_NET_F_MAC), -1);
}

/* A driver that leaves a queue disabled is refused at DRIVER_OK. */
static void both_queues_needed(void **state)
{
	(void)state;
	start_dev(~0ULL);
	vh_reset(&h);
	h.dev->vq_enabled[NT_RXQ] = true;
	pthread_mutex_lock(&h.dev->lock);
	assert_int_equal(h.dev->ops->start(h.dev), -1);
	pthread_mutex_unlock(&h.dev->lock);
}

static void expect_create_error(const char *ifname, const char *msg)
{
	struct net_config cfg = { .kind = NET_TAP };
	struct virtio_dev *d;
	struct berth_error err;

	snprintf(cfg.ifname, sizeof(cfg.ifname), "%s", ifname);
	assert_int_equal(virtio_net_create(&d, &cfg, 1, 1, &h.gm, &h.loop, &err), -1);
	assert_contains(err.msg, msg);
	assert_contains(err.msg, ifname);
}

static void tap_errors(void **state)
{
	(void)state;
	start_dev(~0ULL);
	expect_create_error("nosuchtap0", "does not exist");
	expect_create_error(TAP, "busy"); /* the device above holds it */
	expect_create_error("lo", "not a tap");
}

/* An IPv4 UDP frame to nt_mac from port sport: tap queues are picked by flow. */
static void udp_frame(uint8_t *f, size_t len, uint16_t sport)
{
	memset(f, 0, len);
	memcpy(f, nt_mac, 6);
	memcpy(f + 6, (uint8_t[]){ 0x02, 0, 0, 0, 0, 1 }, 6);
	f[12] = 0x08;
	f[14] = 0x45;
	f[16] = (uint8_t)((len - 14) >> 8);
	f[17] = (uint8_t)(len - 14);
	f[22] = 64;
	f[23] = 17; /* UDP */
	memcpy(f + 26, (uint8_t[]){ 10, 0, 0, 1, 10, 0, 0, 2 }, 8);
	f[34] = (uint8_t)(sport >> 8);
	f[35] = (uint8_t)sport;
	f[37] = 9;
	f[39] = (uint8_t)(len - 34);
}

#define MQ_CTRLQ 4 /* two pairs, then the control queue */

/* A multi-queue tap gets one queue pair per vCPU asked for, then the control queue. */
static void mq_layout(void **state)
{
	uint8_t cfg[10];

	(void)state;
	dev_pairs = 2;
	start_dev(~0ULL);
	assert_int_equal(h.dev->nqueues, 5);
	vh_config_read(&h, 0, cfg, sizeof(cfg));
	assert_int_equal(cfg[8] | cfg[9] << 8, 2);
	assert_true(h.dev->features >> VIRTIO_NET_F_MQ & 1);
	assert_true(h.dev->features >> VIRTIO_NET_F_CTRL_VQ & 1);
	assert_false(h.dev->features >> VIRTIO_NET_F_CTRL_RX & 1);
}

/* A single-queue tap gets one pair, however many were asked for. */
static void mq_single_queue_tap(void **state)
{
	struct net_config cfg = { .kind = NET_TAP, .ifname = TAP };
	struct virtio_dev *d;
	struct berth_error err;
	uint8_t c[10];

	(void)state;
	if (!netns_ok)
		skip();
	assert_int_equal(vh_init(&h, 4 << 20), 0);
	assert_int_equal(virtio_net_create(&d, &cfg, 0, 4, &h.gm, &h.loop, &err), 0);
	vh_attach(&h, d);
	assert_int_equal(d->nqueues, 3);
	vh_config_read(&h, 0, c, sizeof(c));
	assert_int_equal(c[8] | c[9] << 8, 1);
}

/* Wait (up to 3 s) until queues a and b have given back n chains between them (from the
 * loop, or from the pairs' own threads). */
static void wait_used(unsigned a, unsigned b, unsigned n)
{
	for (int64_t end = vh_now_ms() + 3000;
	     vh_now_ms() < end && (uint16_t)(vh_used_idx(&h, a) + vh_used_idx(&h, b)) < n;)
		vh_run(&h, 10);
	assert_int_equal((uint16_t)(vh_used_idx(&h, a) + vh_used_idx(&h, b)), n);
}

/* Offer a frame (seeded with seed) on pair 1's transmit queue; a copy into f. */
static void mq_tx_offer(uint8_t *f, size_t len, uint8_t seed)
{
	uint64_t hg = vh_alloc(&h, NET_HDR_LEN), fg = vh_alloc(&h, len);

	nt_frame(vh_host(&h, fg), len, seed);
	memcpy(f, vh_host(&h, fg), len);
	vh_submit(&h, 3,
		  (struct vh_buf[]){ { hg, NET_HDR_LEN, false }, { fg, (uint32_t)len, false } }, 2);
}

/* The frame pair 1 was offered went out whole. */
static void mq_tx_check(const uint8_t *f, size_t len)
{
	uint8_t got[2048];

	wait_used(1, 3, 1);
	assert_int_equal(pkt_recv(got, sizeof(got)), len);
	assert_memory_equal(got, f, len);
}

/* 32 flows sent to the guest spread over both pairs' rx queues, none lost. */
static void mq_rx_both(uint16_t sport)
{
	uint8_t f[100];
	unsigned i, n = 32;

	for (unsigned q = 0; q <= 2; q += 2) {
		for (i = 0; i < n; i++)
			vh_offer(&h, q,
				 vh_add_chain(
				     &h, q, &(struct vh_buf){ vh_alloc(&h, 2048), 2048, true }, 1));
		vh_kick(&h, q);
	}
	for (i = 0; i < n; i++) {
		udp_frame(f, sizeof(f), (uint16_t)(sport + i));
		pkt_send(f, sizeof(f));
	}
	wait_used(0, 2, n);
	assert_true(vh_used_idx(&h, 0) > 0); /* 32 flows on one queue: 1 in 2^31 */
	assert_true(vh_used_idx(&h, 2) > 0);
	assert_int_equal(nt_stats(&h).rx_packets, n);
	assert_int_equal(h.failures, 0);
}

/* Pair 1 is used only after VQ_PAIRS_SET: then it transmits, and received flows spread
 * over both pairs' rx queues, none lost. */
static void mq_pairs_set(void **state)
{
	uint8_t f[100];

	(void)state;
	dev_pairs = 2;
	start_dev(~0ULL);
	mq_tx_offer(f, sizeof(f), 5);
	assert_int_equal(vh_used_idx(&h, 3), 0); /* pair 1 not in use yet */
	assert_int_equal(nt_pairs_set(&h, MQ_CTRLQ, 2), VIRTIO_NET_OK);
	mq_tx_check(f, sizeof(f)); /* looked at again once in use */
	mq_rx_both(1000);
}

/* Hostile commands get VIRTIO_NET_ERR (or, with nowhere to answer, nothing) and change
 * nothing; the device never fails for them. */
static void mq_hostile_commands(void **state)
{
	uint8_t three[3] = { 2, 0, 0 };
	uint64_t hdr;

	(void)state;
	dev_pairs = 2;
	start_dev(~0ULL);
	assert_int_equal(nt_pairs_set(&h, MQ_CTRLQ, 0), VIRTIO_NET_ERR);
	assert_int_equal(nt_pairs_set(&h, MQ_CTRLQ, 3), VIRTIO_NET_ERR);
	assert_int_equal(nt_pairs_set(&h, MQ_CTRLQ, 0x8000), VIRTIO_NET_ERR);
	assert_int_equal(
	    nt_ctrl(&h, MQ_CTRLQ, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, three, 3),
	    VIRTIO_NET_ERR);
	assert_int_equal(
	    nt_ctrl(&h, MQ_CTRLQ, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, NULL, 0),
	    VIRTIO_NET_ERR);
	assert_int_equal(nt_ctrl(&h, MQ_CTRLQ, VIRTIO_NET_CTRL_RX, 0, (uint8_t[]){ 1 }, 1),
			 VIRTIO_NET_ERR);
	assert_int_equal(nt_ctrl(&h, MQ_CTRLQ, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_RSS_CONFIG,
				 (uint8_t[]){ 2, 0 }, 2),
			 VIRTIO_NET_ERR);
	/* No writable byte: given back unanswered. */
	hdr = vh_alloc(&h, 4);
	memcpy(vh_host(&h, hdr), (uint8_t[]){ VIRTIO_NET_CTRL_MQ, 0, 2, 0 }, 4);
	vh_submit(&h, MQ_CTRLQ, &(struct vh_buf){ hdr, 4, false }, 1);
	assert_int_equal(vh_used_elem(&h, MQ_CTRLQ, 7).len, 0);
	/* Still one pair in use, and the device works. */
	vh_submit(&h, 3, &(struct vh_buf){ vh_alloc(&h, 100), 100, false }, 1);
	assert_int_equal(vh_used_idx(&h, 3), 0);
	assert_int_equal(h.failures, 0);
	assert_int_equal(nt_pairs_set(&h, MQ_CTRLQ, 2), VIRTIO_NET_OK);
}

/* A reset goes back to one pair; a driver without MQ has its control queue at 2, and may
 * only ask for the one pair. */
static void mq_reset_and_no_mq(void **state)
{
	(void)state;
	dev_pairs = 2;
	start_dev(~0ULL);
	assert_int_equal(nt_pairs_set(&h, MQ_CTRLQ, 2), VIRTIO_NET_OK);
	vh_reset(&h);
	assert_int_equal(vh_start(&h, 64, ~0ULL), 0);
	vh_submit(&h, 3, &(struct vh_buf){ vh_alloc(&h, 100), 100, false }, 1);
	assert_int_equal(vh_used_idx(&h, 3), 0);
	vh_reset(&h);
	assert_int_equal(vh_start(&h, 64, ~(1ULL << VIRTIO_NET_F_MQ)), 0);
	assert_int_equal(nt_pairs_set(&h, 2, 2), VIRTIO_NET_ERR);
	assert_int_equal(nt_pairs_set(&h, 2, 1), VIRTIO_NET_OK);
	vh_reset(&h);
	/* Without the control queue, a kick on queue 4 does nothing at all. */
	assert_int_equal(
	    vh_start(&h, 64, ~(1ULL << VIRTIO_NET_F_CTRL_VQ | 1ULL << VIRTIO_NET_F_MQ)), 0);
	assert_int_equal(nt_pairs_set(&h, MQ_CTRLQ, 1), -2);
	assert_int_equal(h.failures, 0);
}

/* With a thread per pair, each pair's kicks and frames are served on its thread: pair 1
 * transmits, received flows land on both pairs, nothing lost; after a reset the threads
 * serve nothing until the next start, and the device's end stops them. */
static void mq_threads(void **state)
{
	uint8_t f[100];

	(void)state;
	dev_pairs = 2;
	dev_threads = true;
	start_dev(~0ULL);
	assert_int_equal(h.kicks_taken, 0xf); /* the pairs' queues, not the control queue */
	assert_int_equal(nt_pairs_set(&h, MQ_CTRLQ, 2), VIRTIO_NET_OK);
	mq_tx_offer(f, sizeof(f), 9);
	mq_tx_check(f, sizeof(f));
	mq_rx_both(2000);
	assert_int_equal(nt_stats(&h).tx_packets, 1);
	vh_reset(&h);
	vh_offer(&h, 1, vh_add_chain(&h, 1, &(struct vh_buf){ vh_alloc(&h, 100), 100, false }, 1));
	vh_kick(&h, 1);
	vh_run(&h, 50);
	assert_int_equal(nt_stats(&h).tx_packets + nt_stats(&h).tx_bad, 1);
	assert_int_equal(h.failures, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(config_space, teardown),
		cmocka_unit_test_teardown(tx_reaches_tap, teardown),
		cmocka_unit_test_teardown(bps_limit, teardown),
		cmocka_unit_test_teardown(rx_into_one_buffer, teardown),
		cmocka_unit_test_teardown(rx_merged_buffers, teardown),
		cmocka_unit_test_teardown(rx_direct_merged, teardown),
		cmocka_unit_test_teardown(rx_direct_one_buffer, teardown),
		cmocka_unit_test_teardown(bad_headers_dropped, teardown),
		cmocka_unit_test_teardown(broken_chain_fails, teardown),
		cmocka_unit_test_teardown(broken_rx_chain_fails, teardown),
		cmocka_unit_test_teardown(rx_backpressure, teardown),
		cmocka_unit_test_teardown(rx_too_big_dropped, teardown),
		cmocka_unit_test_teardown(rx_costliest_chains_take_turns, teardown),
		cmocka_unit_test_teardown(offloads_negotiated, teardown),
		cmocka_unit_test_teardown(both_queues_needed, teardown),
		cmocka_unit_test_teardown(tap_errors, teardown),
		cmocka_unit_test_teardown(mq_layout, teardown),
		cmocka_unit_test_teardown(mq_single_queue_tap, teardown),
		cmocka_unit_test_teardown(mq_pairs_set, teardown),
		cmocka_unit_test_teardown(mq_hostile_commands, teardown),
		cmocka_unit_test_teardown(mq_reset_and_no_mq, teardown),
		cmocka_unit_test_teardown(mq_threads, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
