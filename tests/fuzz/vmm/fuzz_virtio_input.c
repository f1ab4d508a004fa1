/* fuzz_virtio_input.c - libFuzzer target: a hostile driver and a hostile VNC client against
 * the virtio-input tablet (src/vmm/virtio/input*.c), on the virtio harness's fake guest.
 *
 * The input's first two bytes choose the queue size (1 to 64) and the features the driver
 * turns down; then come steps of 12 bytes (op, a byte, 16 bits, 64 bits): config-space
 * writes and reads anywhere in it (select and subsel any value), bytes written into guest
 * RAM where the two queues' rings and their buffers live, well-formed buffers offered, VNC
 * pointer events with any position, screen size and buttons, kicks of either queue, rounds
 * of the event loop, and resets (with or without a restart). Sanitizers catch any access
 * outside the fake RAM or the device's state; a turn that walks more descriptors than the
 * budget allows, or a config read that does not echo select and subsel, aborts. */
#include "../../unit/vmm/virtio/virtio_harness.h"
#include "vmm/virtio/input.h"
#include "vmm/virtio/input_config.h"

#define FUZZ_RAM      (2 * VH_BUFS) /* the rings of VIRTIO_MAX_QUEUES, then as much for buffers */
#define FUZZ_HEAD     2
#define FUZZ_MAX_LOG2 6
#define STEP	      12

/* data[1]: features the driver turns down. */
#define FUZZ_NO_INDIRECT  1
#define FUZZ_NO_EVENT_IDX 2

enum {
	OP_CFG_WRITE,
	OP_CFG_READ,
	OP_RAM,
	OP_OFFER,
	OP_POINTER,
	OP_KICK,
	OP_RUN,
	OP_RESET,
	OP_COUNT
};

static struct vh h;
static uint16_t qsize;
static uint64_t accept;

static void fuzz_init(void)
{
	struct berth_error err;
	struct virtio_dev *d;

	if (vh_init(&h, FUZZ_RAM) || virtio_input_tablet_create(&d, &h.gm, &h.loop, &err))
		abort();
	vh_attach(&h, d);
}

/* As the transport: an access reaches the device only wholly inside its config space. */
static void fuzz_config(uint16_t off, unsigned len, uint64_t v, bool write)
{
	uint8_t b[8];

	if (off > VINPUT_CONFIG_LEN || len > VINPUT_CONFIG_LEN - off)
		return;
	memcpy(b, &v, sizeof(b));
	pthread_mutex_lock(&h.dev->lock);
	if (write)
		h.dev->ops->config_write(h.dev, off, b, len);
	else
		h.dev->ops->config_read(h.dev, off, b, len);
	pthread_mutex_unlock(&h.dev->lock);
	if (!write && off == 0 && len >= 2) {
		uint8_t sel[2];

		vh_config_read(&h, 0, sel, 2);
		if (memcmp(sel, b, 2))
			abort(); /* two reads in a row disagree */
	}
}

/* Put a writable (or, for the status queue, readable) buffer of len bytes on queue q. */
static void fuzz_offer(unsigned q, uint16_t where, uint8_t len)
{
	uint64_t gpa = VH_BUFS + where % (FUZZ_RAM - VH_BUFS - 256);

	vh_offer(&h, q, vh_add_chain(&h, q, &(struct vh_buf){ gpa, len, q == 0 }, 1));
}

static void fuzz_step(const uint8_t *s)
{
	static const unsigned widths[] = { 1, 2, 4, 8 };
	uint16_t w16 = (uint16_t)(s[2] | s[3] << 8);
	uint64_t v, before = vh_walked(&h);

	memcpy(&v, s + 4, 8);
	switch (s[0] % OP_COUNT) {
	case OP_CFG_WRITE:
		fuzz_config(w16 % (VINPUT_CONFIG_LEN + 8), widths[s[1] & 3], v, true);
		break;
	case OP_CFG_READ:
		fuzz_config(w16 % (VINPUT_CONFIG_LEN + 8), widths[s[1] & 3], v, false);
		break;
	case OP_RAM: /* rings and buffers: the first 128 KiB of guest RAM */
		memcpy(vh_host(&h, w16 * 2u % (FUZZ_RAM - 8)), &v, 8);
		break;
	case OP_OFFER:
		if (h.dev->vq_enabled[s[1] & 1])
			fuzz_offer(s[1] & 1, w16, (uint8_t)v);
		break;
	case OP_POINTER:
		virtio_input_pointer(h.dev, w16, (uint16_t)(v >> 32), (uint16_t)v,
				     (uint16_t)(v >> 16), s[1]);
		vh_note_walk(&h, before);
		break;
	case OP_KICK:
		vh_kick(&h, s[1] & 1);
		break;
	case OP_RUN:
		vh_run(&h, 0);
		break;
	case OP_RESET:
		vh_reset(&h);
		if (s[1] & 1 && vh_start(&h, qsize, accept))
			abort();
		break;
	}
	if (h.max_walk > VIRTIO_TURN_MAX_WALK)
		abort(); /* a turn did more than the budget allows */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < FUZZ_HEAD)
		return 0;
	if (!h.dev)
		fuzz_init();
	qsize = (uint16_t)(1u << (data[0] % (FUZZ_MAX_LOG2 + 1)));
	accept = ~0ULL;
	if (data[1] & FUZZ_NO_INDIRECT)
		accept &= ~(1ULL << VIRTQ_F_INDIRECT_DESC);
	if (data[1] & FUZZ_NO_EVENT_IDX)
		accept &= ~(1ULL << VIRTQ_F_EVENT_IDX);
	memset(vh_host(&h, VH_BUFS), 0, FUZZ_RAM - VH_BUFS);
	h.max_walk = 0;
	if (vh_start(&h, qsize, accept))
		abort();
	for (size_t i = FUZZ_HEAD; i + STEP <= size; i += STEP)
		fuzz_step(data + i);
	for (unsigned i = 0; i < 64 && h.requeue_pending; i++) /* what was left for the loop */
		vh_run(&h, 0);
	if (h.max_walk > VIRTIO_TURN_MAX_WALK)
		abort();
	vh_reset(&h);
	return 0;
}
