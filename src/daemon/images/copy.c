/* copy.c - copying a file without wasting disk: FICLONE shares the blocks on file systems
 * with reflinks (btrfs, xfs); elsewhere only the data ranges SEEK_DATA/SEEK_HOLE find are
 * copied (copy_file_range, or read/write across file systems), so a sparse disk image
 * stays sparse. */
#include "daemon/images/copy.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "daemon/images/copy_data.h"

#define COPY_CHUNK (8u << 20) /* bytes per call: progress and cancellation granularity */

void copy_progress_init(struct copy_progress *p, uint64_t total, progress_fn fn, void *ctx)
{
	*p = (struct copy_progress){ .fn = fn, .ctx = ctx, .total = total, .last = -1 };
}

void copy_progress_add(struct copy_progress *p, uint64_t bytes)
{
	int pct;

	p->done += bytes;
	if (!p->fn)
		return;
	pct = p->done >= p->total ? 100 : (int)((double)p->done * 100 / (double)p->total);
	if (pct != p->last) {
		p->last = pct;
		p->fn(p->ctx, pct);
	}
}

/* Copy up to len bytes at off with pread/pwrite: copy_file_range's fallback. */
static ssize_t copy_rw(int sfd, int dfd, off_t off, size_t len)
{
	static const size_t bufsize = 1u << 20;
	_cleanup_free_ char *buf = malloc(bufsize);
	ssize_t n, w, done;

	if (!buf) {
		errno = ENOMEM;
		return -1;
	}
	n = pread(sfd, buf, len < bufsize ? len : bufsize, off);
	if (n <= 0)
		return n;
	for (done = 0; done < n; done += w) {
		w = pwrite(dfd, buf + done, n - done, off + done);
		if (w < 0)
			return -1;
	}
	return n;
}

/* Copy bytes [start, end) of sfd to the same offsets of dfd. */
static int copy_range(int sfd, int dfd, off_t start, off_t end, bool *use_rw, const char *src,
		      struct copy_progress *p, struct berth_error *err)
{
	off_t off = start;

	while (off < end) {
		size_t len = end - off < COPY_CHUNK ? (size_t)(end - off) : COPY_CHUNK;
		off_t in = off, out = off;
		ssize_t n = -1;

		if (!*use_rw) {
			n = copy_file_range(sfd, &in, dfd, &out, len, 0);
			/* Not across these two file systems (or kernels): copy by hand. */
			if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
				      errno == EOPNOTSUPP))
				*use_rw = true;
		}
		if (*use_rw)
			n = copy_rw(sfd, dfd, off, len);
		if (n < 0)
			return berr(err, errno, "cannot copy %s", src);
		if (n == 0) /* the source shrank under us: the rest is a hole */
			break;
		off += n;
		copy_progress_add(p, n);
	}
	return 0;
}

int copy_data(int sfd, int dfd, uint64_t size, const char *src, struct copy_progress *p,
	      struct berth_error *err)
{
	off_t off = 0, data, hole, end = (off_t)size;
	bool use_rw = false;

	/* Any failure to clone (no reflinks here, another file system) means: copy instead. */
	if (ioctl(dfd, FICLONE, sfd) == 0) {
		copy_progress_add(p, size);
		return 0;
	}
	while (off < end) {
		data = lseek(sfd, off, SEEK_DATA);
		if (data < 0 && errno == ENXIO) /* only a hole is left */
			break;
		if (data < 0 && errno != EINVAL)
			return berr(err, errno, "cannot read %s", src);
		if (data < 0) { /* no SEEK_DATA here: everything is data */
			data = off;
			hole = end;
		} else {
			hole = lseek(sfd, data, SEEK_HOLE);
			if (hole < 0)
				return berr(err, errno, "cannot read %s", src);
		}
		if (data > end)
			data = end;
		if (hole > end)
			hole = end;
		copy_progress_add(p, data - off);
		if (copy_range(sfd, dfd, data, hole, &use_rw, src, p, err))
			return -1;
		off = hole;
	}
	copy_progress_add(p, end - off);
	if (ftruncate(dfd, end) < 0)
		return berr(err, errno, "cannot size the copy of %s", src);
	return 0;
}

int copy_file(const char *src, const char *dst, uint64_t min_size, progress_fn progress, void *ctx,
	      struct berth_error *err)
{
	_cleanup_close_ int sfd = -1, dfd = -1;
	struct copy_progress p;
	struct stat st;

	sfd = open(src, O_RDONLY | O_CLOEXEC);
	if (sfd < 0)
		return berr(err, errno, "cannot open %s", src);
	if (fstat(sfd, &st) < 0)
		return berr(err, errno, "cannot stat %s", src);
	if (!S_ISREG(st.st_mode))
		return berr(err, 0, "%s is not a regular file", src);
	dfd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (dfd < 0)
		return berr(err, errno, "cannot create %s", dst);
	copy_progress_init(&p, st.st_size, progress, ctx);
	if (fchmod(dfd, 0600) < 0) {
		berr(err, errno, "cannot set the mode of %s", dst);
		goto fail;
	}
	if (copy_data(sfd, dfd, st.st_size, src, &p, err))
		goto fail;
	if (min_size > INT64_MAX) {
		berr(err, EFBIG, "cannot grow %s to %llu bytes", dst, (unsigned long long)min_size);
		goto fail;
	}
	if (min_size > (uint64_t)st.st_size && ftruncate(dfd, (off_t)min_size) < 0) {
		berr(err, errno, "cannot grow %s to %llu bytes", dst, (unsigned long long)min_size);
		goto fail;
	}
	return 0;
fail:
	unlink(dst);
	return -1;
}
