/* ws_frame.c - RFC 6455 WebSocket framing (see ws_frame.h). Hand-written because the
 * framing is small and Debian's libraries that do it (libwebsockets) bring their own event
 * loop and server; berthd already has libmicrohttpd's upgrade for the handshake. */
#include "daemon/api/ws_frame.h"

#include <openssl/evp.h>
#include <string.h>

#define WS_GUID	   "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define WS_KEY_LEN 24 /* base64 of 16 bytes */

static bool opcode_known(unsigned op)
{
	return op == WS_CONTINUATION || op == WS_TEXT || op == WS_BINARY || op == WS_CLOSE ||
	       op == WS_PING || op == WS_PONG;
}

long ws_frame_parse(uint8_t *buf, size_t n, size_t max_payload, struct ws_frame *f,
		    enum ws_status *status)
{
	size_t hdr = 2, i;
	uint64_t len;
	const uint8_t *mask;
	unsigned op;

	*status = WS_STATUS_PROTOCOL;
	if (n < 2)
		return 0;
	op = buf[0] & 0x0f;
	if ((buf[0] & 0x70) || !opcode_known(op) || !(buf[1] & 0x80))
		return -1; /* reserved bits without an extension, unknown opcode, unmasked */
	len = buf[1] & 0x7f;
	if (len == 126) {
		if (n < 4)
			return 0;
		len = (uint64_t)buf[2] << 8 | buf[3];
		hdr = 4;
	} else if (len == 127) {
		if (n < 10)
			return 0;
		if (buf[2] & 0x80)
			return -1; /* the most significant bit must be 0 */
		len = 0;
		for (i = 2; i < 10; i++)
			len = len << 8 | buf[i];
		hdr = 10;
	}
	if (op & 0x8 && (len > WS_CONTROL_MAX || !(buf[0] & 0x80)))
		return -1;
	if (len > max_payload) {
		*status = WS_STATUS_TOO_BIG;
		return -1;
	}
	if (n < hdr + 4 || n - hdr - 4 < len)
		return 0;
	mask = buf + hdr;
	hdr += 4;
	for (i = 0; i < len; i++)
		buf[hdr + i] ^= mask[i & 3];
	f->fin = buf[0] & 0x80;
	f->opcode = op;
	f->payload = buf + hdr;
	f->len = len;
	return (long)(hdr + len);
}

size_t ws_frame_header(uint8_t *out, enum ws_opcode opcode, uint64_t len)
{
	size_t i;

	out[0] = 0x80 | (opcode & 0x0f);
	if (len < 126) {
		out[1] = len;
		return 2;
	}
	if (len <= 0xffff) {
		out[1] = 126;
		out[2] = len >> 8;
		out[3] = len & 0xff;
		return 4;
	}
	out[1] = 127;
	for (i = 0; i < 8; i++)
		out[2 + i] = len >> (56 - 8 * i);
	return 10;
}

bool ws_protocol_find(const char *list, const char *prefix, size_t want_len, char *out)
{
	size_t n, plen = strlen(prefix);
	const char *at;

	for (at = list; *at; at += n) {
		at += strspn(at, ", ");
		n = strcspn(at, ", ");
		if (n == want_len && n >= plen && !strncmp(at, prefix, plen)) {
			memcpy(out, at, n);
			out[n] = '\0';
			return true;
		}
	}
	return false;
}

bool ws_accept_key(const char *key, char out[WS_ACCEPT_LEN + 1])
{
	unsigned char raw[WS_KEY_LEN], digest[EVP_MAX_MD_SIZE];
	char cat[WS_KEY_LEN + sizeof(WS_GUID)];
	unsigned int dlen = 0;

	/* 24 base64 characters ending in "==" decode to exactly 16 bytes */
	if (strlen(key) != WS_KEY_LEN || key[22] != '=' || key[23] != '=' ||
	    EVP_DecodeBlock(raw, (const unsigned char *)key, WS_KEY_LEN) != 18)
		return false;
	memcpy(cat, key, WS_KEY_LEN);
	memcpy(cat + WS_KEY_LEN, WS_GUID, sizeof(WS_GUID) - 1);
	if (!EVP_Digest(cat, WS_KEY_LEN + sizeof(WS_GUID) - 1, digest, &dlen, EVP_sha1(), NULL) ||
	    dlen != 20)
		return false;
	EVP_EncodeBlock((unsigned char *)out, digest, 20);
	out[WS_ACCEPT_LEN] = '\0';
	return true;
}
