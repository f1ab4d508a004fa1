/* driver.h - how the daemon runs a server of either kind: berth-vmm for VMs, berth-ct for
 * containers. The API and the CLI never branch on the kind; only driver_for() does. */
#ifndef BERTH_DAEMON_DRIVER_H
#define BERTH_DAEMON_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "daemon/servers/server.h"

struct net;

/* What a driver may use from the daemon. */
struct driver_env {
	const char *state_dir;	  /* STATE_DIR: images/, servers/, run/ below it */
	const char *vmm_path;	  /* the berth-vmm binary */
	const char *ct_path;	  /* the berth-ct binary */
	const char *console_path; /* the berth-console binary */
	uint64_t console_log_max; /* cap of console.log (0: none) */
	const struct net *net;	  /* the bridge, or none (net.h) */
	bool idmap_shift;	  /* containers' ids: shifted, never an idmapped mount */
};

/* Progress of long work, 0..100. */
typedef void (*progress_fn)(void *ctx, int percent);

struct driver_ops {
	const char *kind; /* "vm" or "ct" */
	/* Make the server's own files in s->dir from its image (disk or rootfs copy, bundle). */
	int (*provision)(const struct server *s, const struct driver_env *e, progress_fn progress,
			 void *ctx, struct berth_error *err);
	/* Start it detached so that it outlives berthd; *pid is the VMM or the container's init. */
	int (*start)(const struct server *s, const struct driver_env *e, long *pid,
		     struct berth_error *err);
	/* Stop it: cleanly within timeout_s, then by force; force stops it at once. */
	int (*stop)(const struct server *s, const struct driver_env *e, bool force, int timeout_s,
		    struct berth_error *err);
	/* Is s->pid alive and still this server (not a recycled pid)? */
	bool (*alive)(const struct server *s, const struct driver_env *e);
	/* Remove what a stopped server leaves behind at run time (sockets, runtime state,
	 * mounts); one that runs keeps them. */
	void (*cleanup)(const struct server *s, const struct driver_env *e);
	/* Fit a server's files to its new reservation: grow its disk to s->disk. When it
	 * runs, the disk grows under it: the VMM is told, the mounted file system grown. */
	int (*resize)(const struct server *s, const struct driver_env *e, bool running,
		      struct berth_error *err);
};

/* The two drivers: berth-vmm (driver_vm.c) and berth-ct (driver_ct.c). */
extern const struct driver_ops driver_vm, driver_ct;

/* The driver for kind k. */
const struct driver_ops *driver_for(enum server_kind k);

#endif
