/* escape.h - the detach key of `berth console`: Ctrl-A q detaches, Ctrl-A Ctrl-A sends one
 * Ctrl-A, Ctrl-A followed by anything else sends both. The state survives between reads,
 * so a key sequence split across two reads still works. */
#ifndef BERTH_CLI_ESCAPE_H
#define BERTH_CLI_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

#define ESCAPE_KEY    0x01 /* Ctrl-A */
#define ESCAPE_DETACH 'q'

struct escape {
	bool pending; /* the last byte seen was an unsent Ctrl-A */
};

/* Filter n bytes typed by the user into out (room for n + 1 bytes): returns how many to
 * send; *detach is set when Ctrl-A q was typed (what follows it is dropped). */
size_t escape_feed(struct escape *e, const char *in, size_t n, char *out, bool *detach);

#endif
