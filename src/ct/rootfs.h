/* rootfs.h - the container's root: made a mount point, populated (mounts.c,
 * devices.c), switched to with pivot_root, then masked and locked down. */
#ifndef BERTH_CT_ROOTFS_H
#define BERTH_CT_ROOTFS_H

#include "common/error.h"
#include "ct/config.h"

/* Refuse a root.path that is not a directory or is (or passes through) a symbolic link,
 * as runc does, before anything is made; in berth-ct's own mount namespace. */
int rootfs_check(const struct ct_config *c, struct berth_error *err);

/* Make mounts private/slave and bind the rootfs onto itself; returns an O_PATH fd on it. */
int rootfs_prepare(const struct ct_config *c, struct berth_error *err);

/* pivot_root into c->root_path and drop the old root. */
int rootfs_pivot(const struct ct_config *c, struct berth_error *err);

/* After pivot_root: sysctls, masked and read-only paths, read-only root, propagation. */
int rootfs_finish(const struct ct_config *c, struct berth_error *err);

#endif
