/* mounts.h - what the host has mounted inside a server's directory (a container's disk on
 * its rootfs): found in /proc/self/mountinfo, and unmounted before the tree is removed, so
 * that nothing is ever deleted through a mount and no loop device is left behind. */
#ifndef BERTH_DAEMON_MOUNTS_H
#define BERTH_DAEMON_MOUNTS_H

#include "common/error.h"

/* Called with each mount point found; non-zero stops the search and is returned. */
typedef int (*mount_fn)(void *ctx, const char *mnt, struct berth_error *err);

/* Call fn on each mount point at or below directory dir, in mountinfo's order (a mount
 * before those made on top of it). A dir that does not exist has none. */
int mounts_below(const char *dir, mount_fn fn, void *ctx, struct berth_error *err);

/* Unmount dir when it is a mount point (success when it is not, or does not exist). A busy
 * one is tried again for a second, then detached lazily (said on stderr): its file system
 * and loop device go when their last user does. */
int unmount_dir(const char *dir, struct berth_error *err);

/* Unmount everything mounted at or below dir, the last mounted first. */
int unmount_below(const char *dir, struct berth_error *err);

#endif
