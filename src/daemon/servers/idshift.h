/* idshift.h - a container's files moved to its range of host ids once, where its disk
 * cannot be mounted idmapped (idmap_mount.h). */
#ifndef BERTH_DAEMON_IDSHIFT_H
#define BERTH_DAEMON_IDSHIFT_H

#include <stdint.h>

#include "common/error.h"

/* Give every file of the tree at dir (its own file system; symlinks themselves) the owner
 * and group id + start where that id is below 65536, keeping setuid and setgid bits, file
 * capabilities (as version 3, rooted at start) and POSIX ACLs (their ids shifted too).
 * Ids at or above 65536 stay: a walk run twice shifts nothing twice. start >= 65536. */
int idshift_tree(const char *dir, uint32_t start, struct berth_error *err);

#endif
