/* input_events.c - VNC pointer events as Linux input events, and their ring (see
 * input_events.h). */
#include "input_events.h"

#include <stddef.h>

#include "vmm/virtio/input_config.h"

uint16_t vinput_scale(uint32_t pos, uint32_t size)
{
	if (size == 0)
		return 0;
	if (pos >= size)
		pos = size - 1;
	/* (pos + 1/2) / size of the axis's VINPUT_ABS_MAX + 1 steps; below it for any pos. */
	return (uint16_t)(((uint64_t)pos * 2 + 1) * (VINPUT_ABS_MAX + 1) / ((uint64_t)size * 2));
}

static unsigned put(struct vinput_event *out, unsigned n, uint16_t type, uint16_t code,
		    uint32_t value)
{
	out[n] = (struct vinput_event){ type, code, value };
	return n + 1;
}

unsigned vinput_tablet_encode(struct vinput_tablet *t, uint16_t x, uint16_t y, uint8_t buttons,
			      struct vinput_event out[VINPUT_PACKET_MAX])
{
	static const struct {
		uint8_t rfb;
		uint16_t code;
	} keys[] = {
		{ VINPUT_RFB_LEFT, VINPUT_BTN_LEFT },
		{ VINPUT_RFB_MIDDLE, VINPUT_BTN_MIDDLE },
		{ VINPUT_RFB_RIGHT, VINPUT_BTN_RIGHT },
	};
	uint8_t pressed = (uint8_t)(buttons & ~(t->known ? t->buttons : 0));
	unsigned n = 0;

	if (!t->known || x != t->x)
		n = put(out, n, VINPUT_EV_ABS, VINPUT_ABS_X, x);
	if (!t->known || y != t->y)
		n = put(out, n, VINPUT_EV_ABS, VINPUT_ABS_Y, y);
	for (unsigned i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!t->known || ((buttons ^ t->buttons) & keys[i].rfb))
			n = put(out, n, VINPUT_EV_KEY, keys[i].code, !!(buttons & keys[i].rfb));
	/* A wheel "button" is a step when pressed; its release says nothing. */
	if ((pressed & VINPUT_RFB_WHEEL_UP) && !(pressed & VINPUT_RFB_WHEEL_DOWN))
		n = put(out, n, VINPUT_EV_REL, VINPUT_REL_WHEEL, 1);
	else if ((pressed & VINPUT_RFB_WHEEL_DOWN) && !(pressed & VINPUT_RFB_WHEEL_UP))
		n = put(out, n, VINPUT_EV_REL, VINPUT_REL_WHEEL, (uint32_t)-1);
	*t = (struct vinput_tablet){ .known = true, .x = x, .y = y, .buttons = buttons };
	return n ? put(out, n, VINPUT_EV_SYN, VINPUT_SYN_REPORT, 0) : 0;
}

bool vinput_ring_make_room(struct vinput_ring *r, unsigned n)
{
	bool dropped = false;

	while (r->len && r->len + n > VINPUT_RING) {
		/* The oldest packet, up to and including its SYN_REPORT. */
		uint16_t type;

		do {
			type = vinput_ring_peek(r)->type;
			vinput_ring_pop(r);
		} while (r->len && type != VINPUT_EV_SYN);
		dropped = true;
	}
	return dropped;
}

void vinput_ring_put(struct vinput_ring *r, const struct vinput_event *ev, unsigned n)
{
	for (unsigned i = 0; i < n && r->len < VINPUT_RING; i++)
		r->ev[(r->head + r->len++) % VINPUT_RING] = ev[i];
}

const struct vinput_event *vinput_ring_peek(const struct vinput_ring *r)
{
	return r->len ? &r->ev[r->head] : NULL;
}

void vinput_ring_pop(struct vinput_ring *r)
{
	if (!r->len)
		return;
	r->head = (r->head + 1) % VINPUT_RING;
	r->len--;
}

void vinput_ring_clear(struct vinput_ring *r)
{
	r->head = r->len = 0;
}
