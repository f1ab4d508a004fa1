/* Unit tests for the virtio-pci transport and MSI-X, driven as a (sometimes hostile) guest
 * driver: through config space and BAR 0, with a virtio-rng device behind it. */
#include "testlib.h"

#include "common/ratelog.h"
#include "pci_fixture.h"
#include "vmm/virtio/ring.h"

/* Common configuration offsets (virtio 1.x, 4.1.4.3) and the BAR layout the transport uses. */
#define DFSELECT 0x00
#define DF	 0x04
#define GFSELECT 0x08
#define GF	 0x0C
#define MSIXCFG	 0x10
#define NUMQ	 0x12
#define STATUS	 0x14
#define QSELECT	 0x16
#define QSIZE	 0x18
#define QVECTOR	 0x1A
#define QENABLE	 0x1C
#define QDESC	 0x20
#define QAVAIL	 0x28
#define QUSED	 0x30
#define ISR	 0x1000
#define NOTIFY	 0x3000
#define TABLE	 0x4000
#define PBA	 0x5000

#define S_ACK	      1
#define S_DRIVER      2
#define S_DRIVER_OK   4
#define S_FEATURES_OK 8
#define S_NEEDS_RESET 0x40

#define RING_DESC  0x10000
#define RING_AVAIL 0x11000
#define RING_USED  0x12000
#define BUF	   0x20000

static int setup(void **state)
{
	struct pf *f = calloc(1, sizeof(*f));

	if (!f || pf_init(f))
		return -1;
	pf_enable(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	pf_destroy(*state);
	free(*state);
	return 0;
}

/* Negotiate VERSION_1 (+ event idx when asked) and set queue 0 up with size entries. */
static void bring_up(struct pf *f, uint16_t size, bool event_idx)
{
	uint64_t feat = 1ULL << 32 | (event_idx ? 1ULL << VIRTQ_F_EVENT_IDX : 0);

	pf_write(f, STATUS, 1, S_ACK | S_DRIVER);
	pf_write(f, GFSELECT, 4, 0);
	pf_write(f, GF, 4, (uint32_t)feat);
	pf_write(f, GFSELECT, 4, 1);
	pf_write(f, GF, 4, (uint32_t)(feat >> 32));
	pf_write(f, STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK);
	assert_int_equal(pf_read(f, STATUS, 1), S_ACK | S_DRIVER | S_FEATURES_OK);
	pf_write(f, QSELECT, 2, 0);
	pf_write(f, QSIZE, 2, size);
	pf_write(f, QDESC, 4, RING_DESC);
	pf_write(f, QDESC + 4, 4, 0);
	pf_write(f, QAVAIL, 8, RING_AVAIL);
	pf_write(f, QUSED, 4, RING_USED);
	pf_write(f, QENABLE, 2, 1);
}

/* Make one device-writable buffer of len bytes available as chain n (n-th submission). */
static void offer(struct pf *f, uint16_t n, uint32_t len)
{
	struct virtq_desc *d = (struct virtq_desc *)(f->ram + RING_DESC) + n % 16;
	struct virtq_avail *a = (struct virtq_avail *)(f->ram + RING_AVAIL);

	*d = (struct virtq_desc){ .addr = BUF + 64 * (n % 16),
				  .len = len,
				  .flags = VIRTQ_DESC_F_WRITE };
	a->ring[n % 16] = n % 16;
	__atomic_store_n(&a->idx, (uint16_t)(n + 1), __ATOMIC_RELEASE);
}

static uint16_t used_idx(struct pf *f)
{
	return ((struct virtq_used *)(f->ram + RING_USED))->idx;
}

static void identity_and_capabilities(void **state)
{
	struct pf *f = *state;
	unsigned slot = f->vp.pci.slot, off, types = 0;

	assert_int_equal(pf_cfg_read(f, slot, 0, 4), 0x1044u << 16 | 0x1AF4);
	assert_int_equal(pf_cfg_read(f, slot, PCI_REVISION_ID, 1), 1);
	assert_true(pf_cfg_read(f, slot, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	/* Walk the list: the four virtio structures rng has (no device config) and MSI-X. */
	for (off = pf_cfg_read(f, slot, PCI_CAP_PTR, 1); off;
	     off = pf_cfg_read(f, slot, off + 1, 1)) {
		uint8_t id = (uint8_t)pf_cfg_read(f, slot, off, 1);

		if (id == PCI_CAP_ID_VNDR) {
			types |= 1u << pf_cfg_read(f, slot, off + 3, 1);
			assert_int_equal(pf_cfg_read(f, slot, off + 4, 1), 0); /* BAR 0 */
		} else {
			assert_int_equal(id, PCI_CAP_ID_MSIX);
			assert_int_equal(pf_cfg_read(f, slot, off + 2, 2) & 0x7FF,
					 1); /* 2 vectors */
		}
	}
	assert_int_equal(types, 1u << 1 | 1u << 2 | 1u << 3);
	assert_int_equal(pf_read(f, NUMQ, 2), 1);
	/* Device features: VERSION_1 in the high word. */
	pf_write(f, DFSELECT, 4, 1);
	assert_true(pf_read(f, DF, 4) & 1);
	pf_write(f, DFSELECT, 4, 7);
	assert_int_equal(pf_read(f, DF, 4), 0);
}

static void features_must_be_offered_and_modern(void **state)
{
	struct pf *f = *state;

	pf_write(f, STATUS, 1, S_ACK | S_DRIVER);
	/* Without VERSION_1, FEATURES_OK does not stick. */
	pf_write(f, STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK);
	assert_int_equal(pf_read(f, STATUS, 1), S_ACK | S_DRIVER);
	/* Nor with a bit the device never offered. */
	pf_write(f, GFSELECT, 4, 1);
	pf_write(f, GF, 4, 1 | 1u << 20);
	pf_write(f, STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK);
	assert_int_equal(pf_read(f, STATUS, 1), S_ACK | S_DRIVER);
	/* DRIVER_OK without FEATURES_OK does not start the device. */
	pf_write(f, STATUS, 1, S_ACK | S_DRIVER | S_DRIVER_OK);
	assert_false(f->vp.started);
	pf_write(f, STATUS, 1, 0);
	assert_int_equal(pf_read(f, STATUS, 1), 0);
}

static void entropy_through_msix(void **state)
{
	struct pf *f = *state;
	uint64_t zero[8] = { 0 };

	bring_up(f, 16, false);
	pf_write(f, QVECTOR, 2, 1);
	assert_int_equal(pf_read(f, QVECTOR, 2), 1);
	pf_write(f, MSIXCFG, 2, 0);
	/* Enable MSI-X and program + unmask vector 1. */
	pf_cfg_write(f, f->vp.pci.slot, f->vp.msix.cap + 2, 2, 0x8000);
	pf_write(f, TABLE + 16, 4, 0xFEE00000);
	pf_write(f, TABLE + 20, 4, 0);
	pf_write(f, TABLE + 24, 4, 0x41);
	pf_write(f, TABLE + 28, 4, 0);
	pf_write(f, STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	assert_true(f->vp.started);
	offer(f, 0, 64);
	pf_write(f, NOTIFY, 2, 0); /* the kick: an exit here, as no ioeventfd is bound */
	pf_run(f);
	assert_int_equal(used_idx(f), 1);
	assert_int_equal(((struct virtq_used *)(f->ram + RING_USED))->ring[0].len, 64);
	assert_memory_not_equal(f->ram + BUF, zero, 64);
	assert_int_equal(pf_msi_count(f, 1), 1);
	assert_int_equal(pf_read(f, ISR, 1), 0); /* MSI-X in use: no ISR bits */

	/* A masked vector is held pending, and delivered on unmask. */
	pf_write(f, TABLE + 28, 4, 1);
	offer(f, 1, 8);
	pf_write(f, NOTIFY, 2, 0);
	pf_run(f);
	assert_int_equal(used_idx(f), 2);
	assert_int_equal(pf_msi_count(f, 1), 0);
	assert_int_equal(pf_read(f, PBA, 8), 2);
	pf_write(f, TABLE + 28, 4, 0);
	assert_int_equal(pf_msi_count(f, 1), 1);
	assert_int_equal(pf_read(f, PBA, 8), 0);
}

static void entropy_through_intx(void **state)
{
	struct pf *f = *state;
	unsigned gsi = f->vp.pci.intx_gsi;

	bring_up(f, 16, true);
	pf_write(f, STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	offer(f, 0, 16);
	/* With event idx the driver asks for an interrupt after the first used entry. */
	*(uint16_t *)(f->ram + RING_AVAIL + 4 + 2 * 16) = 0;
	pf_write(f, NOTIFY, 2, 0);
	pf_run(f);
	assert_int_equal(used_idx(f), 1);
	assert_int_equal(f->irq_level[gsi], 1);
	assert_int_equal(pf_read(f, ISR, 1), 1); /* reading acknowledges */
	assert_int_equal(f->irq_level[gsi], 0);
	assert_int_equal(pf_read(f, ISR, 1), 0);
	/* A reset while the line is up lowers it. */
	offer(f, 1, 16);
	*(uint16_t *)(f->ram + RING_AVAIL + 4 + 2 * 16) = 1;
	pf_write(f, NOTIFY, 2, 0);
	pf_run(f);
	assert_int_equal(f->irq_level[gsi], 1);
	pf_write(f, STATUS, 1, 0);
	assert_int_equal(f->irq_level[gsi], 0);
	assert_false(f->vp.started);
}

/* The device's config changed (a disk grew): the generation always moves, the interrupt
 * (ISR bit 1 on INTx) goes only to a driver that has set DRIVER_OK. */
static void config_change_interrupts_a_running_driver(void **state)
{
	struct pf *f = *state;
	unsigned gsi = f->vp.pci.intx_gsi;
	uint8_t gen;

	bring_up(f, 16, false);
	gen = (uint8_t)pf_read(f, 0x15, 1);
	pthread_mutex_lock(&f->vp.dev->lock);
	virtio_config_changed(f->vp.dev);
	pthread_mutex_unlock(&f->vp.dev->lock);
	assert_int_equal(pf_read(f, 0x15, 1), (uint8_t)(gen + 1));
	assert_int_equal(f->irq_level[gsi], 0);
	assert_int_equal(pf_read(f, ISR, 1), 0);
	pf_write(f, STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	pthread_mutex_lock(&f->vp.dev->lock);
	virtio_config_changed(f->vp.dev);
	pthread_mutex_unlock(&f->vp.dev->lock);
	assert_int_equal(pf_read(f, 0x15, 1), (uint8_t)(gen + 2));
	assert_int_equal(f->irq_level[gsi], 1);
	assert_int_equal(pf_read(f, ISR, 1), 2); /* the config bit; reading acknowledges */
	assert_int_equal(f->irq_level[gsi], 0);
}

static void broken_queue_needs_reset(void **state)
{
	struct pf *f = *state;

	/* A size that is not a power of two. */
	bring_up(f, 12, false);
	pf_write(f, STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	assert_true(pf_read(f, STATUS, 1) & S_NEEDS_RESET);
	assert_false(f->vp.started);
	pf_write(f, NOTIFY, 2, 0);
	pf_run(f); /* ignored */
	pf_write(f, STATUS, 1, 0);
	assert_int_equal(pf_read(f, STATUS, 1), 0);
	/* Rings outside guest RAM. */
	bring_up(f, 16, false);
	pf_write(f, QUSED, 8, 0xFFFFFFFFFFFFF000ULL);
	pf_write(f, STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	assert_true(pf_read(f, STATUS, 1) & S_NEEDS_RESET);
	pf_write(f, STATUS, 1, 0);
	/* A descriptor pointing outside RAM breaks the running device, not the VMM. */
	bring_up(f, 16, false);
	pf_write(f, STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	offer(f, 0, 16);
	((struct virtq_desc *)(f->ram + RING_DESC))->addr = PF_RAM - 8;
	pf_write(f, NOTIFY, 2, 0);
	pf_run(f);
	assert_true(pf_read(f, STATUS, 1) & S_NEEDS_RESET);
	assert_int_equal(used_idx(f), 0);
}

static void queue_registers_are_guarded(void **state)
{
	struct pf *f = *state;

	/* A queue that does not exist reads as size 0 and ignores writes. */
	pf_write(f, QSELECT, 2, 5);
	assert_int_equal(pf_read(f, QSIZE, 2), 0);
	pf_write(f, QSIZE, 2, 8);
	pf_write(f, QDESC, 8, 0x1234);
	assert_int_equal(pf_read(f, QDESC, 8), 0);
	/* Vectors past the table read back as NO_VECTOR. */
	pf_write(f, QSELECT, 2, 0);
	pf_write(f, QVECTOR, 2, 7);
	assert_int_equal(pf_read(f, QVECTOR, 2), MSIX_NO_VECTOR);
	pf_write(f, MSIXCFG, 2, 0x8000);
	assert_int_equal(pf_read(f, MSIXCFG, 2), MSIX_NO_VECTOR);
	/* Queue size above the maximum is refused. */
	pf_write(f, QSIZE, 2, 4096);
	assert_int_equal(pf_read(f, QSIZE, 2), 0);
	/* Once running, queue set-up is frozen. */
	bring_up(f, 16, false);
	pf_write(f, STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	pf_write(f, QDESC, 4, 0x5000);
	assert_int_equal(pf_read(f, QDESC, 4), RING_DESC);
	/* Features are frozen after FEATURES_OK. */
	pf_write(f, GFSELECT, 4, 0);
	pf_write(f, GF, 4, 0xFFFFFFFF);
	assert_int_equal(pf_read(f, GF, 4), 0);
}

/* Chains offered before DRIVER_OK are served by the event loop, not by the vCPU thread that
 * writes DRIVER_OK: the write returns with the work still queued. */
static void driver_ok_defers_queued_work(void **state)
{
	struct pf *f = *state;

	bring_up(f, 16, false);
	for (uint16_t n = 0; n < 8; n++)
		offer(f, n, 32);
	pf_write(f, STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	assert_true(f->vp.started);
	assert_int_equal(used_idx(f), 0); /* nothing done on the writer's thread */
	pf_run(f);
	assert_int_equal(used_idx(f), 8);
}

/* After DEVICE_NEEDS_RESET the device serves nothing, even when the driver clears and sets
 * DRIVER_OK again with good rings; only a reset brings it back. */
static void needs_reset_serves_nothing_until_reset(void **state)
{
	struct pf *f = *state;

	bring_up(f, 16, false);
	pf_write(f, STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	offer(f, 0, 16);
	((struct virtq_desc *)(f->ram + RING_DESC))->addr = PF_RAM - 8;
	pf_write(f, NOTIFY, 2, 0);
	pf_run(f);
	assert_true(pf_read(f, STATUS, 1) & S_NEEDS_RESET);
	/* DRIVER_OK off and on again, the bad descriptor mended, a fresh chain and a kick. */
	pf_write(f, STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK);
	assert_int_equal(pf_read(f, STATUS, 1), S_ACK | S_DRIVER | S_FEATURES_OK | S_NEEDS_RESET);
	offer(f, 1, 16);
	((struct virtq_desc *)(f->ram + RING_DESC))->addr = BUF;
	pf_write(f, STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	pf_write(f, NOTIFY, 2, 0);
	pf_run(f);
	assert_false(f->vp.started);
	assert_true(pf_read(f, STATUS, 1) & S_NEEDS_RESET);
	assert_int_equal(used_idx(f), 0);
	/* A reset, and the device works again. */
	pf_write(f, STATUS, 1, 0);
	memset(f->ram + RING_AVAIL, 0, 0x1000);
	memset(f->ram + RING_USED, 0, 0x1000);
	bring_up(f, 16, false);
	pf_write(f, STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	assert_false(pf_read(f, STATUS, 1) & S_NEEDS_RESET);
	offer(f, 0, 16);
	pf_write(f, NOTIFY, 2, 0);
	pf_run(f);
	assert_int_equal(used_idx(f), 1);
}

/* A guest breaking and resetting its device in a loop gets a burst of NEEDS_RESET lines on
 * stderr, not one per cycle. */
static void needs_reset_lines_are_rate_limited(void **state)
{
	struct pf *f = *state;
	char line[512];
	unsigned lines = 0;
	FILE *log = tmpfile();
	int saved = dup(2);

	assert_non_null(log);
	fflush(stderr);
	assert_int_equal(dup2(fileno(log), 2), 2);
	for (unsigned i = 0; i < 200; i++) {
		bring_up(f, 12, false); /* not a power of two: DRIVER_OK fails the device */
		pf_write(f, STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
		assert_true(pf_read(f, STATUS, 1) & S_NEEDS_RESET);
		pf_write(f, STATUS, 1, 0);
	}
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(log);
	while (fgets(line, sizeof(line), log))
		lines += strstr(line, "needs a reset") != NULL;
	fclose(log);
	/* At most one burst (earlier tests here may have used some of it). */
	assert_true(lines <= RATELOG_BURST);
}

/* Every width at every offset of the BAR, reads and garbage writes: nothing crashes, and
 * afterwards a reset device works again. */
static void every_access_is_survivable(void **state)
{
	struct pf *f = *state;
	static const unsigned widths[] = { 1, 2, 4, 8, 3 };
	uint64_t junk = 0x9E3779B97F4A7C15ULL;

	for (uint64_t off = 0; off < 0x8000 + 16; off++)
		for (unsigned w = 0; w < 5; w++) {
			pf_read(f, off, widths[w]);
			junk = junk * 6364136223846793005ULL + 1442695040888963407ULL;
			pf_write(f, off, widths[w], junk);
		}
	pf_run(f);
	pf_write(f, STATUS, 1, 0);
	pf_cfg_write(f, f->vp.pci.slot, f->vp.msix.cap + 2, 2, 0); /* MSI-X off: INTx */
	pf_enable(f); /* the junk may have moved or disabled the BAR: put it back */
	bring_up(f, 16, false);
	pf_write(f, STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	offer(f, 0, 32);
	pf_write(f, NOTIFY, 2, 0);
	pf_run(f);
	assert_int_equal(used_idx(f), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(identity_and_capabilities, setup, teardown),
		cmocka_unit_test_setup_teardown(features_must_be_offered_and_modern, setup,
						teardown),
		cmocka_unit_test_setup_teardown(entropy_through_msix, setup, teardown),
		cmocka_unit_test_setup_teardown(entropy_through_intx, setup, teardown),
		cmocka_unit_test_setup_teardown(config_change_interrupts_a_running_driver, setup,
						teardown),
		cmocka_unit_test_setup_teardown(broken_queue_needs_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(queue_registers_are_guarded, setup, teardown),
		cmocka_unit_test_setup_teardown(every_access_is_survivable, setup, teardown),
		cmocka_unit_test_setup_teardown(driver_ok_defers_queued_work, setup, teardown),
		cmocka_unit_test_setup_teardown(needs_reset_lines_are_rate_limited, setup,
						teardown),
		cmocka_unit_test_setup_teardown(needs_reset_serves_nothing_until_reset, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
