/* fuzz_rfb.c - libFuzzer target: what a hostile VNC client sends (src/vmm/vnc/rfb.c).
 *
 * The first byte of the input picks how the rest arrives (in pieces of 1 to 256 bytes, as a
 * socket may deliver it), the rest is the byte stream from the client's first byte on. The
 * parser must never take more than it was given, hand on at most RFB_ENCODINGS_CHUNK
 * encodings at once, keep no cut text, and stop for good at a protocol error. */
#include <stdlib.h>
#include <string.h>

#include "vmm/vnc/rfb.h"

#define FUZZ_BUF 4096 /* the server's input buffer */

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	struct rfb_parser p;
	uint8_t buf[FUZZ_BUF];
	size_t have = 0, pos = 1, piece;

	if (size < 1)
		return 0;
	piece = (size_t)in[0] + 1;
	rfb_parser_init(&p);
	while (pos < size || have) {
		size_t n = size - pos < piece ? size - pos : piece, at = 0;
		bool stuck = false;

		if (n > FUZZ_BUF - have)
			n = FUZZ_BUF - have;
		memcpy(buf + have, in + pos, n);
		have += n;
		pos += n;
		while (at < have) {
			struct rfb_msg m;
			const char *why = NULL;
			ssize_t used = rfb_parse(&p, buf + at, have - at, &m, &why);

			if (used < 0) {
				if (!why)
					abort();
				return 0; /* the server drops the client */
			}
			if ((size_t)used > have - at)
				abort();
			if (m.type == RFB_MSG_ENCODINGS && m.enc.n > RFB_ENCODINGS_CHUNK)
				abort();
			if (used == 0) {
				stuck = true;
				break;
			}
			at += (size_t)used;
		}
		memmove(buf, buf + at, have - at);
		have -= at;
		if (stuck && pos == size)
			break; /* a partial message at the end of the stream */
		if (have == FUZZ_BUF)
			abort(); /* a full buffer that parses to nothing: the server would hang */
	}
	return 0;
}
