/* boot_file.c - the files a guest boots from, read whole (see boot_file.h). */
#include "boot_file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int boot_file_open(struct boot_file *f, const char *path, const char *what, struct berth_error *err)
{
	struct stat st;

	*f = (struct boot_file){ .fd = open(path, O_RDONLY | O_CLOEXEC),
				 .what = what,
				 .path = path };
	if (f->fd < 0)
		return berr(err, errno, "cannot open %s '%s'", what, path);
	if (fstat(f->fd, &st) < 0) {
		berr(err, errno, "cannot stat %s '%s'", what, path);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		berr(err, 0, "%s '%s' is not a regular file", what, path);
		goto fail;
	}
	if (st.st_size == 0) {
		berr(err, 0, "%s '%s' is empty", what, path);
		goto fail;
	}
	f->size = (uint64_t)st.st_size;
	return 0;
fail:
	boot_file_close(f);
	return -1;
}

int boot_file_read(const struct boot_file *f, uint64_t off, void *dst, size_t len,
		   struct berth_error *err)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = pread(f->fd, (char *)dst + got, len - got, (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return berr(err, errno, "cannot read %s '%s'", f->what, f->path);
		if (n == 0)
			return berr(err, 0,
				    "%s '%s' ended at %llu bytes: it changed while being read",
				    f->what, f->path, (unsigned long long)(off + got));
		got += (size_t)n;
	}
	return 0;
}

void boot_file_close(struct boot_file *f)
{
	if (f->path && f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}
