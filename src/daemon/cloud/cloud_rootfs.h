/* cloud_rootfs.h - a container's seed, written into its root file system at create (its
 * disk mounted with the image's ids, the container's own: root's files are 0:0 there, which
 * its range or an idmapped mount makes its mapped root). Every path inside the tree is the
 * tenant's and resolved with the tree as / (openat2 RESOLVE_IN_ROOT): a symlink such as
 * var -> /etc stays inside. */
#ifndef BERTH_DAEMON_CLOUD_ROOTFS_H
#define BERTH_DAEMON_CLOUD_ROOTFS_H

#include "common/error.h"
#include "daemon/cloud/cloud_seed.h"

#define CLOUD_SEED_DIR "var/lib/cloud/seed/nocloud-net"

/* Write seed under rootfs/CLOUD_SEED_DIR; when the tree has no usr/bin/cloud-init, also add
 * the seed's keys to rootfs/root/.ssh/authorized_keys (0700 and 0600, root's). */
int cloud_seed_rootfs(const char *rootfs, const struct cloud_seed *seed, struct berth_error *err);

#endif
