/* tar.h - extracting a rootfs tarball with GNU tar, run as a child process. */
#ifndef BERTH_DAEMON_TAR_H
#define BERTH_DAEMON_TAR_H

#include "common/error.h"
#include "daemon/servers/driver.h"

/* Check that the regular file fd (named path) is a tar archive, plain or compressed with
 * gzip, bzip2, xz or zstd; *flag gets tar's option for the compression ("" when plain). */
int tar_detect(int fd, const char *path, const char **flag, struct berth_error *err);

/* Extract tarball into the existing empty directory dir with owners (numeric), modes and
 * xattrs kept. GNU tar refuses members with ".." and never writes through a symlink the
 * archive made; any error of tar fails the whole extraction with tar's own words. progress
 * counts the archive's bytes read. */
int tar_extract(const char *tarball, const char *dir, progress_fn progress, void *ctx,
		struct berth_error *err);

#endif
