/* server.h - a cloud server as the daemon knows it: one row of the servers table. */
#ifndef BERTH_DAEMON_SERVER_H
#define BERTH_DAEMON_SERVER_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#define SERVER_NAME_MAX 63 /* names match ^[a-z0-9][a-z0-9-]{0,62}$ */
/* what an image or a server adds to a VM's kernel command line: printable ASCII, so that
 * with berth's own part and the network's it stays under Linux's 2048 bytes */
#define SERVER_CMDLINE_MAX 1024

enum server_kind { KIND_VM, KIND_CT };

/* The I/O limits a server's plan gives it (0: none): its disk's requests and bytes a second,
 * its network's bytes a second each way (berth-vmm's iops=/bps=, a container's cgroup
 * throttle and its veth's qdisc). */
struct server_limits {
	uint64_t disk_iops, disk_bps, net_bps;
};

/* How a VM starts: its image's kernel loaded by berth-vmm, or its disk's own bootloader run
 * by the firmware (an image with a disk and no kernel). A container has neither. */
enum server_boot { BOOT_NONE, BOOT_KERNEL, BOOT_FIRMWARE };

enum server_state {
	STATE_CREATING, /* reserved, files being made; rolled back if berthd dies now */
	STATE_STOPPED,
	STATE_STARTING,
	STATE_RUNNING,
	STATE_STOPPING,
	STATE_DELETING, /* being removed; finished if berthd dies now */
};

struct cloud_seed;

struct server {
	char name[SERVER_NAME_MAX + 1];
	char image[SERVER_NAME_MAX + 1];
	enum server_kind kind;
	enum server_state state;
	unsigned cpus;
	uint64_t memory;   /* bytes, reserved */
	uint64_t disk;	   /* bytes, reserved */
	long pid;	   /* VMM or container init while running, else 0 */
	uint32_t jail_uid; /* a VM's own uid and gid for its VMM's jail (jail.h); 0: none */
	bool restart_always;
	enum server_boot boot;
	char cmdline[SERVER_CMDLINE_MAX + 1]; /* a kernel-booted VM's own part, "" when none */
	char address[16];		      /* its address of the bridge's pool, "" when none */
	/* a container's user namespace: its uids and gids 0..65535 are the host's idmap.. on;
	 * 0 for a VM and for a privileged container (no user namespace: root is the host's) */
	uint32_t idmap;
	bool privileged;
	struct server_limits limits;
	/* the host CPUs it holds alone as a cpuset list ("0,1"), "" when its CPUs are shared */
	char cpuset[1024];
	char held_cpus[1024]; /* the CPUs every server holds alone, a list; "" when none */
	/* what cloud-init gets, loaded for a create (a container's goes into its tree then)
	 * and a VM's start; NULL: none, or not loaded */
	const struct cloud_seed *seed;
	char dir[PATH_MAX];	  /* STATE_DIR/servers/NAME, or NAME.tmp while creating */
	char image_dir[PATH_MAX]; /* STATE_DIR/images/IMAGE */
};

#endif
