/* blk_disk.h - opening the file behind a virtio-blk disk. */
#ifndef BERTH_VMM_VIRTIO_BLK_DISK_H
#define BERTH_VMM_VIRTIO_BLK_DISK_H

#include <stdint.h>

#include "common/error.h"
#include "vmm/config.h"

/* Open cfg->path (a regular file or block device, read-only if cfg->readonly) and lock it
 * against other writers; its fd and its size in bytes (a whole number of sectors). */
int vblk_disk_open(const struct disk_config *cfg, int *fd, uint64_t *bytes,
		   struct berth_error *err);

/* The size in bytes of the regular file or block device open at fd (name is for messages):
 * what the disk holds now, read again when it grows while the VM runs. */
int vblk_disk_size(int fd, const char *name, uint64_t *bytes, struct berth_error *err);

#endif
