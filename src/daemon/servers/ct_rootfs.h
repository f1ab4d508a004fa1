/* ct_rootfs.h - a container server's root file system: its own disk (s->dir/disk.ext4,
 * ct_disk.h) holding a copy of its image's tree, mounted on s->dir/rootfs while it runs. */
#ifndef BERTH_DAEMON_CT_ROOTFS_H
#define BERTH_DAEMON_CT_ROOTFS_H

#include "common/error.h"
#include "daemon/servers/driver.h"
#include "daemon/servers/server.h"

/* Make s's disk (s->disk bytes; by the size rules when 0), copy the image's tree into it,
 * write the bundle, and unmount it again. A disk too small for the tree says so. */
int ct_rootfs_provision(const struct server *s, progress_fn progress, void *ctx,
			struct berth_error *err);

/* Mount s's disk on s->dir/rootfs (before the container starts). A server made before
 * container disks (no disk.ext4) runs on its plain rootfs tree, without a quota. */
int ct_rootfs_mount(const struct server *s, struct berth_error *err);

/* Unmount s->dir/rootfs (after the container ended). */
int ct_rootfs_unmount(const struct server *s, struct berth_error *err);

/* Grow s's disk, which is not mounted, to s->disk bytes (a resize); nothing for a plain
 * rootfs tree. */
int ct_rootfs_grow(const struct server *s, struct berth_error *err);

#endif
