/* virtio_hog.c - a hostile guest program (Linux, root, static): it takes a virtio-pci device
 * away from its driver and keeps the device's queue 0 full of the costliest chains the rules
 * allow, for ever: every chain an indirect table of 32 768 descriptors, a 16-byte readable
 * header first (a read of sector 0 to virtio-blk), a 1-byte writable buffer last (too small
 * for virtio-net's receive header, so a receiving card gives it back and walks the next),
 * all between them empty. Used by tests/system/vmm/hostile_fairness.sh, which checks that
 * berth-vmm still answers its operator meanwhile.
 *
 *   virtio_hog DEVICE_ID    (hex PCI device ID: 1042 virtio-blk, 1041 virtio-net)
 *
 * Every second it prints "hog DEVICE_ID: chains=N" (chains the device gave back so far).
 * Guest memory for the rings comes from one 2 MiB huge page (physically contiguous; its
 * address from /proc/self/pagemap); the queue asks for no interrupts. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define HUGE	  (2u << 20)
#define QSIZE	  256
#define TABLE_N	  32768
#define TABLE_OFF 0x100000u
#define HDR_OFF	  0x6000u

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static volatile uint8_t *bar;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void w8(unsigned off, uint8_t v)
{
	*(volatile uint8_t *)(bar + off) = v;
}

static void w16(unsigned off, uint16_t v)
{
	*(volatile uint16_t *)(bar + off) = v;
}

static void w32(unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(bar + off) = v;
}

static uint32_t r32(unsigned off)
{
	return *(volatile uint32_t *)(bar + off);
}

static void w64(unsigned off, uint64_t v)
{
	w32(off, (uint32_t)v);
	w32(off + 4, (uint32_t)(v >> 32));
}

static void write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);

	if (fd >= 0) {
		if (write(fd, s, strlen(s)) < 0)
			perror(path);
		close(fd);
	}
}

/* The PCI address of the first device with vendor 1af4 and device id. */
static int find_device(const char *id, char *bdf, size_t size)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *e;
	char path[300], buf[16];
	int found = 0;

	if (!d)
		die("/sys/bus/pci/devices");
	while (!found && (e = readdir(d))) {
		int fd;
		ssize_t n;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device", e->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[n > 0 ? n : 0] = '\0';
		if (!strncmp(buf, "0x", 2) && !strncmp(buf + 2, id, 4)) {
			snprintf(bdf, size, "%s", e->d_name);
			found = 1;
		}
	}
	closedir(d);
	return found;
}

static uint64_t phys_of(void *p)
{
	uint64_t entry;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0 || pread(fd, &entry, 8, (off_t)((uintptr_t)p / 4096) * 8) != 8)
		die("pagemap");
	close(fd);
	if (!(entry >> 63) || !(entry & ((1ULL << 55) - 1))) {
		fprintf(stderr, "hog: no physical address for the huge page\n");
		exit(1);
	}
	return (entry & ((1ULL << 55) - 1)) * 4096;
}

/* Take the device from its driver, map BAR 0, turn on memory decoding. */
static void take_device(const char *bdf)
{
	char path[300];
	uint16_t cmd;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver/unbind", bdf);
	write_file(path, bdf);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	fd = open(path, O_RDWR);
	if (fd < 0 || pread(fd, &cmd, 2, 4) != 2)
		die(path);
	cmd |= 0x6; /* memory space, bus master */
	if (pwrite(fd, &cmd, 2, 4) != 2)
		die(path);
	close(fd);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource0", bdf);
	fd = open(path, O_RDWR | O_SYNC);
	if (fd < 0)
		die(path);
	bar = mmap(NULL, 0x8000, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (bar == MAP_FAILED)
		die("mmap BAR 0");
}

/* Queue q's rings at page 3q of the huge page. */
static void setup_queue(unsigned q, uint64_t base)
{
	uint64_t rings = base + 3ULL * 4096 * q;

	w16(0x16, (uint16_t)q);
	w16(0x18, QSIZE);
	w64(0x20, rings);
	w64(0x28, rings + 4096);
	w64(0x30, rings + 8192);
	w16(0x1C, 1);
}

int main(int argc, char **argv)
{
	struct desc *table, *qdesc;
	volatile uint16_t *avail, *used;
	uint8_t *mem;
	uint64_t base;
	uint16_t idx = 0, seen = 0;
	unsigned long long total = 0;
	char bdf[256];
	time_t last = 0;
	unsigned nq, q, i;

	if (argc != 2 || strlen(argv[1]) != 4) {
		fprintf(stderr, "usage: virtio_hog DEVICE_ID (1042 blk, 1041 net)\n");
		return 2;
	}
	if (!find_device(argv[1], bdf, sizeof(bdf))) {
		fprintf(stderr, "hog: no virtio device %s\n", argv[1]);
		return 1;
	}
	mem = mmap(NULL, HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB,
		   -1, 0);
	if (mem == MAP_FAILED)
		die("mmap a huge page (echo N > /proc/sys/vm/nr_hugepages)");
	memset(mem, 0, HUGE);
	if (mlock(mem, HUGE))
		die("mlock");
	base = phys_of(mem);
	take_device(bdf);

	/* The table every chain names; header: type 0 (read), sector 0. */
	table = (struct desc *)(mem + TABLE_OFF);
	table[0] = (struct desc){ base + HDR_OFF, 16, 1, 1 };
	for (i = 1; i < TABLE_N - 1; i++)
		table[i] = (struct desc){ 0, 0, 1, (uint16_t)(i + 1) };
	table[TABLE_N - 1] = (struct desc){ base + HDR_OFF + 16, 1, 2, 0 };
	qdesc = (struct desc *)mem;
	for (i = 0; i < QSIZE; i++)
		qdesc[i] = (struct desc){ base + TABLE_OFF, 16 * TABLE_N, 4, 0 };
	avail = (volatile uint16_t *)(mem + 4096);
	used = (volatile uint16_t *)(mem + 8192);
	avail[0] = 1; /* VIRTQ_AVAIL_F_NO_INTERRUPT */

	/* Reset, then VERSION_1 and INDIRECT_DESC only. */
	w8(0x14, 0);
	w8(0x14, 1 | 2);
	w32(0x08, 0);
	w32(0x0C, 1u << 28);
	w32(0x08, 1);
	w32(0x0C, 1);
	w8(0x14, 1 | 2 | 8);
	nq = *(volatile uint16_t *)(bar + 0x12);
	for (q = 0; q < nq && q < 2; q++)
		setup_queue(q, base);
	w8(0x14, 1 | 2 | 8 | 4);
	if (r32(0x14) & 0x40) {
		fprintf(stderr, "hog %s: the device refused to start\n", argv[1]);
		return 1;
	}
	fprintf(stderr, "hog %s: attacking %s\n", argv[1], bdf);
	for (;;) {
		uint16_t u = __atomic_load_n(&used[1], __ATOMIC_ACQUIRE);
		time_t now = time(NULL);

		while ((uint16_t)(idx - u) < QSIZE) {
			avail[2 + idx % QSIZE] = (uint16_t)(idx % QSIZE);
			idx++;
		}
		__atomic_store_n(&avail[1], idx, __ATOMIC_RELEASE);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		w16(0x3000, 0); /* kick queue 0 */
		total += (uint16_t)(u - seen);
		seen = u;
		if (now != last) {
			last = now;
			printf("hog %s: chains=%llu status=%u\n", argv[1], total,
			       (unsigned)(r32(0x14) & 0xff));
			fflush(stdout);
		}
	}
}
