/* vncdraw.c - bench helper run in the guest (built static by bench/vmm/vnc): set a mode on
 * the bochs-display (PCI 1234:1111) and redraw its whole framebuffer for ever, each frame
 * different, printing how many frames it has drawn once a second.
 *
 *   vncdraw WIDTH HEIGHT
 *   -> "vncdraw: mode WxHx32", then "vncdraw: frames=N usec=N" every second
 *
 * The kit's kernel (Debian's cloud kernel) has no DRM and so no bochs driver: the program
 * drives the device itself through sysfs, as the driver would (BAR 2's Bochs VBE registers at
 * 0x500 for the mode, BAR 0 mapped for the pixels). The same code then runs under berth-vmm and
 * QEMU, whatever firmware or direct boot left on the screen. Boot with video=efifb:off: efifb
 * would claim BAR 0 and the kernel (IO_STRICT_DEVMEM) would refuse the mapping. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PCI_DIR "/sys/bus/pci/devices"
#define VBE_OFF 0x500 /* the dispi registers in BAR 2, 16 bits each */
#define VBE_XRES 1
#define VBE_YRES 2
#define VBE_BPP 3
#define VBE_ENABLE 4
#define VBE_ENABLED 0x01
#define VBE_LFB 0x40
#define VBE_NOCLEARMEM 0x80

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* read_hex PATH: the number in a sysfs file such as "vendor" (0 if unreadable). */
static unsigned long read_hex(const char *path)
{
	char buf[32] = "";
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return strtoul(buf, NULL, 16);
}

/* find_display DIR: the sysfs directory of the first 1234:1111 device into DIR. */
static int find_display(char *dir, size_t size)
{
	char path[512];
	struct dirent *e;
	DIR *d = opendir(PCI_DIR);
	int found = 0;

	while (d && !found && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), PCI_DIR "/%s/vendor", e->d_name);
		if (read_hex(path) != 0x1234)
			continue;
		snprintf(path, sizeof(path), PCI_DIR "/%s/device", e->d_name);
		if (read_hex(path) != 0x1111)
			continue;
		snprintf(dir, size, PCI_DIR "/%s", e->d_name);
		found = 1;
	}
	if (d)
		closedir(d);
	return found ? 0 : -1;
}

/* map_bar DIR N LEN: BAR N of the device, LEN bytes, shared and writable. */
static void *map_bar(const char *dir, int n, size_t len)
{
	char path[512];
	void *p;
	int fd;

	snprintf(path, sizeof(path), "%s/resource%d", dir, n);
	fd = open(path, O_RDWR | O_SYNC);
	if (fd < 0) {
		perror(path);
		return NULL;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		perror(path);
		return NULL;
	}
	return p;
}

int main(int argc, char **argv)
{
	char dir[512], path[600];
	volatile uint16_t *vbe;
	uint32_t *fb, *row;
	uint64_t start, next, frames = 0;
	long w, h;
	int fd;

	if (argc != 3 || (w = atol(argv[1])) < 8 || w > 4096 || w % 8 || (h = atol(argv[2])) < 1 ||
	    h > 4096 || (uint64_t)w * (uint64_t)h * 4 > 16 << 20) {
		fprintf(stderr, "usage: vncdraw WIDTH HEIGHT (WIDTH a multiple of 8; at most 16 MiB)\n");
		return 2;
	}
	if (find_display(dir, sizeof(dir))) {
		fprintf(stderr, "vncdraw: no bochs-display (PCI 1234:1111)\n");
		return 1;
	}
	/* Turn on memory decoding, as a driver's pci_enable_device() would. */
	snprintf(path, sizeof(path), "%s/enable", dir);
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, "1", 1) != 1)
		perror(path);
	if (fd >= 0)
		close(fd);
	vbe = map_bar(dir, 2, 4096);
	fb = map_bar(dir, 0, (size_t)(w * h * 4));
	if (!vbe || !fb)
		return 1;
	vbe += VBE_OFF / 2;
	vbe[VBE_ENABLE] = 0;
	vbe[VBE_XRES] = (uint16_t)w;
	vbe[VBE_YRES] = (uint16_t)h;
	vbe[VBE_BPP] = 32;
	vbe[VBE_ENABLE] = VBE_ENABLED | VBE_LFB | VBE_NOCLEARMEM;
	printf("vncdraw: mode %ldx%ldx32\n", w, h);
	fflush(stdout);
	start = now_usec();
	next = start + 1000000;
	for (;;) {
		/* A diagonal pattern that moves one pixel a frame: every pixel changes each frame. */
		for (long y = 0; y < h; y++) {
			row = fb + y * w;
			for (long x = 0; x < w; x++)
				row[x] = (uint32_t)(x + y + (long)frames) * 0x010307u;
		}
		frames++;
		if (now_usec() >= next) {
			printf("vncdraw: frames=%llu usec=%llu\n", (unsigned long long)frames,
			       (unsigned long long)(now_usec() - start));
			fflush(stdout);
			next += 1000000;
		}
	}
}
