/* rfb.h - the client side of RFB 3.8 (RFC 6143) as a VNC client sends it: parsed one
 * message at a time from whatever bytes have arrived.
 *
 * Everything here comes from a stranger on the socket: a message is handed on only when all
 * of its fixed part has arrived; the variable parts are never buffered: SetEncodings' list
 * is handed on in chunks of at most RFB_ENCODINGS_CHUNK, ClientCutText's text is skipped
 * byte by byte (any length up to 4 GiB, none of it kept). An unknown message type or
 * protocol version ends the connection with a reason. tests/fuzz/vmm/fuzz_rfb.c drives it. */
#ifndef BERTH_VMM_VNC_RFB_H
#define BERTH_VMM_VNC_RFB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define RFB_VERSION_38	    "RFB 003.008\n"
#define RFB_VERSION_LEN	    12
#define RFB_SECURITY_NONE   1
#define RFB_ENCODINGS_CHUNK 32

/* Encodings and pseudo-encodings. */
#define RFB_ENC_RAW	     0
#define RFB_ENC_COPYRECT     1
#define RFB_ENC_ZLIB	     6
#define RFB_ENC_DESKTOP_SIZE (-223)
#define RFB_ENC_QEMU_EXT_KEY (-258)

enum rfb_phase {
	RFB_PHASE_VERSION,  /* the client's "RFB 003.008\n" */
	RFB_PHASE_SECURITY, /* its choice of security type */
	RFB_PHASE_INIT,	    /* ClientInit (the shared flag) */
	RFB_PHASE_NORMAL,   /* messages */
};

enum rfb_msg_type {
	RFB_MSG_NONE,	      /* bytes consumed (skipped cut text), nothing to do */
	RFB_MSG_VERSION,      /* the client speaks 3.8 */
	RFB_MSG_SECURITY,     /* it chose None */
	RFB_MSG_CLIENT_INIT,  /* it is ready for ServerInit */
	RFB_MSG_PIXEL_FORMAT, /* SetPixelFormat */
	RFB_MSG_ENCODINGS,    /* SetEncodings: a chunk of the list */
	RFB_MSG_UPDATE,	      /* FramebufferUpdateRequest */
	RFB_MSG_KEY,	      /* KeyEvent, or QEMU's extended key event (with a keycode) */
	RFB_MSG_POINTER,      /* PointerEvent */
	RFB_MSG_CUT_TEXT,     /* ClientCutText's header; its text is being skipped */
};

struct rfb_pixel_format {
	uint8_t bpp, depth;
	bool big_endian, true_colour;
	uint16_t red_max, green_max, blue_max;
	uint8_t red_shift, green_shift, blue_shift;
};

struct rfb_msg {
	enum rfb_msg_type type;
	union {
		struct rfb_pixel_format pf;
		struct {
			bool first; /* the first chunk of a list: it replaces the client's set */
			unsigned n;
			int32_t enc[RFB_ENCODINGS_CHUNK];
		} enc;
		struct {
			bool incremental;
			uint16_t x, y, w, h;
		} update;
		struct {
			bool down;
			uint32_t keysym;
			uint32_t keycode; /* QEMU's extended key event: XT (0x80|code for E0 keys);
					     0: none */
		} key;
		struct {
			uint8_t buttons;
			uint16_t x, y;
		} pointer;
		uint32_t cut_len;
	};
};

struct rfb_parser {
	enum rfb_phase phase;
	uint32_t skip;	   /* bytes of cut text still to discard */
	uint32_t enc_left; /* encodings of a SetEncodings still to come */
	bool enc_first;
};

/* Start at the version handshake. */
void rfb_parser_init(struct rfb_parser *p);

/* Parse the next message from buf[0, len): the bytes it took (0: it needs more input), with
 * *m filled; -1 and *why when the client broke the protocol (close the connection). */
ssize_t rfb_parse(struct rfb_parser *p, const uint8_t *buf, size_t len, struct rfb_msg *m,
		  const char **why);

#endif
