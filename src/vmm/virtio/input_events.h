/* input_events.h - what the tablet tells the guest: a VNC pointer position and button mask
 * turned into Linux input events, and the fixed ring they wait in for the guest's buffers.
 *
 * A VNC PointerEvent becomes one packet: ABS_X, ABS_Y and the buttons that changed, a
 * REL_WHEEL step for each wheel button pressed (RFB buttons 4 and 5), then SYN_REPORT. A
 * guest that does not read its events cannot make the ring grow: it holds VINPUT_RING
 * events, and room for a new packet is made by dropping the oldest packets whole. The
 * packet after a drop carries the whole state (position and every button), so a lost
 * release cannot leave a button held down; Linux ignores the values it already has. */
#ifndef BERTH_VMM_VIRTIO_INPUT_EVENTS_H
#define BERTH_VMM_VIRTIO_INPUT_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#define VINPUT_RING	  128 /* events waiting for the guest */
#define VINPUT_PACKET_MAX 7   /* ABS_X, ABS_Y, 3 buttons, the wheel, SYN_REPORT */

/* RFB's button mask (RFC 6143, 7.5.5). */
#define VINPUT_RFB_LEFT	      0x01
#define VINPUT_RFB_MIDDLE     0x02
#define VINPUT_RFB_RIGHT      0x04
#define VINPUT_RFB_WHEEL_UP   0x08
#define VINPUT_RFB_WHEEL_DOWN 0x10

/* One event in host order; struct virtio_input_event on the wire is the same, little-endian. */
struct vinput_event {
	uint16_t type, code;
	uint32_t value;
};

/* What the guest has been told. */
struct vinput_tablet {
	bool known; /* false: the next packet says everything (after a reset or a drop) */
	uint16_t x, y;
	uint8_t buttons; /* the RFB mask last encoded */
};

struct vinput_ring {
	struct vinput_event ev[VINPUT_RING];
	unsigned head, len;
};

/* Pixel pos of a screen size pixels across, on the 0..VINPUT_ABS_MAX axis: the middle of
 * the pixel's span, so a guest that scales back by value x size / (VINPUT_ABS_MAX + 1)
 * (libinput does) lands on that pixel. pos past the screen counts as its last pixel. */
uint16_t vinput_scale(uint32_t pos, uint32_t size);

/* The packet for the pointer at axis values x, y with RFB button mask buttons, after what t
 * says the guest knows (t is updated): its events in out, their count (0: nothing new). */
unsigned vinput_tablet_encode(struct vinput_tablet *t, uint16_t x, uint16_t y, uint8_t buttons,
			      struct vinput_event out[VINPUT_PACKET_MAX]);

/* Drop the oldest packets until n events fit (n <= VINPUT_RING); true if any were dropped. */
bool vinput_ring_make_room(struct vinput_ring *r, unsigned n);

/* Append n events, which must fit (vinput_ring_make_room). */
void vinput_ring_put(struct vinput_ring *r, const struct vinput_event *ev, unsigned n);

/* The oldest event, or NULL when the ring is empty. */
const struct vinput_event *vinput_ring_peek(const struct vinput_ring *r);

/* Remove the oldest event (the ring is not empty). */
void vinput_ring_pop(struct vinput_ring *r);

/* Forget every event (the device was reset). */
void vinput_ring_clear(struct vinput_ring *r);

#endif
