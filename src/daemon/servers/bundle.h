/* bundle.h - the OCI bundle of a container server: DIR/bundle/config.json for berth-ct,
 * made from the server's row (name, cpus, memory) and its own rootfs (DIR/rootfs). */
#ifndef BERTH_DAEMON_BUNDLE_H
#define BERTH_DAEMON_BUNDLE_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "daemon/servers/server.h"

#define BUNDLE_CPU_PERIOD 100000 /* us; the quota is cpus times this */
#define BUNDLE_PIDS_LIMIT 4096
/* On cgroup v2, the cgroups a container may make below its own (its systemd makes one per
 * unit) and how deep: each costs the kernel memory, so a tenant's are bounded. The depth is
 * what berth-ct's delete walks (cgroup_rmdir_tree). */
#define BUNDLE_CGROUPS_MAX  "1024"
#define BUNDLE_CGROUP_DEPTH "16"

/* The process a container runs as PID 1: the rootfs's /sbin/init when it is an executable
 * file (symlinks resolved inside rootfs), else a /bin/sh that waits for SIGTERM. */
const char *const *bundle_init_args(const char *rootfs);

/* The signal (a berth-ct name) that asks the container's init to shut down: "RTMIN+3" when
 * the rootfs's /sbin/init is systemd, else "TERM" (busybox init, sysvinit, the shell). */
const char *bundle_stop_signal(const char *rootfs);

/* Whether this host can guarantee a container's memory with memory.min: a pure cgroup v2
 * host (/sys/fs/cgroup is cgroup2, so it has cgroup.controllers) offering "memory". A hybrid
 * or v1 host has no such file there, and berth-ct drives it through v1. */
bool bundle_memory_min(void);

/* The config.json document for server s whose rootfs is at rootfs (absolute), running
 * args as PID 1, with "unified": {"memory.min": its memory, and the bounds on its cgroup
 * subtree} when memory_min (a pure v2 host); NULL on allocation failure. */
json_t *bundle_config(const struct server *s, const char *rootfs, const char *const *args,
		      bool memory_min);

/* Put s's disk limits (s->limits.disk_iops, disk_bps; none: nothing) into config's
 * linux.resources.blockIO as read and write throttles of block device dev; -1 when out of
 * memory. */
int bundle_io_throttle(json_t *config, const struct server *s, dev_t dev);

/* Write s->dir/bundle/config.json for s->dir/rootfs (replacing an older one atomically). */
int bundle_write(const struct server *s, struct berth_error *err);

#endif
