/* upload.h - an image built from an archive that arrives piece by piece (the body of an
 * upload request, read by the client with its own rights): GNU tar extracts it into
 * images/NAME.tmp while the disk it takes is watched, and it is renamed to images/NAME
 * only when whole, checked and within its bounds. Whatever fails leaves nothing. */
#ifndef BERTH_DAEMON_UPLOAD_H
#define BERTH_DAEMON_UPLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "daemon/servers/driver.h"
#include "daemon/servers/server.h"

/* How much disk an upload may take. */
struct upload_bound {
	uint64_t max_size; /* the image's own limit (berthd.conf image_max_size) */
	uint64_t may_take; /* the disk the ledger can still give (ledger_disk_free()) */
};

struct image_upload;

/* Start image name of kind under state_dir (refused with ENOSPC when the ledger has no
 * disk left to give: b->may_take 0). */
int upload_open(struct image_upload **out, const char *state_dir, const char *name,
		enum server_kind kind, const struct upload_bound *b, struct berth_error *err);

/* Of the next len bytes of the archive, take what tar's socket takes now, never blocking:
 * the bytes taken, 0 when none can be (wait for *wait_fd to be writable). Fails (-1) as
 * soon as the files would take more than the bound allows (EFBIG: over max_size; ENOSPC:
 * over may_take) or tar refuses the archive. */
ssize_t upload_write(struct image_upload *u, const void *buf, size_t len, int *wait_fd,
		     struct berth_error *err);

/* The archive is whole: finish extracting and check the image (a ct rootfs boots, a vm image
 * is a bzImage kernel and optional initrd and disk.img, or disk.img alone, nothing else;
 * cmdline: the image has a kernel command line, which needs a kernel; a qcow2 disk.img passes
 * qemu-img's judge). *boot gets how a vm image boots (BOOT_NONE for ct), *convert whether
 * upload_commit has a qcow2 to convert (long work: an operation's). */
int upload_check(struct image_upload *u, bool cmdline, enum server_boot *boot, bool *convert,
		 struct berth_error *err);

/* After upload_check: make a qcow2 disk raw (progress: the conversion's), check the size, and
 * rename the image into place; *size gets the bytes it takes on disk. */
int upload_commit(struct image_upload *u, progress_fn progress, void *ctx, uint64_t *size,
		  struct berth_error *err);

/* Stop tar, remove the files unless upload_commit succeeded, free u (NULL is fine). */
void upload_free(struct image_upload *u);

#endif
