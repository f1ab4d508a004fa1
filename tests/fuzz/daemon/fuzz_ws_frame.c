/* fuzz_ws_frame - a WebSocket client's bytes (ws_frame_parse in src/daemon/api/ws_frame.c),
 * parsed frame after frame as a console route reads them. Nothing may crash or read out of
 * bounds; a frame taken lies inside what was read, its payload within the limit, a control
 * frame final and at most 125 bytes. The accept key and the protocol list's search are fed
 * the same bytes as a header. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/api/ws_frame.h"

#define LIMIT 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size + 1);
	char out[WS_ACCEPT_LEN + 1], token[16];
	struct ws_frame f;
	enum ws_status st;
	size_t at = 0;
	long got;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	while ((got = ws_frame_parse(buf + at, size - at, LIMIT, &f, &st)) > 0) {
		if ((size_t)got > size - at || f.len > LIMIT || f.payload < buf + at ||
		    f.payload + f.len != buf + at + got ||
		    (f.opcode & 0x8 && (!f.fin || f.len > WS_CONTROL_MAX)))
			abort();
		at += got;
	}
	if (got < 0 && st != WS_STATUS_PROTOCOL && st != WS_STATUS_TOO_BIG)
		abort();
	buf[size] = '\0';
	if (ws_accept_key((char *)buf, out) && strlen(out) != WS_ACCEPT_LEN)
		abort();
	/* ... and as a Sec-WebSocket-Protocol list */
	if (ws_protocol_find((char *)buf, "berth_", sizeof(token) - 1, token) &&
	    (strlen(token) != sizeof(token) - 1 || strncmp(token, "berth_", 6) ||
	     !strstr((char *)buf, token)))
		abort();
	free(buf);
	return 0;
}
