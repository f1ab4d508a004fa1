/* rootless.c - is berth-ct rootless, and where its state goes then. */
#include "ct/rootless.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "ct/state.h"

bool rootless(void)
{
	_cleanup_fclose_ FILE *f = NULL;
	unsigned long inside, outside, count;

	if (geteuid() != 0)
		return true;
	f = fopen("/proc/self/uid_map", "re");
	/* no /proc to tell: the host's root, as before */
	if (!f || fscanf(f, "%lu %lu %lu", &inside, &outside, &count) != 3)
		return false;
	return !(inside == 0 && outside == 0 && count == 4294967295UL);
}

const char *rootless_state_root(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (!xdg || xdg[0] != '/' || !rootless() ||
	    snprintf(buf, len, "%s/berth-ct", xdg) >= (int)len)
		return STATE_DEFAULT_ROOT;
	return buf;
}
