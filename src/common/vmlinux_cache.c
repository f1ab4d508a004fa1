/* vmlinux_cache.c - extract a bzImage's PVH vmlinux once, named by the bzImage's sha256 (see
 * vmlinux_cache.h). */
#include "vmlinux_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/bzimage_header.h"
#include "common/kernel_payload.h"
#include "common/pvh_elf.h"

/* Open path as a regular file of 1 byte to VMLINUX_BZIMAGE_MAX; its size into *len. */
static int open_kernel(const char *path, size_t *len, struct berth_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return berr(err, errno, "cannot open kernel '%s'", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0 ||
	    (uint64_t)st.st_size > VMLINUX_BZIMAGE_MAX) {
		close(fd);
		return berr(err, 0, "kernel '%s' is not a regular file of 1 byte to %u MiB", path,
			    VMLINUX_BZIMAGE_MAX >> 20);
	}
	*len = (size_t)st.st_size;
	return fd;
}

/* Read len bytes at off of fd into buf; a file that ends early is an error. */
static int read_at(int fd, const char *path, uint8_t *buf, size_t len, size_t off,
		   struct berth_error *err)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = pread(fd, buf + got, len - got, (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return berr(err, n < 0 ? errno : 0, "cannot read kernel '%s'", path);
		got += (size_t)n;
	}
	return 0;
}

/* The whole kernel file fd (len bytes), or NULL. */
static uint8_t *read_whole(int fd, const char *path, size_t len, struct berth_error *err)
{
	uint8_t *buf = malloc(len);

	if (!buf) {
		berr(err, ENOMEM, "kernel '%s'", path);
		return NULL;
	}
	if (read_at(fd, path, buf, len, 0, err)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void hex_of(const uint8_t md[SHA256_DIGEST_SIZE], char hex[65])
{
	unsigned i;

	for (i = 0; i < SHA256_DIGEST_SIZE; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

/* Nettle, not libcrypto: linked statically into berth-vmm, libcrypto's initialisation and
 * relocations added 0.9 MiB to every VMM's RSS; nettle's sha256 is a few KiB with no set-up.
 * The file is hashed in chunks, so that a start that finds its vmlinux extracted does not
 * hold the whole bzImage in memory. */
static int sha256_file(int fd, const char *path, size_t len, char hex[65], struct berth_error *err)
{
	enum { CHUNK = 256 << 10 };
	uint8_t md[SHA256_DIGEST_SIZE], *chunk = malloc(CHUNK);
	struct sha256_ctx ctx;
	size_t off, n;

	if (!chunk)
		return berr(err, ENOMEM, "kernel '%s'", path);
	sha256_init(&ctx);
	for (off = 0; off < len; off += n) {
		n = len - off < CHUNK ? len - off : CHUNK;
		if (read_at(fd, path, chunk, n, off, err)) {
			free(chunk);
			return -1;
		}
		sha256_update(&ctx, n, chunk);
	}
	free(chunk);
	sha256_digest(&ctx, sizeof(md), md);
	hex_of(md, hex);
	return 0;
}

static void sha256_buf(const uint8_t *buf, size_t len, char hex[65])
{
	uint8_t md[SHA256_DIGEST_SIZE];
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, len, buf);
	sha256_digest(&ctx, sizeof(md), md);
	hex_of(md, hex);
}

static int read_mem(void *ctx, uint64_t off, void *dst, size_t len, struct berth_error *err)
{
	(void)err;
	memcpy(dst, (const uint8_t *)ctx + off, len); /* pvh_elf_parse checked off and len */
	return 0;
}

/* The vmlinux inside the bzImage in buf, checked to be a PVH ELF (caller frees *out). */
static int extract(const uint8_t *buf, size_t len, uint8_t **out, size_t *out_len,
		   struct berth_error *err)
{
	struct bzimage_header bh;
	struct pvh_elf pe;
	uint64_t start;

	if (bzimage_header_parse(buf, len, len, &bh, err))
		return -1;
	start = (uint64_t)bh.setup_len + bh.hdr.payload_offset;
	if (bh.hdr.payload_length == 0 || start > len || len - start < bh.hdr.payload_length)
		return berr(err, 0, "the bzImage's payload lies outside the file");
	if (kernel_payload_decompress(buf + start, bh.hdr.payload_length, KERNEL_PAYLOAD_MAX, out,
				      out_len, err))
		return -1;
	if (pvh_elf_parse(*out, *out_len, *out_len, read_mem, *out, &pe, err)) {
		free(*out);
		*out = NULL;
		return berr_wrap(err, "the bzImage's vmlinux cannot boot through PVH");
	}
	return 0;
}

/* Write len bytes to path through a temporary file in dir renamed over it. */
static int write_atomic(const char *dir, const char *path, const uint8_t *buf, size_t len,
			struct berth_error *err)
{
	char tmp[4096];
	size_t done = 0;
	ssize_t n;
	int fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.vmlinux-XXXXXX", dir) >= sizeof(tmp))
		return berr(err, 0, "directory path too long: '%s'", dir);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return berr(err, errno, "cannot write in '%s'", dir);
	while (done < len) {
		n = write(fd, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			berr(err, errno, "cannot write '%s'", tmp);
			goto fail;
		}
		done += (size_t)n;
	}
	if (fchmod(fd, 0644) < 0 || fsync(fd) < 0) {
		berr(err, errno, "cannot write '%s'", tmp);
		goto fail;
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		berr(err, errno, "cannot rename '%s' to '%s'", tmp, path);
		unlink(tmp);
		return -1;
	}
	return 0;
fail:
	close(fd);
	unlink(tmp);
	return -1;
}

/* Extract the vmlinux of the bzImage in buf (read from path) into dir/name. */
static int extract_to(const char *path, const uint8_t *buf, size_t len, const char *dir,
		      const char *name, struct berth_error *err)
{
	uint8_t *vmlinux = NULL;
	size_t vmlinux_len = 0;
	char out[4096];
	int rc;

	if ((size_t)snprintf(out, sizeof(out), "%s/%s", dir, name) >= sizeof(out))
		return berr(err, 0, "directory path too long: '%s'", dir);
	rc = extract(buf, len, &vmlinux, &vmlinux_len, err);
	if (rc == 0)
		rc = write_atomic(dir, out, vmlinux, vmlinux_len, err);
	free(vmlinux);
	if (rc)
		berr_wrap(err, "kernel '%s'", path);
	return rc;
}

int vmlinux_extract(const char *bzimage, const char *dir, const char *name, struct berth_error *err)
{
	size_t len = 0;
	uint8_t *buf;
	int fd, rc = -1;

	fd = open_kernel(bzimage, &len, err);
	if (fd < 0)
		return -1;
	buf = read_whole(fd, bzimage, len, err);
	if (buf)
		rc = extract_to(bzimage, buf, len, dir, name, err);
	free(buf);
	close(fd);
	return rc;
}

int vmlinux_cache(const char *bzimage, const char *dir, char *out, size_t out_size,
		  struct berth_error *err)
{
	char name[sizeof("vmlinux-") + 64] = "vmlinux-", again[65];
	uint8_t *buf = NULL;
	size_t len = 0;
	struct stat st;
	int fd, rc = -1;

	fd = open_kernel(bzimage, &len, err);
	if (fd < 0)
		return -1;
	if (sha256_file(fd, bzimage, len, name + 8, err))
		goto out;
	if ((size_t)snprintf(out, out_size, "%s/%s", dir, name) >= out_size) {
		berr(err, 0, "directory path too long: '%s'", dir);
		goto out;
	}
	if (stat(out, &st) == 0 && S_ISREG(st.st_mode)) {
		rc = 0; /* extracted before: written whole or not at all */
		goto out;
	}
	buf = read_whole(fd, bzimage, len, err);
	if (!buf)
		goto out;
	/* The name must be the hash of what is extracted, even if the file changed meanwhile. */
	sha256_buf(buf, len, again);
	if (strcmp(again, name + 8))
		berr(err, 0, "kernel '%s' changed while being read", bzimage);
	else
		rc = extract_to(bzimage, buf, len, dir, name, err);
out:
	free(buf);
	close(fd);
	return rc;
}
