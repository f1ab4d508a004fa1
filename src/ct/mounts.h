/* mounts.h - the config's mount list, made below the container's root before pivot_root. */
#ifndef BERTH_CT_MOUNTS_H
#define BERTH_CT_MOUNTS_H

#include "common/error.h"
#include "ct/cgroup.h"
#include "ct/config.h"

/* Mount every entry of c->mounts below rootfd; relative bind sources are taken from bundle. */
int mounts_apply(const struct ct_config *c, int rootfd, const char *bundle, struct cgroup *cg,
		 struct berth_error *err);

/* Remount the mount at target with flags, keeping the flags the kernel locks (nosuid,
 * nodev, noexec, ro of the source) so it works in a user namespace too. */
int mounts_remount(const char *target, unsigned long flags, struct berth_error *err);

#endif
