/* config.h - berthd's settings file: simple `key = value` lines (docs/berthd.md lists the
 * keys; contrib/berthd.conf is the default file). Every key has a built-in default. */
#ifndef BERTH_DAEMON_CONFIG_H
#define BERTH_DAEMON_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "common/names.h"
#include "daemon/net/net_pool.h"
#include "daemon/servers/server.h"

#define CONFIG_MAX_PLANS       32
#define CONFIG_IFNAME_MAX      15 /* IFNAMSIZ - 1 */
#define CONFIG_CONSOLE_LOG_MAX ((uint64_t)1 << 20)
#define CONFIG_IMAGE_MAX_SIZE  ((uint64_t)64 << 30)
#define CONFIG_IDMAP_SIZE      65536u /* host ids of one container: its uids and gids 0..65535 */
/* The default pool of container ids: 1000000 up to 1001000000 (15,258 containers), clear of
 * the host's own users and below the VMM jails' ids (from 1500000000). */
#define CONFIG_IDMAP_START 1000000u
#define CONFIG_IDMAP_COUNT 1000000000u

/* A named size of server that `berth create --plan` picks. */
struct plan {
	char name[NAME_MAX_LEN + 1];
	unsigned cpus;
	uint64_t memory, disk;
	struct server_limits limits; /* disk_iops=, disk_bps=, net_bps= (0: none) */
	bool dedicated_cpus;	     /* its VMs get host CPUs of their own (docs/berthd.md) */
};

struct config {
	unsigned host_reserve_cpus;   /* cores kept for the host (default 0) */
	uint64_t host_reserve_memory; /* RAM kept for the host (default 512M) */
	uint64_t host_reserve_disk; /* disk kept free on the state dir's file system (default 1G) */
	double cpu_overcommit;	 /* vCPUs sold per core (default 1.0); RAM is never overcommitted */
	unsigned stop_timeout;	 /* seconds a clean stop may take by default (30) */
	char vmm_path[PATH_MAX]; /* berth-vmm; "" until config_find_tools() */
	char ct_path[PATH_MAX];	 /* berth-ct; "" until config_find_tools() */
	bool network; /* auto (true, default): as root and bridge allow; none (false): off */
	char bridge[CONFIG_IFNAME_MAX + 1]; /* the managed bridge; "" (`none`): no bridge */
	struct net_pool pool;		    /* bridge_address: gateway and subnet (10.187.0.1/24) */
	bool nat;			    /* masquerade the subnet's traffic out (default yes) */
	bool isolate_servers; /* servers on the bridge cannot reach each other (default yes) */
	char console_path[PATH_MAX]; /* berth-console; "" until config_find_tools() */
	uint64_t console_log_max;    /* cap of a server's console.log (default 1M) */
	uint64_t image_max_size;     /* the most disk one image may take (default 64G) */
	/* idmap = START:COUNT: the host ids containers' ranges are cut from */
	uint32_t idmap_start, idmap_count;
	bool idmap_shift; /* idmap_files = shift: chown a container's files, never idmap a mount */
	uint32_t vmm_ids_start, vmm_ids_count; /* vmm_ids: the VMs' jail uids and gids */
	/* The API's connections (docs/berthd.md, "Limits"). */
	unsigned http_per_user;	      /* open connections per uid (64) */
	unsigned http_root_reserve;   /* connections only root may take (16) */
	unsigned http_header_timeout; /* s from a request's first byte to its last header (10) */
	unsigned http_body_rate;      /* bytes/s a body must come at, at least (1024) */
	unsigned http_idle_timeout;   /* s a connection may do nothing (60) */
	struct plan plans[CONFIG_MAX_PLANS];
	unsigned nplans;
};

/* The built-in settings: no reserve but 512M RAM and 1G disk, overcommit 1.0, plans
 * small (1 CPU, 512M, 2G), medium (2, 2G, 20G), large (4, 8G, 80G); network auto, no
 * bridge (the shipped contrib/berthd.conf turns on berth0), bridge_address 10.187.0.1/24,
 * nat yes, isolate_servers yes, images up to 64G. */
void config_defaults(struct config *c);

/* Apply the settings in text (the contents of a file called origin, for messages) over c.
 * The first `plan` line replaces the built-in plans. */
int config_parse(const char *text, const char *origin, struct config *c, struct berth_error *err);

/* config_defaults(), then the file at path. */
int config_load(const char *path, struct config *c, struct berth_error *err);

/* Fill unset tool paths: berth-vmm / berth-ct / berth-console beside this program, else in
 * /usr/local/bin. */
void config_find_tools(struct config *c);

/* The plan called name, or NULL. */
const struct plan *config_plan(const struct config *c, const char *name);

#endif
