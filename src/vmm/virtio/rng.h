/* rng.h - virtio-rng: entropy for the guest's /dev/hwrng, from the host's getrandom(). */
#ifndef BERTH_VMM_VIRTIO_RNG_H
#define BERTH_VMM_VIRTIO_RNG_H

#include "common/error.h"
#include "vmm/virtio/device.h"

/* Create the entropy device. */
int virtio_rng_create(struct virtio_dev **out, const struct guest_mem *gm, struct loop *loop,
		      struct berth_error *err);

#endif
