/* input.h - virtio-input (virtio 1.x, 5.8) as a tablet: the absolute pointer that VNC
 * clients drive, so that a click lands where it points. Present with --display. */
#ifndef BERTH_VMM_VIRTIO_INPUT_H
#define BERTH_VMM_VIRTIO_INPUT_H

#include <stdint.h>

#include "common/error.h"
#include "vmm/virtio/device.h"

#define VIRTIO_INPUT_EVENTQ  0 /* device to driver: one event per buffer */
#define VIRTIO_INPUT_STATUSQ 1 /* driver to device: LEDs and the like, which a tablet drops */

/* Create the tablet. */
int virtio_input_tablet_create(struct virtio_dev **out, const struct guest_mem *gm,
			       struct loop *loop, struct berth_error *err);

/* The pointer is at pixel x, y of a width x height screen with RFB button mask buttons:
 * queue the events that say so and hand the guest what it has buffers for. On the event
 * loop's thread (where the VNC server runs); takes d->lock. */
void virtio_input_pointer(struct virtio_dev *d, uint32_t x, uint32_t y, uint32_t width,
			  uint32_t height, uint8_t buttons);

#endif
