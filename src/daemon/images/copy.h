/* copy.h - copying images into servers without wasting disk: reflinks where the file
 * system has them, else sparse copies (holes stay holes). */
#ifndef BERTH_DAEMON_COPY_H
#define BERTH_DAEMON_COPY_H

#include <stdint.h>

#include "common/error.h"
#include "daemon/servers/driver.h"

/* Copy file src to new file dst (mode 0600); reflink, else sparse; then grow dst to
 * min_size if it is smaller. progress may be NULL. */
int copy_file(const char *src, const char *dst, uint64_t min_size, progress_fn progress, void *ctx,
	      struct berth_error *err);

/* Copy directory tree src to new directory dst with owners, modes, times, xattrs, devices,
 * symlinks and hard links within the tree preserved; each file reflinked where possible.
 * progress may be NULL. */
int copy_tree(const char *src, const char *dst, progress_fn progress, void *ctx,
	      struct berth_error *err);

/* copy_tree into dst, an existing empty directory (the root of a fresh file system), which
 * gets src's owner, mode, xattrs and times; on failure dst stays, with what was copied. */
int copy_tree_into(const char *src, const char *dst, progress_fn progress, void *ctx,
		   struct berth_error *err);

/* Remove a tree (no following of symlinks, stays on one file system); ENOENT is success. */
int remove_tree(const char *path, struct berth_error *err);

/* Bytes a tree or file takes on disk (allocated blocks). */
uint64_t tree_disk_usage(const char *path);

#endif
