/* jail.h - the jail of a VMM that berthd starts (docs/berthd-drivers.md, "The jail").
 *
 * berthd (root) prepares it: the files the VMM may use are chosen here, from the server's
 * row, never from what the guest asks; their owner is the VM's own uid. The child that will
 * exec berth-vmm is cloned into new mount, PID, IPC and UTS namespaces (jail_clone) and
 * enters the jail (jail_enter): a tmpfs root holding only those files and device nodes,
 * then no capabilities, no_new_privs and the VM's uid and gid. */
#ifndef BERTH_DAEMON_JAIL_H
#define BERTH_DAEMON_JAIL_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

#define JAIL_BINDS_MAX	12
#define JAIL_CONSOLE_FD 3 /* the console's listening socket in the VMM (--console-sock-fd) */
#define JAIL_IDS_START	1500000000u /* vmm_ids' default: far from users and idmap pools */
#define JAIL_IDS_COUNT	65536u

/* A host file or directory the VMM sees at the same path. */
struct jail_bind {
	char path[PATH_MAX];
	bool writable; /* else read-only */
	bool exec;     /* may be executed (the VMM binary, the libraries) */
	bool dir;      /* a directory (else a file) */
};

/* A device node made in the jail's /dev, owned by the VM's uid. */
struct jail_node {
	const char *path; /* "/dev/kvm" */
	dev_t rdev;	  /* the host node's, 0: none */
	mode_t mode;
};

struct jail {
	uid_t uid;
	gid_t gid;
	char root[PATH_MAX]; /* STATE_DIR/jail: where the tmpfs root is built, in the child's
				own mount namespace only */
	char hostname[64];
	char exec_path[PATH_MAX]; /* the VMM binary, links resolved: what the child executes */
	struct jail_bind binds[JAIL_BINDS_MAX];
	unsigned nbinds;
	char links[4][16]; /* "/lib" and the like, symlinks on merged-/usr hosts: copied */
	char link_to[4][PATH_MAX];
	unsigned nlinks;
	struct jail_node nodes[3]; /* kvm, net/tun, null */
	int console_fd;		   /* berthd's listening console socket, -1: none */
	uint64_t memlock;	   /* RLIMIT_MEMLOCK for the VM's RAM, 0: leave it */
};

/* What failed in jail_enter, for the message the parent makes. */
enum jail_step {
	JAIL_OK,
	JAIL_MOUNT_PRIVATE,
	JAIL_MOUNT_ROOT,
	JAIL_BIND,
	JAIL_NODE,
	JAIL_PIVOT,
	JAIL_HOSTNAME,
	JAIL_FDS,
	JAIL_IDS,
	JAIL_PRIVS,
};

/* Start a jail for uid (gid the same number) in *j: its root under state_dir, the VMM binary
 * vmm_path (run from its real path, links resolved), /usr read-only for its libraries and default
 * firmware, the device nodes. */
int jail_init(struct jail *j, uid_t uid, const char *state_dir, const char *vmm_path,
	      const char *hostname, struct berth_error *err);

/* Show the host's path (a file, or a directory when dir) in the jail, read-only unless
 * writable. */
int jail_bind(struct jail *j, const char *path, bool dir, bool writable, struct berth_error *err);

/* Make path (and, when dir, what it directly holds) the jail uid's: for the files the VMM
 * writes. Symbolic links are never followed, so a file the VMM replaced by a link cannot
 * turn this on a host file. */
int jail_own(const struct jail *j, const char *path, bool dir, struct berth_error *err);

/* Let path (a root-owned kernel or initrd in a 0700 directory) be read by the jail uid once
 * bound: mode 0644, never following a symbolic link. */
int jail_readable(const char *path, struct berth_error *err);

/* Give tap ifname to the jail uid, so that berth-vmm attaches to it without CAP_NET_ADMIN,
 * and put /dev/net/tun in the jail. */
int jail_tap(struct jail *j, const char *ifname, struct berth_error *err);

/* Listen on the console socket at path for the VMM (it may not make files there): mode
 * 0660, the console directory's group. */
int jail_console(struct jail *j, const char *path, struct berth_error *err);

/* Release what jail_init and the others took (the console's fd). */
void jail_done(struct jail *j);

/* clone() into new mount, PID, IPC and UTS namespaces, like fork(): the child (pid 1 of its
 * namespace) gets 0, the parent its pid. */
pid_t jail_clone(void);

/* In the cloned child: build the root, pivot into it, drop to the jail's uid and gid with no
 * capabilities and no_new_privs. Async-signal-safe. JAIL_OK, or the failed step with errno
 * set. */
enum jail_step jail_enter(const struct jail *j);

/* What step failed, in words. */
const char *jail_step_name(enum jail_step step);

#endif
