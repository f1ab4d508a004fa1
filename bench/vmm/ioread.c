/* ioread.c - bench helper run in the guest (built static by bench/vmm/io): read a block
 * device with O_DIRECT, one request at a time, for a while, and print what was moved.
 *
 *   ioread DEVICE seq|rand BLOCK_BYTES SECONDS
 *   -> "ioread: bytes=N ios=N usec=N"
 *
 * seq wraps around at the end of the device; rand picks block-aligned offsets uniformly.
 * Queue depth 1 on purpose: each request is a full round trip through the VMM, so the
 * figures compare the VMMs' per-request cost rather than the host's storage. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* xorshift64: enough randomness for offsets, and no libc state. */
static uint64_t next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int main(int argc, char **argv)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull, bytes = 0, ios = 0, start, end, off, blocks;
	long bs, seconds;
	off_t size;
	void *buf;
	int fd, rnd;

	if (argc != 5 || (strcmp(argv[2], "seq") && strcmp(argv[2], "rand"))) {
		fprintf(stderr, "usage: ioread DEVICE seq|rand BLOCK_BYTES SECONDS\n");
		return 2;
	}
	rnd = !strcmp(argv[2], "rand");
	bs = atol(argv[3]);
	seconds = atol(argv[4]);
	fd = open(argv[1], O_RDONLY | O_DIRECT);
	if (fd < 0 || bs < 512 || bs % 512 || seconds < 1) {
		perror(argv[1]);
		return 1;
	}
	size = lseek(fd, 0, SEEK_END);
	blocks = size > 0 ? (uint64_t)size / (uint64_t)bs : 0;
	if (!blocks || posix_memalign(&buf, 4096, (size_t)bs)) {
		fprintf(stderr, "ioread: %s is smaller than one block\n", argv[1]);
		return 1;
	}
	start = now_usec();
	end = start + (uint64_t)seconds * 1000000;
	do {
		off = rnd ? next_random(&seed) % blocks : ios % blocks;
		if (pread(fd, buf, (size_t)bs, (off_t)(off * (uint64_t)bs)) != bs) {
			perror("ioread: pread");
			return 1;
		}
		bytes += (uint64_t)bs;
		ios++;
	} while (now_usec() < end);
	printf("ioread: bytes=%llu ios=%llu usec=%llu\n", (unsigned long long)bytes,
	       (unsigned long long)ios, (unsigned long long)(now_usec() - start));
	free(buf);
	close(fd);
	return 0;
}
