/* idmap_mount.h - mounting a file system whose files' ids 0..count-1 appear as the host's
 * start..start+count-1 (an idmapped mount). */
#ifndef BERTH_DAEMON_IDMAP_MOUNT_H
#define BERTH_DAEMON_IDMAP_MOUNT_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

#define IDMAP_UNSUPPORTED (-2)

/* Mount the fstype file system on dev at dir, nodev, through an id map of 0..count-1 to
 * start..: 0, or -1 with err, or IDMAP_UNSUPPORTED when this kernel cannot idmap a mount of
 * this file system (nothing is mounted then either). */
int idmap_mount(const char *dev, const char *fstype, const char *dir, uint32_t start,
		uint32_t count, struct berth_error *err);

#endif
