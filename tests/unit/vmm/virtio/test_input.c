/* Unit tests for src/vmm/virtio/input*.c: the tablet's config space as Linux's virtio_input
 * reads it, VNC pointer positions scaled and encoded as input events, the bounded ring, and
 * the device through the virtio harness (events into the guest's buffers, waiting while it
 * has none, the oldest dropped whole, the status queue drained, a broken queue failing), and
 * behind the real virtio-pci transport as Linux's virtio_pci and virtio_input find it. */
#include "testlib.h"

#include "pci_fixture.h"
#include "virtio_harness.h"
#include "vmm/virtio/input.h"
#include "vmm/virtio/input_config.h"
#include "vmm/virtio/input_events.h"

#define QSIZE 64

/* select/subsel written, then the whole config space read. */
static uint8_t cfg_select(struct vinput_config *c, uint8_t select, uint8_t subsel,
			  uint8_t space[VINPUT_CONFIG_LEN])
{
	vinput_config_write(c, 0, &select, 1);
	vinput_config_write(c, 1, &subsel, 1);
	vinput_config_read(c, 0, space, VINPUT_CONFIG_LEN);
	assert_int_equal(space[0], select);
	assert_int_equal(space[1], subsel);
	return space[2];
}

static bool bit(const uint8_t *data, unsigned n)
{
	return data[n / 8] >> (n % 8) & 1;
}

static void config_space(void **state)
{
	struct vinput_config c = { 0 };
	uint8_t s[VINPUT_CONFIG_LEN], *data = s + VINPUT_CONFIG_DATA;
	unsigned i, set = 0;

	(void)state;
	assert_int_equal(cfg_select(&c, VINPUT_CFG_UNSET, 0, s), 0);
	assert_int_equal(cfg_select(&c, VINPUT_CFG_ID_NAME, 0, s), 18);
	assert_memory_equal(data, "QEMU Virtio Tablet", 18);
	assert_int_equal(cfg_select(&c, VINPUT_CFG_ID_NAME, 1, s), 0);
	assert_int_equal(cfg_select(&c, VINPUT_CFG_ID_SERIAL, 0, s), 0);
	assert_int_equal(cfg_select(&c, VINPUT_CFG_ID_DEVIDS, 0, s), 8);
	assert_memory_equal(data, "\x06\x00\x27\x06\x03\x00\x02\x00", 8);
	assert_int_equal(cfg_select(&c, VINPUT_CFG_PROP_BITS, 0, s), 0);

	/* EV_KEY: the three buttons and nothing else, in a bitmap as long as it needs. */
	assert_int_equal(cfg_select(&c, VINPUT_CFG_EV_BITS, VINPUT_EV_KEY, s), 0x112 / 8 + 1);
	for (i = 0; i < 128 * 8; i++)
		set += bit(data, i);
	assert_int_equal(set, 3);
	assert_true(bit(data, 0x110) && bit(data, 0x111) && bit(data, 0x112));
	assert_int_equal(cfg_select(&c, VINPUT_CFG_EV_BITS, VINPUT_EV_REL, s), 2);
	assert_int_equal(data[0], 0);
	assert_int_equal(data[1], 1); /* REL_WHEEL, 8 */
	assert_int_equal(cfg_select(&c, VINPUT_CFG_EV_BITS, VINPUT_EV_ABS, s), 1);
	assert_int_equal(data[0], 3); /* ABS_X, ABS_Y */
	for (i = 0; i < 256; i++)
		if (i != VINPUT_EV_KEY && i != VINPUT_EV_REL && i != VINPUT_EV_ABS)
			assert_int_equal(cfg_select(&c, VINPUT_CFG_EV_BITS, (uint8_t)i, s), 0);

	for (i = VINPUT_ABS_X; i <= VINPUT_ABS_Y; i++) {
		assert_int_equal(cfg_select(&c, VINPUT_CFG_ABS_INFO, (uint8_t)i, s), 20);
		assert_memory_equal(data, "\0\0\0\0\xff\x7f\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 20);
	}
	assert_int_equal(cfg_select(&c, VINPUT_CFG_ABS_INFO, 2, s), 0);

	/* Anything else: size 0 and no data. */
	for (i = 0; i < 256; i++) {
		static const uint8_t zero[128];

		if (i == VINPUT_CFG_ID_NAME || i == VINPUT_CFG_ID_DEVIDS ||
		    i == VINPUT_CFG_EV_BITS || i == VINPUT_CFG_ABS_INFO)
			continue;
		assert_int_equal(cfg_select(&c, (uint8_t)i, 0, s), 0);
		assert_memory_equal(data, zero, 128);
	}
}

static void config_access(void **state)
{
	struct vinput_config c = { 0 };
	uint8_t b[8], w[4] = { VINPUT_CFG_ABS_INFO, VINPUT_ABS_Y, 99, 99 };

	(void)state;
	/* One write of 4 bytes: select and subsel take theirs, size and beyond are read-only. */
	vinput_config_write(&c, 0, w, 4);
	assert_int_equal(c.select, VINPUT_CFG_ABS_INFO);
	assert_int_equal(c.subsel, VINPUT_ABS_Y);
	vinput_config_read(&c, 2, b, 1);
	assert_int_equal(b[0], 20);
	/* subsel alone, at offset 1; writes elsewhere change nothing. */
	vinput_config_write(&c, 1, (uint8_t[]){ VINPUT_ABS_X }, 1);
	vinput_config_write(&c, 2, w, 4);
	vinput_config_write(&c, 0xFFFFFFFF, w, 4);
	assert_int_equal(c.select, VINPUT_CFG_ABS_INFO);
	assert_int_equal(c.subsel, VINPUT_ABS_X);
	/* Reads at odd places: max's two bytes, and past the end (zeros). */
	vinput_config_read(&c, VINPUT_CONFIG_DATA + 4, b, 2);
	assert_memory_equal(b, "\xff\x7f", 2);
	memset(b, 0xAA, sizeof(b));
	vinput_config_read(&c, VINPUT_CONFIG_LEN - 2, b, 8);
	assert_memory_equal(b, "\0\0\0\0\0\0\0\0", 8);
	memset(b, 0xAA, sizeof(b));
	vinput_config_read(&c, 0xFFFFFFFC, b, 8);
	assert_memory_equal(b, "\0\0\0\0\0\0\0\0", 8);
}

static void scale(void **state)
{
	static const uint32_t widths[] = { 1, 2, 3, 640, 720, 768, 1024, 1280, 1920, 12000, 16000 };

	(void)state;
	assert_int_equal(vinput_scale(0, 1024), 16);
	assert_int_equal(vinput_scale(1023, 1024), 32752);
	assert_int_equal(vinput_scale(5000, 1024), 32752); /* past the screen: its last pixel */
	assert_int_equal(vinput_scale(0xFFFFFFFF, 0xFFFFFFFF), VINPUT_ABS_MAX);
	assert_int_equal(vinput_scale(0, 1), 16384);
	assert_int_equal(vinput_scale(7, 0), 0);
	/* Every pixel of screens up to the largest mode comes back as itself. */
	for (unsigned i = 0; i < sizeof(widths) / sizeof(widths[0]); i++)
		for (uint32_t x = 0; x < widths[i]; x++) {
			uint16_t v = vinput_scale(x, widths[i]);

			assert_true(v <= VINPUT_ABS_MAX);
			assert_int_equal((uint64_t)v * widths[i] / (VINPUT_ABS_MAX + 1), x);
		}
}

static void expect_events(const struct vinput_event *got, unsigned n,
			  const struct vinput_event *want, unsigned nwant)
{
	assert_int_equal(n, nwant);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(got[i].type, want[i].type);
		assert_int_equal(got[i].code, want[i].code);
		assert_int_equal(got[i].value, want[i].value);
	}
}

#define EV(t, c, v)                                                                                \
	{                                                                                          \
		VINPUT_EV_##t, c, (uint32_t)(v)                                                    \
	}
#define SYN EV(SYN, VINPUT_SYN_REPORT, 0)

static void encode(void **state)
{
	struct vinput_tablet t = { 0 };
	struct vinput_event ev[VINPUT_PACKET_MAX];
	unsigned n;

	(void)state;
	/* The first packet says everything. */
	n = vinput_tablet_encode(&t, 100, 200, 0, ev);
	expect_events(
	    ev, n,
	    (struct vinput_event[]){ EV(ABS, VINPUT_ABS_X, 100), EV(ABS, VINPUT_ABS_Y, 200),
				     EV(KEY, VINPUT_BTN_LEFT, 0), EV(KEY, VINPUT_BTN_MIDDLE, 0),
				     EV(KEY, VINPUT_BTN_RIGHT, 0), SYN },
	    6);
	assert_int_equal(vinput_tablet_encode(&t, 100, 200, 0, ev), 0); /* nothing new */
	n = vinput_tablet_encode(&t, 101, 200, 0, ev);
	expect_events(ev, n, (struct vinput_event[]){ EV(ABS, VINPUT_ABS_X, 101), SYN }, 2);
	n = vinput_tablet_encode(&t, 101, 199, VINPUT_RFB_LEFT | VINPUT_RFB_RIGHT, ev);
	expect_events(ev, n,
		      (struct vinput_event[]){ EV(ABS, VINPUT_ABS_Y, 199),
					       EV(KEY, VINPUT_BTN_LEFT, 1),
					       EV(KEY, VINPUT_BTN_RIGHT, 1), SYN },
		      4);
	n = vinput_tablet_encode(&t, 101, 199, VINPUT_RFB_MIDDLE, ev);
	expect_events(ev, n,
		      (struct vinput_event[]){ EV(KEY, VINPUT_BTN_LEFT, 0),
					       EV(KEY, VINPUT_BTN_MIDDLE, 1),
					       EV(KEY, VINPUT_BTN_RIGHT, 0), SYN },
		      4);
	/* The wheel: a step per press (buttons 4 up, 5 down), its release nothing. */
	n = vinput_tablet_encode(&t, 101, 199, VINPUT_RFB_MIDDLE | VINPUT_RFB_WHEEL_UP, ev);
	expect_events(ev, n, (struct vinput_event[]){ EV(REL, VINPUT_REL_WHEEL, 1), SYN }, 2);
	assert_int_equal(vinput_tablet_encode(&t, 101, 199, VINPUT_RFB_MIDDLE, ev), 0);
	n = vinput_tablet_encode(&t, 101, 199, VINPUT_RFB_MIDDLE | VINPUT_RFB_WHEEL_DOWN, ev);
	expect_events(ev, n, (struct vinput_event[]){ EV(REL, VINPUT_REL_WHEEL, -1), SYN }, 2);
	assert_int_equal(vinput_tablet_encode(&t, 101, 199, 0xE0 | VINPUT_RFB_MIDDLE, ev), 0);
	/* Both wheel buttons at once cancel out; unknown bits (0xE0) are ignored. */
	assert_int_equal(
	    vinput_tablet_encode(
		&t, 101, 199, VINPUT_RFB_MIDDLE | VINPUT_RFB_WHEEL_UP | VINPUT_RFB_WHEEL_DOWN, ev),
	    0);
	/* Forgotten (a drop, a reset): everything again, buttons as they are now. */
	t.known = false;
	n = vinput_tablet_encode(&t, 5, 6, 0xFF, ev);
	assert_int_equal(n, 6);
	assert_int_equal(ev[2].value, 1);
	assert_int_equal(ev[3].value, 1);
	assert_int_equal(ev[4].value, 1);
	assert_int_equal(ev[5].type, VINPUT_EV_SYN);
}

static void ring(void **state)
{
	struct vinput_ring *r = calloc(1, sizeof(*r));
	struct vinput_event pkt[3] = { EV(ABS, VINPUT_ABS_X, 0), EV(ABS, VINPUT_ABS_Y, 0), SYN };
	unsigned i;

	(void)state;
	assert_null(vinput_ring_peek(r));
	vinput_ring_pop(r); /* empty: nothing happens */
	/* Packets of 3 numbered by their X until the ring is full (42 of them, 126 events). */
	for (i = 0; i < VINPUT_RING / 3; i++) {
		pkt[0].value = i;
		assert_false(vinput_ring_make_room(r, 3));
		vinput_ring_put(r, pkt, 3);
	}
	assert_int_equal(r->len, VINPUT_RING / 3 * 3);
	/* The guest read half a packet: the rest of it goes first, then whole packets. */
	vinput_ring_pop(r);
	assert_true(vinput_ring_make_room(r, VINPUT_PACKET_MAX));
	assert_int_equal(r->len, VINPUT_RING / 3 * 3 - 1 - 2 - 3);
	assert_int_equal(vinput_ring_peek(r)->type, VINPUT_EV_ABS);
	assert_int_equal(vinput_ring_peek(r)->value, 2);
	assert_true(r->len + VINPUT_PACKET_MAX <= VINPUT_RING);
	/* Never more than the ring holds, whatever is asked. */
	assert_true(vinput_ring_make_room(r, VINPUT_RING + 5));
	assert_int_equal(r->len, 0);
	vinput_ring_clear(r);
	assert_null(vinput_ring_peek(r));
	free(r);
}

/* The device on the harness, started with queues of QSIZE: a new one for each test. */
static struct vh h;

static int dev_setup(void **state)
{
	struct berth_error err;
	struct virtio_dev *d;

	(void)state;
	if (vh_init(&h, 1 << 20) || virtio_input_tablet_create(&d, &h.gm, &h.loop, &err))
		return -1;
	assert_int_equal(d->device_id, 18);
	assert_int_equal(d->config_len, VINPUT_CONFIG_LEN);
	vh_attach(&h, d);
	return vh_start(&h, QSIZE, ~0ULL);
}

static int dev_teardown(void **state)
{
	(void)state;
	vh_destroy(&h);
	return 0;
}

/* Offer n event buffers of len bytes each; their addresses into gpa[]. */
static void offer_buffers(unsigned n, uint32_t len, uint64_t *gpa)
{
	for (unsigned i = 0; i < n; i++) {
		gpa[i] = vh_alloc(&h, len);
		vh_offer(&h, VIRTIO_INPUT_EVENTQ,
			 vh_add_chain(&h, VIRTIO_INPUT_EVENTQ,
				      &(struct vh_buf){ gpa[i], len, true }, 1));
	}
}

/* The event the n-th used buffer (free-running) of the event queue holds. */
static struct vinput_event used_event(uint16_t n, const uint64_t *gpa)
{
	struct virtq_used_elem e = vh_used_elem(&h, VIRTIO_INPUT_EVENTQ, n);
	const uint8_t *b = vh_host(&h, gpa[e.id]);

	assert_int_equal(e.len, 8);
	return (struct vinput_event){ (uint16_t)(b[0] | b[1] << 8), (uint16_t)(b[2] | b[3] << 8),
				      (uint32_t)(b[4] | b[5] << 8 | b[6] << 16 |
						 (uint32_t)b[7] << 24) };
}

static void device_events(void **state)
{
	uint64_t gpa[QSIZE];
	struct vinput_event got[8];
	uint16_t i;

	(void)state;
	offer_buffers(8, 8, gpa);
	vh_kick(&h, VIRTIO_INPUT_EVENTQ); /* nothing to say yet */
	assert_int_equal(vh_used_idx(&h, VIRTIO_INPUT_EVENTQ), 0);
	/* The middle of a 1024x768 screen, left button down. */
	virtio_input_pointer(h.dev, 512, 384, 1024, 768, VINPUT_RFB_LEFT);
	assert_int_equal(vh_used_idx(&h, VIRTIO_INPUT_EVENTQ), 6);
	assert_true(h.interrupts[VIRTIO_INPUT_EVENTQ] > 0);
	for (i = 0; i < 6; i++)
		got[i] = used_event(i, gpa);
	expect_events(
	    got, 6,
	    (struct vinput_event[]){ EV(ABS, VINPUT_ABS_X, 16400), EV(ABS, VINPUT_ABS_Y, 16405),
				     EV(KEY, VINPUT_BTN_LEFT, 1), EV(KEY, VINPUT_BTN_MIDDLE, 0),
				     EV(KEY, VINPUT_BTN_RIGHT, 0), SYN },
	    6);
	/* Two buffers left: the next packet's first two events, the rest waits for more. */
	virtio_input_pointer(h.dev, 0, 767, 1024, 768, 0);
	assert_int_equal(vh_used_idx(&h, VIRTIO_INPUT_EVENTQ), 8);
	offer_buffers(8, 8, gpa + 8);
	vh_kick(&h, VIRTIO_INPUT_EVENTQ);
	assert_int_equal(vh_used_idx(&h, VIRTIO_INPUT_EVENTQ), 10);
	for (i = 0; i < 4; i++)
		got[i] = used_event((uint16_t)(6 + i), gpa);
	expect_events(got, 4,
		      (struct vinput_event[]){ EV(ABS, VINPUT_ABS_X, 16),
					       EV(ABS, VINPUT_ABS_Y, 32746),
					       EV(KEY, VINPUT_BTN_LEFT, 0), SYN },
		      4);
	assert_int_equal(h.failures, 0);
}

static void device_bounded(void **state)
{
	uint64_t gpa[QSIZE];
	struct vinput_event got[QSIZE];
	uint16_t n, i;
	bool held = false;

	(void)state;
	/* The guest reads nothing while 10 000 moves come, the left button down halfway. */
	for (i = 0; i < 10000; i++)
		virtio_input_pointer(h.dev, i % 1000, i % 700, 1024, 768,
				     i >= 5000 ? VINPUT_RFB_LEFT : 0);
	/* Then it offers 64 buffers: the newest packets, whole, the first one saying all. */
	offer_buffers(QSIZE, 8, gpa);
	vh_kick(&h, VIRTIO_INPUT_EVENTQ);
	n = vh_used_idx(&h, VIRTIO_INPUT_EVENTQ);
	assert_int_equal(n, QSIZE);
	for (i = 0; i < n; i++)
		got[i] = used_event(i, gpa);
	for (i = 0; i < n && got[i].type != VINPUT_EV_SYN; i++)
		;
	/* The packet after the drop (the first whole one) has the held button. */
	for (i++; i < n && got[i].type != VINPUT_EV_SYN; i++)
		if (got[i].type == VINPUT_EV_KEY && got[i].code == VINPUT_BTN_LEFT)
			held = got[i].value == 1;
	assert_true(held);
	assert_int_equal(h.failures, 0);
}

static void device_small_buffers(void **state)
{
	uint64_t gpa[1], split = vh_alloc(&h, 8), where[QSIZE] = { 0 };
	uint16_t head;
	struct vinput_event e;

	(void)state;
	/* A 4-byte buffer comes back empty; a buffer split in two takes the event whole. */
	offer_buffers(1, 4, gpa);
	head = vh_add_chain(&h, VIRTIO_INPUT_EVENTQ,
			    (struct vh_buf[]){ { split, 3, true }, { split + 3, 5, true } }, 2);
	vh_offer(&h, VIRTIO_INPUT_EVENTQ, head);
	virtio_input_pointer(h.dev, 1, 1, 2, 2, 0);
	assert_int_equal(vh_used_idx(&h, VIRTIO_INPUT_EVENTQ), 2);
	assert_int_equal(vh_used_elem(&h, VIRTIO_INPUT_EVENTQ, 0).len, 0);
	assert_int_equal(vh_used_elem(&h, VIRTIO_INPUT_EVENTQ, 1).len, 8);
	where[head] = split;
	e = used_event(1, where);
	assert_int_equal(e.type, VINPUT_EV_ABS);
	assert_int_equal(e.code, VINPUT_ABS_X);
	assert_int_equal(e.value, 3 * 32768 / 4);
}

static void device_status_and_reset(void **state)
{
	uint64_t b = vh_alloc(&h, 8), gpa[4];
	uint16_t i;

	(void)state;
	/* LED reports and the like: given back unread. */
	for (i = 0; i < 5; i++)
		vh_submit(&h, VIRTIO_INPUT_STATUSQ, &(struct vh_buf){ b, 8, false }, 1);
	assert_int_equal(vh_used_idx(&h, VIRTIO_INPUT_STATUSQ), 5);
	assert_int_equal(vh_used_elem(&h, VIRTIO_INPUT_STATUSQ, 4).len, 0);
	/* After a reset nothing old is left, and the first packet says everything. */
	virtio_input_pointer(h.dev, 3, 3, 10, 10, 0);
	vh_reset(&h);
	virtio_input_pointer(h.dev, 3, 3, 10, 10, 0); /* not started: kept for the driver */
	assert_int_equal(vh_start(&h, QSIZE, ~0ULL), 0);
	offer_buffers(4, 8, gpa);
	vh_kick(&h, VIRTIO_INPUT_EVENTQ);
	assert_int_equal(vh_used_idx(&h, VIRTIO_INPUT_EVENTQ), 4);
	assert_int_equal(used_event(0, gpa).code, VINPUT_ABS_X);
	assert_int_equal(used_event(3, gpa).code, VINPUT_BTN_MIDDLE);
	/* A driver that breaks the event queue fails the device, which then serves nothing. */
	vh_put_desc(&h, VIRTIO_INPUT_EVENTQ, 0, b, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT,
		    QSIZE);
	vh_offer(&h, VIRTIO_INPUT_EVENTQ, 0);
	virtio_input_pointer(h.dev, 9, 9, 10, 10, 0);
	assert_int_equal(h.failures, 1);
	assert_true(h.dev->failed);
	virtio_input_pointer(h.dev, 1, 9, 10, 10, 0);
	vh_kick(&h, VIRTIO_INPUT_STATUSQ);
	assert_int_equal(h.failures, 1);
}

/* The tablet behind virtio-pci: its identity, its config space through BAR 0 as Linux's
 * virtinput_cfg_select() reads it (byte writes of select and subsel, then size and data),
 * and an event through a queue the transport set up. */
static void behind_pci(void **state)
{
	struct pf *f = calloc(1, sizeof(*f));
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	unsigned slot, off, i;
	char name[19] = { 0 };
	uint32_t dev_len = 0;

	(void)state;
	assert_non_null(f);
	assert_int_equal(pf_init_with(f, virtio_input_tablet_create), 0);
	pf_enable(f);
	slot = f->vp.pci.slot;
	assert_int_equal(pf_cfg_read(f, slot, 0, 4), 0x1052u << 16 | 0x1AF4);
	assert_int_equal(pf_cfg_read(f, slot, PCI_REVISION_ID, 4) >> 8, 0x098000);
	for (off = pf_cfg_read(f, slot, PCI_CAP_PTR, 1); off;
	     off = pf_cfg_read(f, slot, off + 1, 1))
		if (pf_cfg_read(f, slot, off, 1) == PCI_CAP_ID_VNDR &&
		    pf_cfg_read(f, slot, off + 3, 1) == 4) /* device configuration */
			dev_len = pf_cfg_read(f, slot, off + 12, 4);
	assert_int_equal(dev_len, VINPUT_CONFIG_LEN);

	pf_write(f, 0x2000, 1, VINPUT_CFG_ID_NAME);
	pf_write(f, 0x2001, 1, 0);
	assert_int_equal(pf_read(f, 0x2002, 1), 18);
	for (i = 0; i < 18; i++)
		name[i] = (char)pf_read(f, 0x2008 + i, 1);
	assert_string_equal(name, "QEMU Virtio Tablet");
	pf_write(f, 0x2000, 1, VINPUT_CFG_ABS_INFO);
	pf_write(f, 0x2001, 1, VINPUT_ABS_Y);
	assert_int_equal(pf_read(f, 0x2002, 1), 20);
	assert_int_equal(pf_read(f, 0x2008 + 4, 4), VINPUT_ABS_MAX);
	assert_int_equal(pf_read(f, 0x2000 + VINPUT_CONFIG_LEN - 4, 8), 0); /* past the end */

	/* VERSION_1 only; the event queue (8 entries) alone, then DRIVER_OK. */
	pf_write(f, 0x14, 1, 1 | 2);
	pf_write(f, 0x08, 4, 1);
	pf_write(f, 0x0C, 4, 1);
	pf_write(f, 0x14, 1, 1 | 2 | 8);
	pf_write(f, 0x16, 2, VIRTIO_INPUT_EVENTQ);
	pf_write(f, 0x18, 2, 8);
	pf_write(f, 0x20, 8, 0x10000);
	pf_write(f, 0x28, 8, 0x11000);
	pf_write(f, 0x30, 8, 0x12000);
	pf_write(f, 0x1C, 2, 1);
	pf_write(f, 0x14, 1, 1 | 2 | 8 | 4);
	assert_int_equal(pf_read(f, 0x14, 1), 1 | 2 | 8 | 4);
	desc = (struct virtq_desc *)(f->ram + 0x10000);
	avail = (struct virtq_avail *)(f->ram + 0x11000);
	for (i = 0; i < 8; i++) {
		desc[i] = (struct virtq_desc){ .addr = 0x20000 + 8 * i,
					       .len = 8,
					       .flags = VIRTQ_DESC_F_WRITE };
		avail->ring[i] = (uint16_t)i;
	}
	__atomic_store_n(&avail->idx, 8, __ATOMIC_RELEASE);
	pf_run(f); /* the kick DRIVER_OK left for the loop: nothing to say yet */
	assert_int_equal(((struct virtq_used *)(f->ram + 0x12000))->idx, 0);
	virtio_input_pointer(f->vp.dev, 10, 10, 20, 20, VINPUT_RFB_RIGHT);
	assert_int_equal(((struct virtq_used *)(f->ram + 0x12000))->idx, 6);
	assert_memory_equal(f->ram + 0x20000 + 8 * 4, "\x01\x00\x11\x01\x01\x00\x00\x00", 8);
	assert_int_equal(f->irq_level[16 + slot % 8], 1); /* INTx: MSI-X is off */
	pf_destroy(f);
	free(f);
}

int main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(config_space), cmocka_unit_test(config_access),
		cmocka_unit_test(scale),	cmocka_unit_test(encode),
		cmocka_unit_test(ring),		cmocka_unit_test(behind_pci),
	};
	const struct CMUnitTest device[] = {
		cmocka_unit_test_setup_teardown(device_events, dev_setup, dev_teardown),
		cmocka_unit_test_setup_teardown(device_bounded, dev_setup, dev_teardown),
		cmocka_unit_test_setup_teardown(device_small_buffers, dev_setup, dev_teardown),
		cmocka_unit_test_setup_teardown(device_status_and_reset, dev_setup, dev_teardown),
	};

	return cmocka_run_group_tests(pure, NULL, NULL) |
	       cmocka_run_group_tests(device, NULL, NULL);
}
