/* atomic_file.c - a small file written whole or not at all (see atomic_file.h). */
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

int atomic_file_write(const char *path, const void *data, size_t len, mode_t mode,
		      struct berth_error *err)
{
	char tmp[PATH_MAX];
	int fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return berr(err, ENAMETOOLONG, "%s", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return berr(err, errno, "cannot write %s", tmp);
	if (write(fd, data, len) != (ssize_t)len || fsync(fd) < 0) {
		berr(err, errno ? errno : EIO, "cannot write %s", tmp);
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		return berr(err, errno, "cannot write %s", path);
	}
	return 0;
}
