/* ct_rootfs.h - a container server's root file system: its own disk (s->dir/disk.ext4,
 * ct_disk.h) holding a copy of its image's tree, mounted on s->dir/rootfs while it runs. */
#ifndef BERTH_DAEMON_CT_ROOTFS_H
#define BERTH_DAEMON_CT_ROOTFS_H

#include <stdbool.h>

#include "common/error.h"
#include "daemon/servers/driver.h"
#include "daemon/servers/server.h"

/* Make s's disk (s->disk bytes; by the size rules when 0), copy the image's tree into it
 * (its ids as they are), write the bundle and s->seed, if any, into the tree
 * (cloud_rootfs.h), and unmount it again. A disk too small for the
 * tree says so. A server with a range (s->idmap) is then mounted as it will run: when the
 * kernel cannot idmap that mount, or shift (berthd.conf's idmap_files = shift), its ids
 * are shifted to the range now, once, and s->dir/ids-shifted says so. */
int ct_rootfs_provision(const struct server *s, bool shift, progress_fn progress, void *ctx,
			struct berth_error *err);

/* Mount s's disk on s->dir/rootfs (before the container starts): plain when privileged or
 * when its ids were shifted, else idmapped to s's range (shifted now where that cannot be
 * done, or when shift). A server made before container disks (no disk.ext4) runs on its
 * plain rootfs tree, without a quota (such servers are all privileged). */
int ct_rootfs_mount(const struct server *s, bool shift, struct berth_error *err);

/* Unmount s->dir/rootfs (after the container ended). */
int ct_rootfs_unmount(const struct server *s, struct berth_error *err);

/* Grow s's disk to s->disk bytes (a resize), mounted (online) or not; nothing for a plain
 * rootfs tree. */
int ct_rootfs_grow(const struct server *s, struct berth_error *err);

#endif
