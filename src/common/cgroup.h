/* cgroup.h - one interface to a cgroup, with a v1 (cgroup_v1.c) and a v2 (cgroup_v2.c)
 * implementation chosen from the host's /sys/fs/cgroup mount. berth-ct puts a container in
 * one (its OCI limits on top: src/ct/cgroup.h), berthd each VMM (daemon/servers/vm_cgroup.c).
 *
 * A hybrid host (v1 controllers plus a v2 hierarchy at /sys/fs/cgroup/unified) is
 * driven through v1, where its controllers live. */
#ifndef BERTH_COMMON_CGROUP_H
#define BERTH_COMMON_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "common/error.h"

#define CGROUP_MOUNT "/sys/fs/cgroup"

struct cgroup;

struct cgroup_ops {
	const char *name; /* "v1" or "v2" */
	/* Make the cgroup (and its parents). */
	int (*create)(struct cgroup *cg, struct berth_error *err);
	/* An fd on the cgroup for clone3(CLONE_INTO_CGROUP), or -1 where that cannot work. */
	int (*clone_fd)(struct cgroup *cg);
	/* Move pid into the cgroup. */
	int (*enter)(struct cgroup *cg, pid_t pid, struct berth_error *err);
	/* Freeze (true) or thaw (false) every process in it, waiting until done. */
	int (*freeze)(struct cgroup *cg, bool frozen, struct berth_error *err);
	/* Whether it is frozen. */
	bool (*frozen)(struct cgroup *cg);
	/* The directory whose cgroup.procs lists the members. */
	const char *(*procs_dir)(struct cgroup *cg);
	/* The directory holding controller's files, or NULL when this cgroup cannot have that
	 * controller (v1: not mounted; v2: not in the parent's cgroup.subtree_control). */
	const char *(*dir)(struct cgroup *cg, const char *controller);
	/* Remove the cgroup (it must be empty). */
	int (*destroy)(struct cgroup *cg, struct berth_error *err);
	/* Every directory of the cgroup as (subdir, dir) pairs: the hierarchy's directory name
	 * under /sys/fs/cgroup ("" for v2) and the cgroup's directory in it. */
	size_t (*mounts)(struct cgroup *cg, const char **subdirs, const char **dirs, size_t max);
	/* The limits both runtimes set. quota µs of CPU time per period µs (quota <= 0: none). */
	int (*cpu_max)(struct cgroup *cg, int64_t quota, int64_t period, struct berth_error *err);
	/* The hard memory limit in bytes (< 0: none). */
	int (*memory_max)(struct cgroup *cg, int64_t bytes, struct berth_error *err);
};

struct cgroup {
	const struct cgroup_ops *ops;
	char *path;	 /* inside the hierarchy, starting with '/' */
	bool below_self; /* path is below this process's cgroup in each hierarchy */
	void *priv;	 /* implementation data */
};

/* The implementation for this host's mounts: v2 when /sys/fs/cgroup is cgroup2, else v1. */
const struct cgroup_ops *cgroup_host_ops(void);

/* Open a handle on the cgroup at path (nothing is created); "" is no cgroup
 * (cgroup_none_ops). */
int cgroup_open(const char *path, struct cgroup **out, struct berth_error *err);

/* Open a handle on the cgroup at path below this process's own cgroup (in each v1 hierarchy,
 * below its cgroup there). */
int cgroup_open_below_self(const char *path, struct cgroup **out, struct berth_error *err);

/* Free a handle (NULL is fine); the cgroup itself stays. */
void cgroup_free(struct cgroup *cg);

/* This process's own cgroup path (v2: the unified one; v1: the one in the hierarchy holding
 * controller), malloc'd; NULL when /proc/self/cgroup does not say. */
char *cgroup_self_path(const char *controller);

/* The same for process pid (0: this process), as this process's cgroup namespace sees it. */
char *cgroup_pid_path(pid_t pid, const char *controller);

/* The same from an open /proc/PID/cgroup (whose paths a container names), malloc'd. */
char *cgroup_path_in(FILE *f, const char *controller);

/* Read the pids listed in DIR/cgroup.procs and in those of the cgroups below DIR (16 levels
 * at most); *out is malloc'd. */
int cgroup_read_pids(const char *dir, pid_t **out, size_t *n, struct berth_error *err);

/* SIGKILL every process in the cgroup and wait (bounded) until it is empty, then remove it. */
int cgroup_kill_and_destroy(struct cgroup *cg, struct berth_error *err);

/* Write value to controller's file of cg; an error naming the controller when cg has none. */
int cgroup_set(struct cgroup *cg, const char *controller, const char *file, const char *value,
	       struct berth_error *err);

/* cgroup_set() of a number (value < 0 writes "max" where max_word, else -1). */
int cgroup_set_int(struct cgroup *cg, const char *controller, const char *file, int64_t value,
		   bool max_word, struct berth_error *err);

/* Write a string to DIR/FILE; the error names the file. */
int cgroup_write(const char *dir, const char *file, const char *value, struct berth_error *err);

/* Read the first line of DIR/FILE into buf (newline stripped); -1 when unreadable. */
int cgroup_read(const char *dir, const char *file, char *buf, size_t len);

/* The first of the NULL-terminated names that exists in DIR, or NULL when none does. */
const char *cgroup_first_file(const char *dir, const char *const *names);

/* Remove dir and the cgroups below it, deepest first (a container's systemd makes its own
 * subtree); fails with EBUSY while one of them holds a process. */
int cgroup_rmdir_tree(const char *dir, struct berth_error *err);

/* mkdir -p of an absolute directory path. */
int cgroup_mkdir_p(const char *path, struct berth_error *err);

extern const struct cgroup_ops cgroup_v1_ops;
extern const struct cgroup_ops cgroup_v2_ops;
/* No cgroup at all (cgroup_none.c): what cgroup_open gives for the empty path. */
extern const struct cgroup_ops cgroup_none_ops;

static inline void cgroup_freep(struct cgroup **cg)
{
	cgroup_free(*cg);
}
#define _cleanup_cgroup_ __attribute__((cleanup(cgroup_freep)))

#endif
