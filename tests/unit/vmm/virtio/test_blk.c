/* Unit tests for src/vmm/virtio/blk*.c: virtio-blk over a temporary disk image, driven
 * through the virtio harness (fake guest RAM, rings and transport, the loop run by hand).
 * Good requests do what the spec says to the file; bad ones get the right status and leave
 * the file alone; malformed chains fail the device; the image is locked; reset waits. */
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "virtio_harness.h"
#include "vmm/virtio/blk.h"
#include "vmm/virtio/blk_request.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define DISK_SECTORS 2048 /* 1 MiB */
#define DISK_BYTES   (DISK_SECTORS * 512)
#define QSIZE	     16
#define TIMEOUT_MS   5000

static struct vh h;
static char path[64];
static uint16_t nused;	/* chains the device should have given back so far */
static uint8_t *before; /* the disk's contents when the test began */

/* The byte the fresh disk holds at offset off. */
static uint8_t pattern(uint64_t off)
{
	return (uint8_t)(off * 7 + off / 512 + 1);
}

static void disk_read(uint64_t off, void *buf, size_t len)
{
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, len, (off_t)off), (ssize_t)len);
	close(fd);
}

static void expect_disk_unchanged(void)
{
	static uint8_t now[DISK_BYTES];

	disk_read(0, now, DISK_BYTES);
	assert_memory_equal(now, before, DISK_BYTES);
}

static void make_disk(void)
{
	const char *tmp = getenv("TMPDIR");
	uint64_t i;
	int fd;

	snprintf(path, sizeof(path), "%s/test_blk.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	for (i = 0; i < DISK_BYTES; i++)
		before[i] = pattern(i);
	assert_int_equal(pwrite(fd, before, DISK_BYTES, 0), DISK_BYTES);
	close(fd);
}

static struct virtio_dev *create(const char *p, bool readonly, const char *serial, unsigned index,
				 struct berth_error *err)
{
	struct disk_config cfg = { .path = p, .readonly = readonly };
	struct virtio_dev *d = NULL;

	snprintf(cfg.serial, sizeof(cfg.serial), "%s", serial);
	if (virtio_blk_create(&d, &cfg, index, &h.gm, &h.loop, err))
		return NULL;
	return d;
}

/* A device over path, attached to the harness and started with features accept. */
static void open_device(const char *p, bool readonly, uint64_t accept)
{
	struct berth_error err = { 0 };
	struct virtio_dev *d = create(p, readonly, "berth-disk-0", 0, &err);

	if (!d)
		fail_msg("%s", err.msg);
	vh_attach(&h, d);
	assert_int_equal(vh_start(&h, QSIZE, accept), 0);
	nused = 0;
}

static int setup(void **state)
{
	(void)state;
	before = malloc(DISK_BYTES);
	assert_int_equal(vh_init(&h, 4 << 20), 0);
	make_disk();
	open_device(path, false, ~0ULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(h.failures, 0);
	vh_destroy(&h);
	unlink(path);
	free(before);
	return 0;
}

/* Offer bufs as one chain and wait for the device to give it back. */
static struct virtq_used_elem request(const struct vh_buf *bufs, unsigned n)
{
	vh_submit(&h, 0, bufs, n);
	assert_int_equal(vh_run_until_used(&h, 0, ++nused, TIMEOUT_MS), 0);
	return vh_used_elem(&h, 0, nused - 1);
}

/* A 16-byte request header in guest RAM. */
static uint64_t header(uint32_t type, uint64_t sector)
{
	uint64_t gpa = vh_alloc(&h, 16);
	struct virtio_blk_outhdr hdr = { .type = htole32(type), .sector = htole64(sector) };

	memcpy(vh_host(&h, gpa), &hdr, sizeof(hdr));
	return gpa;
}

/* A status byte, preset to a value no device would write. */
static uint64_t status_byte(void)
{
	uint64_t gpa = vh_alloc(&h, 1);

	*(uint8_t *)vh_host(&h, gpa) = 0xee;
	return gpa;
}

static uint8_t status_at(uint64_t gpa)
{
	return *(uint8_t *)vh_host(&h, gpa);
}

/* header, data (writable for IN), status: the status the device reported. */
static uint8_t simple(uint32_t type, uint64_t sector, uint64_t data, uint32_t len)
{
	uint64_t st = status_byte();
	struct vh_buf bufs[] = { { header(type, sector), 16, false },
				 { data, len, type != VIRTIO_BLK_T_OUT },
				 { st, 1, true } };
	struct virtq_used_elem e;

	if (len)
		e = request(bufs, 3);
	else
		e = request((struct vh_buf[]){ bufs[0], bufs[2] }, 2);
	assert_int_equal(e.len, type == VIRTIO_BLK_T_OUT ? 1 : len + 1);
	return status_at(st);
}

static void reads(void **state)
{
	uint64_t a = vh_alloc(&h, 1000), b = vh_alloc(&h, 1048), st = status_byte();
	struct virtq_used_elem e;
	uint8_t got[2048], want[2048];

	(void)state;
	e = request((struct vh_buf[]){ { header(VIRTIO_BLK_T_IN, 3), 16, false },
				       { a, 1000, true },
				       { b, 1048, true },
				       { st, 1, true } },
		    4);
	assert_int_equal(e.len, 2049);
	assert_int_equal(status_at(st), VIRTIO_BLK_S_OK);
	memcpy(got, vh_host(&h, a), 1000);
	memcpy(got + 1000, vh_host(&h, b), 1048);
	memcpy(want, before + 3 * 512, sizeof(want));
	assert_memory_equal(got, want, sizeof(got));
	assert_true(h.interrupts[0] >= 1);
}

/* The spec lets the driver lay a request out any way: header split, status with the data. */
static void any_layout(void **state)
{
	uint64_t hdr = header(VIRTIO_BLK_T_IN, DISK_SECTORS - 1), data = vh_alloc(&h, 513);
	struct virtq_used_elem e;

	(void)state;
	e = request(
	    (struct vh_buf[]){ { hdr, 5, false }, { hdr + 5, 11, false }, { data, 513, true } }, 3);
	assert_int_equal(e.len, 513);
	assert_int_equal(status_at(data + 512), VIRTIO_BLK_S_OK);
	assert_memory_equal(vh_host(&h, data), before + DISK_BYTES - 512, 512);
}

static void writes(void **state)
{
	uint64_t data = vh_alloc(&h, 3 * 512);
	uint8_t got[3 * 512];

	(void)state;
	memset(vh_host(&h, data), 0x5a, 3 * 512);
	assert_int_equal(simple(VIRTIO_BLK_T_OUT, 10, data, 3 * 512), VIRTIO_BLK_S_OK);
	disk_read(10 * 512, got, sizeof(got));
	assert_memory_equal(got, vh_host(&h, data), sizeof(got));
	/* Only those sectors changed. */
	memset(before + 10 * 512, 0x5a, 3 * 512);
	expect_disk_unchanged();
}

/* Without FLUSH the cache is writethrough: each write ends with an fdatasync. */
static void writes_writethrough(void **state)
{
	uint64_t data = vh_alloc(&h, 512);

	(void)state;
	vh_reset(&h);
	assert_int_equal(vh_start(&h, QSIZE, ~(1ULL << VIRTIO_BLK_F_FLUSH)), 0);
	nused = 0;
	memset(vh_host(&h, data), 0x33, 512);
	assert_int_equal(simple(VIRTIO_BLK_T_OUT, 0, data, 512), VIRTIO_BLK_S_OK);
	memset(before, 0x33, 512);
	expect_disk_unchanged();
}

static void flushes(void **state)
{
	(void)state;
	assert_int_equal(simple(VIRTIO_BLK_T_FLUSH, 0, 0, 0), VIRTIO_BLK_S_OK);
}

static void zero_length_read(void **state)
{
	(void)state;
	assert_int_equal(simple(VIRTIO_BLK_T_IN, DISK_SECTORS, 0, 0), VIRTIO_BLK_S_OK);
}

static void get_id(void **state)
{
	uint64_t id = vh_alloc(&h, 20);
	char want[20] = "berth-disk-0";

	(void)state;
	memset(vh_host(&h, id), 0xff, 20);
	assert_int_equal(simple(VIRTIO_BLK_T_GET_ID, 0, id, 20), VIRTIO_BLK_S_OK);
	assert_memory_equal(vh_host(&h, id), want, 20);
	/* A shorter buffer gets what fits. */
	memset(vh_host(&h, id), 0xff, 20);
	assert_int_equal(simple(VIRTIO_BLK_T_GET_ID, 0, id, 5), VIRTIO_BLK_S_OK);
	assert_memory_equal(vh_host(&h, id), "berth\xff", 6);
}

/* A serial of the full 20 bytes has no NUL. */
static void get_id_full_length(void **state)
{
	struct berth_error err;
	struct virtio_dev *d;
	uint64_t id;

	(void)state;
	vh_destroy(&h);
	assert_int_equal(vh_init(&h, 1 << 20), 0);
	d = create(path, true, "0123456789abcdefghij", 0, &err);
	assert_non_null(d);
	vh_attach(&h, d);
	assert_int_equal(vh_start(&h, QSIZE, ~0ULL), 0);
	nused = 0;
	id = vh_alloc(&h, 20);
	assert_int_equal(simple(VIRTIO_BLK_T_GET_ID, 0, id, 20), VIRTIO_BLK_S_OK);
	assert_memory_equal(vh_host(&h, id), "0123456789abcdefghij", 20);
}

/* One DISCARD or WRITE_ZEROES segment after the header. */
static uint8_t ranges(uint32_t type, const struct virtio_blk_discard_write_zeroes *segs, unsigned n)
{
	uint64_t gpa = vh_alloc(&h, 16ULL * n), st = status_byte();
	unsigned i;

	for (i = 0; i < n; i++) {
		struct virtio_blk_discard_write_zeroes s = { htole64(segs[i].sector),
							     htole32(segs[i].num_sectors),
							     htole32(segs[i].flags) };

		memcpy(vh_host(&h, gpa + 16 * i), &s, 16);
	}
	assert_int_equal(request((struct vh_buf[]){ { header(type, 0), 16, false },
						    { gpa, 16 * n, false },
						    { st, 1, true } },
				 3)
			     .len,
			 1);
	return status_at(st);
}

static void expect_zeroes(uint64_t sector, uint64_t count)
{
	memset(before + sector * 512, 0, count * 512);
	expect_disk_unchanged();
}

static void discards(void **state)
{
	struct stat st0, st1;

	(void)state;
	assert_int_equal(stat(path, &st0), 0);
	assert_int_equal(ranges(VIRTIO_BLK_T_DISCARD,
				(struct virtio_blk_discard_write_zeroes[]){
				    { 64, 64, 0 }, { 256, 8, 0 }, { 300, 0, 0 } },
				3),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(stat(path, &st1), 0);
	assert_true(st1.st_blocks < st0.st_blocks); /* holes were punched */
	assert_int_equal(st1.st_size, DISK_BYTES);
	memset(before + 256 * 512, 0, 8 * 512);
	expect_zeroes(64, 64);
}

static void writes_zeroes(void **state)
{
	(void)state;
	assert_int_equal(ranges(VIRTIO_BLK_T_WRITE_ZEROES,
				(struct virtio_blk_discard_write_zeroes[]){ { 5, 3, 0 } }, 1),
			 VIRTIO_BLK_S_OK);
	expect_zeroes(5, 3);
	assert_int_equal(ranges(VIRTIO_BLK_T_WRITE_ZEROES,
				(struct virtio_blk_discard_write_zeroes[]){
				    { 100, 200, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP } },
				1),
			 VIRTIO_BLK_S_OK);
	expect_zeroes(100, 200);
}

/* On tmpfs (a memfd) ZERO_RANGE is unsupported: zeroes are written instead. */
static void writes_zeroes_fallback(void **state)
{
	char memfd_path[64];
	int fd = memfd_create("disk", MFD_CLOEXEC);
	uint64_t data = vh_alloc(&h, 512 * 200), got = vh_alloc(&h, 512 * 200);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, DISK_BYTES), 0);
	snprintf(memfd_path, sizeof(memfd_path), "/proc/self/fd/%d", fd);
	h.dev->ops->destroy(h.dev);
	open_device(memfd_path, false, ~0ULL);
	memset(vh_host(&h, data), 0x77, 512 * 200);
	assert_int_equal(simple(VIRTIO_BLK_T_OUT, 0, data, 512 * 200), VIRTIO_BLK_S_OK);
	assert_int_equal(ranges(VIRTIO_BLK_T_WRITE_ZEROES,
				(struct virtio_blk_discard_write_zeroes[]){ { 1, 198, 0 } }, 1),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(simple(VIRTIO_BLK_T_IN, 0, got, 512 * 200), VIRTIO_BLK_S_OK);
	memset(vh_host(&h, data) + 512, 0, 198 * 512);
	assert_memory_equal(vh_host(&h, got), vh_host(&h, data), 512 * 200);
	close(fd);
}

static void readonly_refuses_writes(void **state)
{
	uint64_t data = vh_alloc(&h, 512), f;

	(void)state;
	h.dev->ops->destroy(h.dev);
	open_device(path, true, ~0ULL);
	f = h.dev->features;
	assert_true(f & 1ULL << VIRTIO_BLK_F_RO);
	assert_false(f & 1ULL << VIRTIO_BLK_F_DISCARD);
	memset(vh_host(&h, data), 0x11, 512);
	assert_int_equal(simple(VIRTIO_BLK_T_OUT, 0, data, 512), VIRTIO_BLK_S_IOERR);
	assert_int_equal(ranges(VIRTIO_BLK_T_DISCARD,
				(struct virtio_blk_discard_write_zeroes[]){ { 0, 8, 0 } }, 1),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(ranges(VIRTIO_BLK_T_WRITE_ZEROES,
				(struct virtio_blk_discard_write_zeroes[]){ { 0, 8, 0 } }, 1),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(simple(VIRTIO_BLK_T_IN, 0, data, 512), VIRTIO_BLK_S_OK);
	assert_int_equal(simple(VIRTIO_BLK_T_FLUSH, 0, 0, 0), VIRTIO_BLK_S_OK);
	expect_disk_unchanged();
}

static void config_space(void **state)
{
	struct virtio_blk_config c;
	uint64_t f = h.dev->features;
	uint32_t seg_max;

	(void)state;
	assert_int_equal(h.dev->device_id, VIRTIO_ID_BLK);
	assert_string_equal(h.dev->name, "virtio-blk 0");
	assert_int_equal(h.dev->config_len, 60);
	assert_true(f & 1ULL << VIRTIO_F_VERSION_1);
	assert_true(f & 1ULL << VIRTQ_F_EVENT_IDX);
	assert_true(f & 1ULL << VIRTQ_F_INDIRECT_DESC);
	assert_true(f & 1ULL << VIRTIO_BLK_F_FLUSH);
	assert_true(f & 1ULL << VIRTIO_BLK_F_DISCARD);
	assert_true(f & 1ULL << VIRTIO_BLK_F_WRITE_ZEROES);
	assert_true(f & 1ULL << VIRTIO_BLK_F_SEG_MAX);
	assert_true(f & 1ULL << VIRTIO_BLK_F_BLK_SIZE);
	assert_false(f & 1ULL << VIRTIO_BLK_F_RO);
	memset(&c, 0xff, sizeof(c));
	vh_config_read(&h, 0, &c, h.dev->config_len);
	assert_int_equal(le64toh(c.capacity), DISK_SECTORS);
	assert_int_equal(le32toh(c.seg_max), VBLK_SEG_MAX);
	assert_int_equal(le32toh(c.blk_size), 512);
	assert_int_equal(le32toh(c.max_discard_sectors), VBLK_RANGE_SECTORS_MAX);
	assert_int_equal(le32toh(c.max_discard_seg), VBLK_RANGES_MAX);
	assert_int_equal(le32toh(c.discard_sector_alignment), 8);
	assert_int_equal(le32toh(c.max_write_zeroes_sectors), VBLK_RANGE_SECTORS_MAX);
	assert_int_equal(le32toh(c.max_write_zeroes_seg), VBLK_RANGES_MAX);
	assert_int_equal(c.write_zeroes_may_unmap, 1);
	vh_config_read(&h, 12, &seg_max, 4); /* any piece of it */
	assert_int_equal(le32toh(seg_max), VBLK_SEG_MAX);
}

static void names_by_index(void **state)
{
	struct berth_error err;
	struct virtio_dev *d = create(path, true, "", 3, &err);

	(void)state;
	assert_null(d); /* the writable device holds the lock */
	h.dev->ops->destroy(h.dev);
	h.dev = NULL;
	d = create(path, true, "", 3, &err);
	assert_non_null(d);
	assert_string_equal(d->name, "virtio-blk 3");
	d->ops->destroy(d);
}

/* iops=: requests past the burst stay in the ring, unpopped, and the limit's timer on the
 * loop brings the device back for them; nothing waits by sleeping. */
static void iops_limit(void **state)
{
	struct disk_config cfg = { .path = path, .limit = { .iops = 20 } };
	struct berth_error err = { 0 };
	struct virtio_dev *d = NULL;
	unsigned i;

	(void)state;
	h.dev->ops->destroy(h.dev);
	h.dev = NULL;
	if (virtio_blk_create(&d, &cfg, 0, &h.gm, &h.loop, &err))
		fail_msg("%s", err.msg);
	vh_attach(&h, d);
	assert_int_equal(vh_start(&h, QSIZE, ~0ULL), 0);
	for (i = 0; i < QSIZE / 2; i++) {
		struct vh_buf bufs[] = { { header(VIRTIO_BLK_T_IN, 0), 16, false },
					 { status_byte(), 1, true } };

		vh_offer(&h, 0, vh_add_chain(&h, 0, bufs, 2));
	}
	vh_kick(&h, 0);
	/* the burst: 100 ms of 20 a second, and the one at hand; the rest not even popped */
	assert_int_equal(vh_used_idx(&h, 0), 3);
	assert_int_equal(h.dev->vqs[0].inflight, 0);
	assert_int_equal(vh_run_until_used(&h, 0, QSIZE / 2, TIMEOUT_MS), 0);
}

static void expect_create_fails(const char *p, bool readonly, const char *msg)
{
	struct berth_error err = { 0 };

	assert_null(create(p, readonly, "", 1, &err));
	assert_contains(err.msg, msg);
	assert_contains(err.msg, p);
}

static void locking(void **state)
{
	struct berth_error err;
	struct virtio_dev *ro1, *ro2;

	(void)state;
	expect_create_fails(path, false, "is in use by another process (locked)");
	expect_create_fails(path, true, "is in use by another process (locked)");
	h.dev->ops->destroy(h.dev);
	h.dev = NULL;
	ro1 = create(path, true, "", 1, &err);
	ro2 = create(path, true, "", 2, &err);
	assert_non_null(ro1);
	assert_non_null(ro2);
	expect_create_fails(path, false, "is in use by another process (locked)");
	ro1->ops->destroy(ro1);
	ro2->ops->destroy(ro2);
}

static void refuses_bad_files(void **state)
{
	char odd[80], dir[80];
	int fd;

	(void)state;
	expect_create_fails("/nonexistent/disk.img", false, "cannot open disk");
	snprintf(dir, sizeof(dir), "%s.d", path);
	assert_int_equal(mkdir(dir, 0700), 0);
	expect_create_fails(dir, false, "is a directory");
	expect_create_fails(dir, true, "is a directory");
	rmdir(dir);
	snprintf(odd, sizeof(odd), "%s.odd", path);
	fd = open(odd, O_CREAT | O_WRONLY, 0600);
	assert_int_equal(ftruncate(fd, 1000), 0);
	close(fd);
	expect_create_fails(odd, false, "1000 bytes, not a whole number of 512-byte sectors");
	unlink(odd);
	expect_create_fails("/dev/null", false, "neither a regular file nor a block device");
}

/* Without io_uring (here: io_uring_setup refused by a seccomp filter in a child process, as
 * the sysctl kernel.io_uring_disabled would), create fails and says why. */
static void refuses_without_io_uring(void **state)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { ARRAY_SIZE(filter), filter };
	struct berth_error err = { 0 };
	int status;
	pid_t pid;

	(void)state;
	h.dev->ops->destroy(h.dev); /* its lock would be refused first */
	h.dev = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		bool refused;

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
			_exit(2);
		refused = !create(path, false, "", 0, &err) &&
			  strstr(err.msg, "cannot set up io_uring for disk") &&
			  strstr(err.msg, path) && strstr(err.msg, "kernel.io_uring_disabled");
		_exit(refused ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* A bad request: these buffers get this status (or none), and nothing else happens. */
struct bad {
	const char *name;
	unsigned n;
	struct vh_buf bufs[4]; /* gpa is an offset into a scratch area; see bad_request() */
	uint32_t type;
	uint64_t sector;
	int status;	 /* VIRTIO_BLK_S_*, or VBLK_NO_STATUS */
	uint64_t seg[3]; /* at DATA: a discard segment (sector, count, flags) */
};

/* clang-format off */
#define RD(off, len) { (off), (len), false }
#define WR(off, len) { (off), (len), true }
#define HDR	     RD(0, 16)
#define DATA	     0x100
#define STATUS	     0x20000
#define NOSEG	     { 0, 0, 0 }

static const struct bad bad_cases[] = {
	{ "short header", 2, { RD(0, 8), WR(STATUS, 1) }, VIRTIO_BLK_T_IN, 0, VIRTIO_BLK_S_IOERR, NOSEG },
	{ "no header", 1, { WR(STATUS, 1) }, VIRTIO_BLK_T_IN, 0, VIRTIO_BLK_S_IOERR, NOSEG },
	{ "no status byte", 1, { HDR }, VIRTIO_BLK_T_FLUSH, 0, VBLK_NO_STATUS, NOSEG },
	{ "status byte read-only", 3, { HDR, RD(DATA, 512), RD(STATUS, 1) }, VIRTIO_BLK_T_OUT, 0,
	  VBLK_NO_STATUS, NOSEG },
	{ "zero-length chain", 1, { RD(0, 0) }, VIRTIO_BLK_T_IN, 0, VBLK_NO_STATUS, NOSEG },
	{ "read past the end", 3, { HDR, WR(DATA, 512), WR(STATUS, 1) }, VIRTIO_BLK_T_IN,
	  DISK_SECTORS, VIRTIO_BLK_S_IOERR, NOSEG },
	{ "read across the end", 3, { HDR, WR(DATA, 1024), WR(STATUS, 1) }, VIRTIO_BLK_T_IN,
	  DISK_SECTORS - 1, VIRTIO_BLK_S_IOERR, NOSEG },
	{ "write past the end", 3, { HDR, RD(DATA, 512), WR(STATUS, 1) }, VIRTIO_BLK_T_OUT,
	  DISK_SECTORS, VIRTIO_BLK_S_IOERR, NOSEG },
	{ "sector * 512 wraps", 3, { HDR, RD(DATA, 512), WR(STATUS, 1) }, VIRTIO_BLK_T_OUT,
	  (1ULL << 55) + 1, VIRTIO_BLK_S_IOERR, NOSEG },
	{ "sector near 2^64", 3, { HDR, WR(DATA, 512), WR(STATUS, 1) }, VIRTIO_BLK_T_IN,
	  UINT64_MAX, VIRTIO_BLK_S_IOERR, NOSEG },
	{ "data not whole sectors", 3, { HDR, WR(DATA, 500), WR(STATUS, 1) }, VIRTIO_BLK_T_IN, 0,
	  VIRTIO_BLK_S_IOERR, NOSEG },
	{ "read into readable data", 3, { HDR, RD(DATA, 512), WR(STATUS, 1) }, VIRTIO_BLK_T_IN, 0,
	  VIRTIO_BLK_S_IOERR, NOSEG },
	{ "write from writable data", 3, { HDR, WR(DATA, 512), WR(STATUS, 1) }, VIRTIO_BLK_T_OUT, 0,
	  VIRTIO_BLK_S_IOERR, NOSEG },
	{ "flush with data", 3, { HDR, RD(DATA, 512), WR(STATUS, 1) }, VIRTIO_BLK_T_FLUSH, 0,
	  VIRTIO_BLK_S_IOERR, NOSEG },
	{ "get id with readable data", 3, { HDR, RD(DATA, 20), WR(STATUS, 1) }, VIRTIO_BLK_T_GET_ID,
	  0, VIRTIO_BLK_S_IOERR, NOSEG },
	{ "unknown type", 2, { HDR, WR(STATUS, 1) }, 99, 0, VIRTIO_BLK_S_UNSUPP, NOSEG },
	{ "SCSI command", 2, { HDR, WR(STATUS, 1) }, 2, 0, VIRTIO_BLK_S_UNSUPP, NOSEG },
	{ "discard without segments", 2, { HDR, WR(STATUS, 1) }, VIRTIO_BLK_T_DISCARD, 0,
	  VIRTIO_BLK_S_IOERR, NOSEG },
	{ "discard segment of 12 bytes", 3, { HDR, RD(DATA, 12), WR(STATUS, 1) },
	  VIRTIO_BLK_T_DISCARD, 0, VIRTIO_BLK_S_IOERR, NOSEG },
	{ "17 discard segments", 3, { HDR, RD(DATA, 17 * 16), WR(STATUS, 1) },
	  VIRTIO_BLK_T_DISCARD, 0, VIRTIO_BLK_S_IOERR, NOSEG },
	{ "4096 discard segments", 3, { HDR, RD(DATA, 0x10000), WR(STATUS, 1) },
	  VIRTIO_BLK_T_DISCARD, 0, VIRTIO_BLK_S_IOERR, NOSEG },
	{ "discard with writable segment", 3, { HDR, WR(DATA, 16), WR(STATUS, 1) },
	  VIRTIO_BLK_T_DISCARD, 0, VIRTIO_BLK_S_IOERR, { 0, 8, 0 } },
	{ "discard past the end", 3, { HDR, RD(DATA, 16), WR(STATUS, 1) }, VIRTIO_BLK_T_DISCARD,
	  0, VIRTIO_BLK_S_IOERR, { DISK_SECTORS - 4, 8, 0 } },
	{ "discard sector near 2^64", 3, { HDR, RD(DATA, 16), WR(STATUS, 1) },
	  VIRTIO_BLK_T_DISCARD, 0, VIRTIO_BLK_S_IOERR, { UINT64_MAX - 1, 8, 0 } },
	{ "discard of 2^32-1 sectors", 3, { HDR, RD(DATA, 16), WR(STATUS, 1) },
	  VIRTIO_BLK_T_DISCARD, 0, VIRTIO_BLK_S_IOERR, { 0, UINT32_MAX, 0 } },
	{ "discard with unmap", 3, { HDR, RD(DATA, 16), WR(STATUS, 1) }, VIRTIO_BLK_T_DISCARD, 0,
	  VIRTIO_BLK_S_UNSUPP, { 0, 8, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP } },
	{ "write zeroes with unknown flag", 3, { HDR, RD(DATA, 16), WR(STATUS, 1) },
	  VIRTIO_BLK_T_WRITE_ZEROES, 0, VIRTIO_BLK_S_UNSUPP, { 0, 8, 2 } },
	{ "write zeroes past the end", 3, { HDR, RD(DATA, 16), WR(STATUS, 1) },
	  VIRTIO_BLK_T_WRITE_ZEROES, 0, VIRTIO_BLK_S_IOERR, { DISK_SECTORS, 1, 0 } },
};
/* clang-format on */

/* Build a bad case in a scratch area; offsets in bufs are from its start. */
static void bad_request(void **state)
{
	const struct bad *b = *state;
	uint64_t base = vh_alloc(&h, STATUS + 1), st = base + STATUS;
	struct vh_buf bufs[4];
	struct virtq_used_elem e;
	unsigned i;

	memcpy(
	    vh_host(&h, base),
	    &(struct virtio_blk_outhdr){ .type = htole32(b->type), .sector = htole64(b->sector) },
	    16);
	memcpy(vh_host(&h, base + DATA),
	       &(struct virtio_blk_discard_write_zeroes){
		   htole64(b->seg[0]), htole32((uint32_t)b->seg[1]), htole32((uint32_t)b->seg[2]) },
	       16);
	*(uint8_t *)vh_host(&h, st) = 0xee;
	for (i = 0; i < b->n; i++)
		bufs[i] =
		    (struct vh_buf){ base + b->bufs[i].gpa, b->bufs[i].len, b->bufs[i].write };
	e = request(bufs, b->n);
	if (b->status == VBLK_NO_STATUS) {
		assert_int_equal(e.len, 0);
		assert_int_equal(status_at(st), 0xee);
	} else {
		assert_int_not_equal(e.len, 0);
		assert_int_equal(status_at(st), b->status);
	}
	expect_disk_unchanged();
	/* The device goes on working. */
	assert_int_equal(simple(VIRTIO_BLK_T_IN, 1, vh_alloc(&h, 512), 512), VIRTIO_BLK_S_OK);
	assert_null(h.dev->vqs[0].broken);
}

/* A one-sector read into nbufs data buffers, in an indirect table: the status. */
static uint8_t read_in_pieces(unsigned nbufs)
{
	struct vh_buf bufs[VBLK_SEG_MAX + 3];
	uint64_t data = vh_alloc(&h, 512), st = status_byte();
	unsigned i;

	bufs[0] = (struct vh_buf){ header(VIRTIO_BLK_T_IN, 0), 16, false };
	for (i = 1; i < nbufs; i++) /* 2 bytes each, the last one the rest */
		bufs[i] = (struct vh_buf){ data + 2 * (i - 1), 2, true };
	bufs[nbufs] = (struct vh_buf){ data + 2 * (nbufs - 1), 512 - 2 * (nbufs - 1), true };
	bufs[nbufs + 1] = (struct vh_buf){ st, 1, true };
	vh_offer(&h, 0, vh_add_indirect(&h, 0, bufs, nbufs + 2));
	vh_kick(&h, 0);
	assert_int_equal(vh_run_until_used(&h, 0, ++nused, TIMEOUT_MS), 0);
	if (status_at(st) == VIRTIO_BLK_S_OK)
		assert_memory_equal(vh_host(&h, data), before, 512);
	return status_at(st);
}

/* More data buffers than seg_max: IOERR. */
static void too_many_segments(void **state)
{
	(void)state;
	assert_int_equal(read_in_pieces(VBLK_SEG_MAX + 1), VIRTIO_BLK_S_IOERR);
	assert_int_equal(read_in_pieces(VBLK_SEG_MAX), VIRTIO_BLK_S_OK);
}

/* A chain the queue refuses (a descriptor loop) fails the device through its transport. */
static void malformed_chain_fails_device(void **state)
{
	(void)state;
	vh_put_desc(&h, 0, 0, header(VIRTIO_BLK_T_IN, 0), 16, VIRTQ_DESC_F_NEXT, 1);
	vh_put_desc(&h, 0, 1, status_byte(), 1, VIRTQ_DESC_F_NEXT, 0);
	vh_offer(&h, 0, 0);
	vh_kick(&h, 0);
	assert_int_equal(h.failures, 1);
	assert_contains(h.failed, "loop");
	vh_kick(&h, 0); /* nothing more happens */
	assert_int_equal(h.failures, 1);
	assert_int_equal(vh_used_idx(&h, 0), 0);
	h.failures = 0;
	/* A reset brings it back. */
	vh_reset(&h);
	assert_int_equal(vh_start(&h, QSIZE, ~0ULL), 0);
	assert_int_equal(simple(VIRTIO_BLK_T_FLUSH, 0, 0, 0), VIRTIO_BLK_S_OK);
}

/* The file shrinking under a read is an I/O error, not a hang: here the first read comes
 * back short (the rest is retried, from the middle of a buffer) and the retry finds nothing. */
static void file_shrinks(void **state)
{
	uint64_t a = vh_alloc(&h, 256), b = vh_alloc(&h, 768), st = status_byte();
	struct virtq_used_elem e;

	(void)state;
	assert_int_equal(truncate(path, DISK_BYTES - 512), 0);
	e = request((struct vh_buf[]){ { header(VIRTIO_BLK_T_IN, DISK_SECTORS - 2), 16, false },
				       { a, 256, true },
				       { b, 768, true },
				       { st, 1, true } },
		    4);
	assert_int_equal(e.len, 1025);
	assert_int_equal(status_at(st), VIRTIO_BLK_S_IOERR);
	assert_memory_equal(vh_host(&h, a), before + DISK_BYTES - 1024, 256);
	assert_memory_equal(vh_host(&h, b), before + DISK_BYTES - 768, 256);
	assert_int_equal(truncate(path, DISK_BYTES), 0);
	memset(before + DISK_BYTES - 512, 0, 512);
	expect_disk_unchanged();
}

static const uint8_t vblk_zero_sector[512];

static uint64_t config_capacity(void)
{
	uint64_t c;

	vh_config_read(&h, 0, &c, sizeof(c));
	return le64toh(c);
}

/* The file grows under a running device: after virtio_blk_grow the new sectors are in
 * bounds, the config space says so, and the driver is told once; a resize that changes
 * nothing tells it nothing; a file that shrank or is not whole sectors is refused. */
static void grows_while_running(void **state)
{
	uint64_t data = vh_alloc(&h, 512), old = 0, now = 0;
	struct berth_error err = { 0 };

	(void)state;
	assert_int_equal(simple(VIRTIO_BLK_T_IN, DISK_SECTORS, data, 512), VIRTIO_BLK_S_IOERR);
	assert_int_equal(truncate(path, 2 * DISK_BYTES), 0);
	assert_int_equal(config_capacity(), DISK_SECTORS); /* not before it is told */
	assert_int_equal(virtio_blk_grow(h.dev, &old, &now, &err), 0);
	assert_int_equal(old, DISK_BYTES);
	assert_int_equal(now, 2 * DISK_BYTES);
	assert_int_equal(h.config_changes, 1);
	assert_int_equal(config_capacity(), 2 * DISK_SECTORS);
	memset(vh_host(&h, data), 0xaa, 512);
	assert_int_equal(simple(VIRTIO_BLK_T_IN, 2 * DISK_SECTORS - 1, data, 512), VIRTIO_BLK_S_OK);
	assert_memory_equal(vh_host(&h, data), vblk_zero_sector, 512);
	assert_int_equal(simple(VIRTIO_BLK_T_IN, 2 * DISK_SECTORS, data, 512), VIRTIO_BLK_S_IOERR);

	assert_int_equal(virtio_blk_grow(h.dev, &old, &now, &err), 0);
	assert_int_equal(old, 2 * DISK_BYTES);
	assert_int_equal(now, 2 * DISK_BYTES);
	assert_int_equal(h.config_changes, 1);

	assert_int_equal(truncate(path, 2 * DISK_BYTES + 100), 0);
	assert_int_equal(virtio_blk_grow(h.dev, &old, &now, &err), -1);
	assert_contains(err.msg, "not a whole number of 512-byte sectors");
	assert_int_equal(truncate(path, DISK_BYTES), 0);
	assert_int_equal(virtio_blk_grow(h.dev, &old, &now, &err), -1);
	assert_contains(err.msg, "a disk can only grow");
	assert_int_equal(h.config_changes, 1);
	assert_int_equal(config_capacity(), 2 * DISK_SECTORS);
	expect_disk_unchanged();
}

/* More requests than the device carries out at once wait in the ring, then complete. */
static void more_requests_than_slots(void **state)
{
	enum { N = 200 };
	uint64_t data = vh_alloc(&h, 512ULL * N), sts = vh_alloc(&h, N);
	unsigned i;

	(void)state;
	vh_reset(&h);
	assert_int_equal(vh_start(&h, 256, ~0ULL), 0);
	for (i = 0; i < N; i++) {
		uint64_t hdr = header(VIRTIO_BLK_T_IN, i);

		vh_offer(&h, 0,
			 vh_add_indirect(&h, 0,
					 (struct vh_buf[]){ { hdr, 16, false },
							    { data + 512 * i, 512, true },
							    { sts + i, 1, true } },
					 3));
	}
	vh_kick(&h, 0);
	assert_int_equal(vh_run_until_used(&h, 0, N, TIMEOUT_MS), 0);
	for (i = 0; i < N; i++)
		assert_int_equal(status_at(sts + i), VIRTIO_BLK_S_OK);
	assert_memory_equal(vh_host(&h, data), before, 512 * N);
}

/* A full queue of the costliest legal chains (each an indirect table of VIRTQ_MAX_SIZE
 * descriptors, all but two of them empty: a read of nothing) is served a bounded share per
 * turn of the loop, the rest handed back to the loop, and in the end all of it. */
static void costliest_chains_take_turns(void **state)
{
	uint64_t table = vh_alloc(&h, 16ULL * VIRTQ_MAX_SIZE), hdr = header(VIRTIO_BLK_T_IN, 0);
	uint64_t st = status_byte();
	uint16_t i;

	(void)state;
	vh_reset(&h);
	assert_int_equal(vh_start(&h, 256, ~0ULL), 0);
	vh_put_desc_at(&h, table, 0, hdr, 16, VIRTQ_DESC_F_NEXT, 1);
	for (i = 1; i < VIRTQ_MAX_SIZE - 1; i++)
		vh_put_desc_at(&h, table, i, 0, 0, VIRTQ_DESC_F_NEXT, (uint16_t)(i + 1));
	vh_put_desc_at(&h, table, VIRTQ_MAX_SIZE - 1, st, 1, VIRTQ_DESC_F_WRITE, 0);
	for (i = 0; i < 256; i++) {
		vh_put_desc(&h, 0, i, table, 16 * VIRTQ_MAX_SIZE, VIRTQ_DESC_F_INDIRECT, 0);
		vh_offer(&h, 0, i);
	}
	h.max_walk = 0;
	h.requeues = 0;
	vh_kick(&h, 0);
	assert_true(vh_used_idx(&h, 0) > 0);
	assert_true(vh_used_idx(&h, 0) < 256);
	assert_int_equal(h.requeues, 1);
	assert_int_equal(vh_run_until_used(&h, 0, 256, 60000), 0);
	assert_true(h.max_walk <= VIRTIO_TURN_MAX_WALK);
	assert_true(h.requeues > 1);
	assert_int_equal(status_at(st), VIRTIO_BLK_S_OK);
	expect_disk_unchanged();
}

/* Reset with requests in the ring: it waits for them, gives nothing back, and the device
 * starts afresh. (ASan watches for a completion touching freed state.) */
static void reset_while_in_flight(void **state)
{
	uint64_t data = vh_alloc(&h, 64 * 1024 * 8);
	unsigned i;

	(void)state;
	for (i = 0; i < 8; i++) {
		uint64_t hdr = header(i % 2 ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, 128 * i);

		vh_offer(&h, 0,
			 vh_add_indirect(&h, 0,
					 (struct vh_buf[]){ { hdr, 16, false },
							    { data + 65536 * i, 65536, !(i % 2) },
							    { status_byte(), 1, true } },
					 3));
	}
	vh_offer(&h, 0,
		 vh_add_indirect(&h, 0,
				 (struct vh_buf[]){ { header(VIRTIO_BLK_T_FLUSH, 0), 16, false },
						    { status_byte(), 1, true } },
				 2));
	vh_kick(&h, 0);
	vh_reset(&h);
	assert_int_equal(vh_used_idx(&h, 0), 0);
	while (vh_run(&h, 50) > 0) /* stale completion signals find nothing */
		;
	assert_int_equal(vh_used_idx(&h, 0), 0);
	assert_int_equal(vh_start(&h, QSIZE, ~0ULL), 0);
	nused = 0;
	assert_int_equal(simple(VIRTIO_BLK_T_IN, 0, data, 512), VIRTIO_BLK_S_OK);
	memset(before + 128 * 512, 0, 128 * 512); /* the writes happened, from zeroed RAM */
	memset(before + 384 * 512, 0, 128 * 512);
	memset(before + 640 * 512, 0, 128 * 512);
	memset(before + 896 * 512, 0, 128 * 512);
	expect_disk_unchanged();
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test_setup_teardown(reads, setup, teardown),
		cmocka_unit_test_setup_teardown(any_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(writes, setup, teardown),
		cmocka_unit_test_setup_teardown(writes_writethrough, setup, teardown),
		cmocka_unit_test_setup_teardown(flushes, setup, teardown),
		cmocka_unit_test_setup_teardown(zero_length_read, setup, teardown),
		cmocka_unit_test_setup_teardown(get_id, setup, teardown),
		cmocka_unit_test_setup_teardown(get_id_full_length, setup, teardown),
		cmocka_unit_test_setup_teardown(discards, setup, teardown),
		cmocka_unit_test_setup_teardown(writes_zeroes, setup, teardown),
		cmocka_unit_test_setup_teardown(writes_zeroes_fallback, setup, teardown),
		cmocka_unit_test_setup_teardown(readonly_refuses_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(config_space, setup, teardown),
		cmocka_unit_test_setup_teardown(names_by_index, setup, teardown),
		cmocka_unit_test_setup_teardown(iops_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(locking, setup, teardown),
		cmocka_unit_test_setup_teardown(refuses_bad_files, setup, teardown),
		cmocka_unit_test_setup_teardown(refuses_without_io_uring, setup, teardown),
		cmocka_unit_test_setup_teardown(too_many_segments, setup, teardown),
		cmocka_unit_test_setup_teardown(malformed_chain_fails_device, setup, teardown),
		cmocka_unit_test_setup_teardown(file_shrinks, setup, teardown),
		cmocka_unit_test_setup_teardown(grows_while_running, setup, teardown),
		cmocka_unit_test_setup_teardown(more_requests_than_slots, setup, teardown),
		cmocka_unit_test_setup_teardown(reset_while_in_flight, setup, teardown),
		cmocka_unit_test_setup_teardown(costliest_chains_take_turns, setup, teardown),
	};
	struct CMUnitTest bad[ARRAY_SIZE(bad_cases)];
	unsigned i;

	/* Each bad request is a test of its own, named for what the driver did. */
	for (i = 0; i < ARRAY_SIZE(bad_cases); i++)
		bad[i] = (struct CMUnitTest){ bad_cases[i].name, bad_request, setup, teardown,
					      (void *)&bad_cases[i] };
	return cmocka_run_group_tests_name("virtio-blk", fixed, NULL, NULL) |
	       cmocka_run_group_tests_name("virtio-blk bad requests", bad, NULL, NULL);
}
