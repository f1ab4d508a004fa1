/* rfb.c - parsing what a VNC client sends (see rfb.h). */
#include "rfb.h"

#include <string.h>

#define RFB_SET_PIXEL_FORMAT 0
#define RFB_SET_ENCODINGS    2
#define RFB_UPDATE_REQUEST   3
#define RFB_KEY_EVENT	     4
#define RFB_POINTER_EVENT    5
#define RFB_CUT_TEXT	     6
#define RFB_QEMU	     255
#define RFB_QEMU_EXT_KEY     0

void rfb_parser_init(struct rfb_parser *p)
{
	memset(p, 0, sizeof(*p));
}

static uint16_t get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t get32(const uint8_t *b)
{
	return (uint32_t)get16(b) << 16 | get16(b + 2);
}

/* The next chunk of a SetEncodings list. */
static ssize_t rfb_encodings(struct rfb_parser *p, const uint8_t *buf, size_t len,
			     struct rfb_msg *m)
{
	unsigned n = p->enc_left < RFB_ENCODINGS_CHUNK ? p->enc_left : RFB_ENCODINGS_CHUNK, i;

	if (len / 4 < n)
		n = (unsigned)(len / 4);
	if (n == 0)
		return 0;
	m->type = RFB_MSG_ENCODINGS;
	m->enc.first = p->enc_first;
	m->enc.n = n;
	for (i = 0; i < n; i++)
		m->enc.enc[i] = (int32_t)get32(buf + 4 * i);
	p->enc_first = false;
	p->enc_left -= n;
	return 4 * (ssize_t)n;
}

static ssize_t rfb_message(struct rfb_parser *p, const uint8_t *buf, size_t len, struct rfb_msg *m,
			   const char **why)
{
	switch (buf[0]) {
	case RFB_SET_PIXEL_FORMAT:
		if (len < 20)
			return 0;
		m->type = RFB_MSG_PIXEL_FORMAT;
		m->pf = (struct rfb_pixel_format){
			.bpp = buf[4],
			.depth = buf[5],
			.big_endian = buf[6] != 0,
			.true_colour = buf[7] != 0,
			.red_max = get16(buf + 8),
			.green_max = get16(buf + 10),
			.blue_max = get16(buf + 12),
			.red_shift = buf[14],
			.green_shift = buf[15],
			.blue_shift = buf[16],
		};
		return 20;
	case RFB_SET_ENCODINGS:
		if (len < 4)
			return 0;
		p->enc_left = get16(buf + 2);
		p->enc_first = true;
		m->type = RFB_MSG_ENCODINGS; /* an empty first chunk: the list is replaced */
		m->enc.first = true;
		m->enc.n = 0;
		return 4;
	case RFB_UPDATE_REQUEST:
		if (len < 10)
			return 0;
		m->type = RFB_MSG_UPDATE;
		m->update.incremental = buf[1] != 0;
		m->update.x = get16(buf + 2);
		m->update.y = get16(buf + 4);
		m->update.w = get16(buf + 6);
		m->update.h = get16(buf + 8);
		return 10;
	case RFB_KEY_EVENT:
		if (len < 8)
			return 0;
		m->type = RFB_MSG_KEY;
		m->key.down = buf[1] != 0;
		m->key.keysym = get32(buf + 4);
		m->key.keycode = 0;
		return 8;
	case RFB_POINTER_EVENT:
		if (len < 6)
			return 0;
		m->type = RFB_MSG_POINTER;
		m->pointer.buttons = buf[1];
		m->pointer.x = get16(buf + 2);
		m->pointer.y = get16(buf + 4);
		return 6;
	case RFB_CUT_TEXT:
		if (len < 8)
			return 0;
		m->type = RFB_MSG_CUT_TEXT;
		m->cut_len = get32(buf + 4);
		p->skip = m->cut_len;
		return 8;
	case RFB_QEMU:
		if (len < 2)
			return 0;
		if (buf[1] != RFB_QEMU_EXT_KEY) {
			*why = "unknown QEMU client message";
			return -1;
		}
		if (len < 12)
			return 0;
		m->type = RFB_MSG_KEY;
		m->key.down = get16(buf + 2) != 0;
		m->key.keysym = get32(buf + 4);
		m->key.keycode = get32(buf + 8);
		return 12;
	default:
		*why = "unknown client message type";
		return -1;
	}
}

ssize_t rfb_parse(struct rfb_parser *p, const uint8_t *buf, size_t len, struct rfb_msg *m,
		  const char **why)
{
	memset(m, 0, sizeof(*m));
	m->type = RFB_MSG_NONE;
	if (len == 0)
		return 0;
	if (p->skip) { /* cut text: discarded as it arrives */
		size_t n = len < p->skip ? len : p->skip;

		p->skip -= (uint32_t)n;
		return (ssize_t)n;
	}
	if (p->enc_left)
		return rfb_encodings(p, buf, len, m);
	switch (p->phase) {
	case RFB_PHASE_VERSION:
		if (len < RFB_VERSION_LEN)
			return 0;
		if (memcmp(buf, RFB_VERSION_38, RFB_VERSION_LEN)) {
			*why = "only RFB 3.8 is spoken here";
			return -1;
		}
		p->phase = RFB_PHASE_SECURITY;
		m->type = RFB_MSG_VERSION;
		return RFB_VERSION_LEN;
	case RFB_PHASE_SECURITY:
		if (buf[0] != RFB_SECURITY_NONE) {
			*why = "security type not offered (None is the only one)";
			return -1;
		}
		p->phase = RFB_PHASE_INIT;
		m->type = RFB_MSG_SECURITY;
		return 1;
	case RFB_PHASE_INIT:
		p->phase = RFB_PHASE_NORMAL;
		m->type = RFB_MSG_CLIENT_INIT;
		return 1;
	default:
		return rfb_message(p, buf, len, m, why);
	}
}
