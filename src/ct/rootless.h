/* rootless.h - berth-ct run by an unprivileged user (rootless podman): it is then root in a
 * user namespace that is not the host's, or not root at all, and has no say over the host's
 * /run or its cgroups. */
#ifndef BERTH_CT_ROOTLESS_H
#define BERTH_CT_ROOTLESS_H

#include <stdbool.h>
#include <stddef.h>

/* Whether this process is rootless: not uid 0, or in a user namespace other than the
 * initial one (whose uid_map is the identity over all ids). */
bool rootless(void);

/* The default state directory: STATE_DEFAULT_ROOT, or $XDG_RUNTIME_DIR/berth-ct when
 * rootless and XDG_RUNTIME_DIR is set (as runc and crun do); in buf. */
const char *rootless_state_root(char *buf, size_t len);

#endif
