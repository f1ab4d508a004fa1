/* ct_disk.h - a container's own disk, as OpenVZ's ploop: an ext4 file system in a sparse
 * file (servers/NAME/disk.ext4) of the server's reserved size, loop-mounted on its rootfs
 * while it runs. A tenant fills its own disk, never the host's. */
#ifndef BERTH_DAEMON_CT_DISK_H
#define BERTH_DAEMON_CT_DISK_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

/* Make file, a new sparse file of size bytes holding an empty ext4 file system (mkfs.ext4,
 * its messages appended to log). */
int ct_disk_make(const char *file, uint64_t size, const char *log, struct berth_error *err);

/* Mount the file system in file on dir (nodev) through a free loop device that goes away
 * with the mount. Whatever is mounted on dir already is unmounted first; a file some loop
 * device still uses (mounted elsewhere) is refused: two mounts would corrupt it. */
/* With idmap (not 0) the mount is idmapped (idmap_mount.h): the disk's ids 0..65535 appear
 * as the host's idmap..; IDMAP_UNSUPPORTED when the kernel cannot, and nothing is mounted. */
int ct_disk_mount(const char *file, const char *dir, uint32_t idmap, struct berth_error *err);

/* Wait up to ms for the loop device file is bound to to go (an autoclear runs in a kernel
 * work item after the last unmount returns); true when none is left. */
bool ct_disk_wait_free(const char *file, int ms);

/* Grow file to size bytes, and its file system with it (messages appended to log): when
 * not mounted, e2fsck -fp and resize2fs on the file; when mounted through a loop device
 * (its container runs), LOOP_SET_CAPACITY and resize2fs online on the device. Nothing to do
 * when its file system has that size already; smaller is refused. */
int ct_disk_grow(const char *file, uint64_t size, const char *log, struct berth_error *err);

#endif
