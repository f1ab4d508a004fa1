/* blk.h - virtio-blk (virtio 1.x, 5.2): a disk image file or block device as a guest disk.
 *
 * One request queue; requests are carried out with io_uring on the VMM's event loop, so
 * no guest I/O ever blocks a vCPU or the loop. */
#ifndef BERTH_VMM_VIRTIO_BLK_H
#define BERTH_VMM_VIRTIO_BLK_H

#include "common/error.h"
#include "vmm/config.h"
#include "vmm/loop.h"
#include "vmm/memory.h"
#include "vmm/virtio/device.h"

/* Open the disk cfg describes (locked, size read once) as virtio-blk device number index. */
int virtio_blk_create(struct virtio_dev **out, const struct disk_config *cfg, unsigned index,
		      const struct guest_mem *gm, struct loop *loop, struct berth_error *err);

/* The disk behind blk device d grew: read its size again from the open fd (never a path) and,
 * when it is larger, show the guest the new capacity (config change interrupt). *old and
 * *now get the sizes in bytes before and after; a disk that shrank, or is not a whole
 * number of sectors, is refused and the guest's view stays as it was. */
int virtio_blk_grow(struct virtio_dev *d, uint64_t *old, uint64_t *now, struct berth_error *err);

#endif
