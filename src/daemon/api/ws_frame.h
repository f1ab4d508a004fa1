/* ws_frame.h - RFC 6455 WebSocket framing for berthd's console routes: a client's frame parsed
 * (and unmasked in place) from the bytes read so far, a server frame's header written, and
 * the handshake's Sec-WebSocket-Accept value. A client is a stranger: every frame it sends
 * must be masked, its payload is bounded by the caller's limit, control frames are at most
 * 125 bytes and never fragmented, reserved bits and opcodes are refused. */
#ifndef BERTH_DAEMON_WS_FRAME_H
#define BERTH_DAEMON_WS_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest header: 2 bytes, 8 of extended length, 4 of mask. */
#define WS_HEADER_MAX 14
/* A control frame's longest payload (RFC 6455 5.5). */
#define WS_CONTROL_MAX 125
/* Sec-WebSocket-Accept: base64 of a SHA-1, 28 characters. */
#define WS_ACCEPT_LEN 28

enum ws_opcode {
	WS_CONTINUATION = 0x0,
	WS_TEXT = 0x1,
	WS_BINARY = 0x2,
	WS_CLOSE = 0x8,
	WS_PING = 0x9,
	WS_PONG = 0xa,
};

/* Close status codes berthd sends (RFC 6455 7.4.1). */
enum ws_status {
	WS_STATUS_NORMAL = 1000,
	WS_STATUS_PROTOCOL = 1002,
	WS_STATUS_TOO_BIG = 1009,
};

/* One parsed client frame: payload points into the caller's buffer, already unmasked. */
struct ws_frame {
	bool fin;
	enum ws_opcode opcode;
	uint8_t *payload;
	size_t len;
};

/* Parses the frame at the start of buf[0..n): returns the bytes it takes (header and payload)
 * with *f filled and its payload unmasked in place, 0 when more bytes are needed, or -1 when
 * the client broke the protocol, with *status the close code to send (WS_STATUS_PROTOCOL, or
 * WS_STATUS_TOO_BIG when the payload would pass max_payload). */
long ws_frame_parse(uint8_t *buf, size_t n, size_t max_payload, struct ws_frame *f,
		    enum ws_status *status);

/* Writes the header of an unmasked, final server frame of len payload bytes into out
 * (at least WS_HEADER_MAX bytes); returns its length. */
size_t ws_frame_header(uint8_t *out, enum ws_opcode opcode, uint64_t len);

/* The Sec-WebSocket-Accept value for a client's Sec-WebSocket-Key into out (WS_ACCEPT_LEN
 * characters and a NUL); false when the key is not base64 of 16 bytes. */
bool ws_accept_key(const char *key, char out[WS_ACCEPT_LEN + 1]);

/* The first value of a Sec-WebSocket-Protocol list (comma- and space-separated) that is
 * want_len bytes long and starts with prefix, copied into out (want_len + 1 bytes); false
 * when there is none. A browser cannot set Authorization: it offers its token this way. */
bool ws_protocol_find(const char *list, const char *prefix, size_t want_len, char *out);

#endif
