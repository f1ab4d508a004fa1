/* fuzz_virtio_blk.c - libFuzzer target: a hostile driver's requests through virtio-blk.
 *
 * One device over a small memfd disk lives for the whole run, on the virtio harness's fake
 * guest and transport. Each input is one driver session: its first two bytes choose the
 * queue size and which features the driver accepts; then come the descriptor table, the
 * available ring and the buffers, copied to where the harness lays them out (buffers from
 * VH_BUFS on). The device is started, notified, and the loop run until it holds no request
 * (a hang aborts); then it is reset, which must wait for whatever is still in the ring.
 * Sanitizers catch any access outside the fake RAM or the device's own state.
 *
 * With FUZZ_HUGE the driver goes for the most work per request it can make: every slot of
 * the ring is available and names one indirect table of VIRTQ_MAX_SIZE descriptors, its
 * first the 16-byte header at the start of the buffers (the input's), its last a status
 * byte, all between them empty. No turn of the loop may walk more than the device's budget
 * allows (VIRTIO_TURN_MAX_WALK), however much is offered. */
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../unit/vmm/virtio/virtio_harness.h"
#include "vmm/virtio/blk.h"
#include "vmm/virtio/blk_request.h"

#define FUZZ_RAM      (2 * VH_BUFS) /* the rings of VIRTIO_MAX_QUEUES, then as much for buffers */
#define FUZZ_TABLE    (16u * VIRTQ_MAX_SIZE) /* FUZZ_HUGE's table, after FUZZ_RAM */
#define FUZZ_DISK     (64u << 10)
#define FUZZ_HEAD     2
#define FUZZ_MAX_LOG2 8 /* queues of 1 to 256 entries */
#define FUZZ_WAIT_MS  10000

/* data[1]: features the driver turns down, and whether it resets without waiting. */
#define FUZZ_NO_INDIRECT   1
#define FUZZ_NO_EVENT_IDX  2
#define FUZZ_NO_FLUSH	   4
#define FUZZ_RESET_AT_ONCE 8
#define FUZZ_HUGE	   16

static struct vh h;

static void fuzz_init(void)
{
	struct disk_config cfg = { .serial = "fuzz" };
	struct berth_error err;
	struct virtio_dev *d;
	char path[64];
	int fd = memfd_create("fuzz-disk", MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, FUZZ_DISK) || vh_init(&h, FUZZ_RAM + FUZZ_TABLE))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	cfg.path = path;
	if (virtio_blk_create(&d, &cfg, 0, &h.gm, &h.loop, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		abort();
	}
	vh_attach(&h, d);
}

/* Copy up to len bytes of the input at *data to guest RAM at gpa; advance the input. */
static void fuzz_place(uint64_t gpa, uint64_t len, const uint8_t **data, size_t *size)
{
	uint64_t n = *size < len ? *size : len;

	memcpy(vh_host(&h, gpa), *data, n);
	*data += n;
	*size -= n;
}

/* FUZZ_HUGE's driver (see the top), for a queue of qsize entries. */
static void fuzz_huge(uint16_t qsize)
{
	uint32_t i;

	vh_put_desc_at(&h, FUZZ_RAM, 0, VH_BUFS, 16, VIRTQ_DESC_F_NEXT, 1);
	for (i = 1; i < VIRTQ_MAX_SIZE - 1; i++)
		vh_put_desc_at(&h, FUZZ_RAM, (uint16_t)i, 0, 0, VIRTQ_DESC_F_NEXT,
			       (uint16_t)(i + 1));
	vh_put_desc_at(&h, FUZZ_RAM, VIRTQ_MAX_SIZE - 1, VH_BUFS + 16, 1, VIRTQ_DESC_F_WRITE, 0);
	for (i = 0; i < qsize; i++) {
		vh_put_desc(&h, 0, (uint16_t)i, FUZZ_RAM, FUZZ_TABLE, VIRTQ_DESC_F_INDIRECT, 0);
		vh_offer(&h, 0, (uint16_t)i);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint16_t qsize;
	uint64_t accept = ~0ULL;
	uint8_t flags;

	if (size < FUZZ_HEAD)
		return 0;
	if (!h.dev)
		fuzz_init();
	qsize = (uint16_t)(1u << (data[0] % (FUZZ_MAX_LOG2 + 1)));
	flags = data[1];
	if (flags & FUZZ_NO_INDIRECT)
		accept &= ~(1ULL << VIRTQ_F_INDIRECT_DESC);
	if (flags & FUZZ_NO_EVENT_IDX)
		accept &= ~(1ULL << VIRTQ_F_EVENT_IDX);
	if (flags & FUZZ_NO_FLUSH)
		accept &= ~(1ULL << VIRTIO_BLK_F_FLUSH);
	data += FUZZ_HEAD;
	size -= FUZZ_HEAD;
	if (vh_start(&h, qsize, accept))
		abort();
	memset(vh_host(&h, VH_BUFS), 0, FUZZ_RAM - VH_BUFS);
	fuzz_place(h.q[0].desc, VIRTQ_DESC_BYTES(qsize), &data, &size);
	fuzz_place(h.q[0].avail, VIRTQ_AVAIL_BYTES(qsize), &data, &size);
	fuzz_place(VH_BUFS, FUZZ_RAM - VH_BUFS, &data, &size);
	if (flags & FUZZ_HUGE)
		fuzz_huge(qsize);
	h.max_walk = 0;
	vh_kick(&h, 0);
	if (!(flags & FUZZ_RESET_AT_ONCE) && vh_run_until_idle(&h, 0, FUZZ_WAIT_MS))
		abort(); /* requests that never complete */
	if (h.max_walk > VIRTIO_TURN_MAX_WALK)
		abort(); /* a turn of the loop did more than the budget allows */
	vh_reset(&h);
	return 0;
}
