/* qemu_img.h - a customer's qcow2 disk made a raw one at import: judged first by qemu-img info
 * and check (qemu_img_json.c), then converted by qemu-img convert, which never follows a
 * backing file. qemu-img runs as berthd's child, bounded in time, its output in size. */
#ifndef BERTH_DAEMON_QEMU_IMG_H
#define BERTH_DAEMON_QEMU_IMG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "daemon/images/tar.h"
#include "daemon/servers/driver.h"

/* Does a disk that starts with head (len bytes) hold a qcow2 (its magic "QFI\xfb")? */
bool qcow2_magic(const void *head, size_t len);

/* Is the file path a qcow2 (by its first bytes)? Fails when it cannot be read. */
int qcow2_file(const char *path, bool *is_qcow2, struct berth_error *err);

/* Judge the qcow2 path (what names it in messages) with qemu-img info and check: no backing
 * file, no external data file, no encryption, not truncated or corrupt, and a virtual size of
 * at most max_size (EFBIG beyond; limit names that bound in the message). *virtual_size gets
 * the size. qemu-img reads nothing but path. */
int qemu_img_judge(const char *path, const char *what, uint64_t max_size, const char *limit,
		   uint64_t *virtual_size, struct berth_error *err);

/* Convert the judged qcow2 src into the new sparse raw file dst (virtual_size bytes), with
 * progress from qemu-img's own (-p) and watch (may be NULL) called every 50 ms: non-zero stops
 * it. On failure dst is removed. */
int qemu_img_convert(const char *src, const char *dst, const char *what, uint64_t virtual_size,
		     progress_fn progress, void *ctx, tar_watch_fn watch, void *wctx,
		     struct berth_error *err);

#endif
