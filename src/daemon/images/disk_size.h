/* disk_size.h - how big a server's disk is, from what was asked and its image's size: the
 * number the ledger reserves, and the size of the disk file the driver makes. */
#ifndef BERTH_DAEMON_DISK_SIZE_H
#define BERTH_DAEMON_DISK_SIZE_H

#include <stdint.h>

#include "common/error.h"
#include "daemon/servers/server.h"

/* Room a container's disk gets beyond its image's tree when no size is asked for. */
#define CT_DISK_HEADROOM (1ULL << 30)

/* The smallest container disk (an ext4 file system) that holds a tree taking tree_bytes:
 * the tree, an eighth more (inode tables, the journal, a directory's blocks on another
 * file system), 32 MiB, rounded up to whole MiB. */
uint64_t ct_disk_min(uint64_t tree_bytes);

/* *size = the disk of a kind server asking for `asked` bytes (0: the default) from an image
 * taking image_bytes. A VM's disk is at least its image's; a container's is at least
 * ct_disk_min() (refused with that size when asked for less), CT_DISK_HEADROOM more by
 * default. */
int disk_size(enum server_kind kind, uint64_t asked, uint64_t image_bytes, uint64_t *size,
	      struct berth_error *err);

#endif
