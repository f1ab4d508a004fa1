/* escape.c - the detach key's state machine (see escape.h). */
#include "cli/escape.h"

size_t escape_feed(struct escape *e, const char *in, size_t n, char *out, bool *detach)
{
	size_t i, o = 0;

	*detach = false;
	for (i = 0; i < n; i++) {
		char c = in[i];

		if (!e->pending) {
			if (c == ESCAPE_KEY)
				e->pending = true;
			else
				out[o++] = c;
			continue;
		}
		e->pending = false;
		if (c == ESCAPE_DETACH) {
			*detach = true;
			return o;
		}
		out[o++] = ESCAPE_KEY;
		if (c != ESCAPE_KEY)
			out[o++] = c;
	}
	return o;
}
