/* cgroup.h - one interface to a container's cgroup, with a v1 (cgroup_v1.c) and a v2
 * (cgroup_v2.c) implementation chosen from the host's /sys/fs/cgroup mount.
 *
 * A hybrid host (v1 controllers plus a v2 hierarchy at /sys/fs/cgroup/unified) is
 * driven through v1, where its controllers live. */
#ifndef BERTH_CT_CGROUP_H
#define BERTH_CT_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"
#include "ct/config.h"

#define CGROUP_MOUNT "/sys/fs/cgroup"

struct cgroup;

struct cgroup_ops {
	const char *name; /* "v1" or "v2" */
	/* Make the cgroup (and its parents). */
	int (*create)(struct cgroup *cg, struct berth_error *err);
	/* Write linux.resources; device rules also allow the default and listed devices. */
	int (*apply)(struct cgroup *cg, const struct ct_config *c, struct berth_error *err);
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
	/* Remove the cgroup (it must be empty). */
	int (*destroy)(struct cgroup *cg, struct berth_error *err);
	/* Host directories to bind at a container's cgroup mount: (subdir, hostdir) pairs. */
	size_t (*mounts)(struct cgroup *cg, const char **subdirs, const char **dirs, size_t max);
};

struct cgroup {
	const struct cgroup_ops *ops;
	char *path; /* inside the hierarchy, starting with '/' */
	void *priv; /* implementation data */
};

/* The implementation for this host's mounts: v2 when /sys/fs/cgroup is cgroup2, else v1. */
const struct cgroup_ops *cgroup_host_ops(void);

/* Turn linux.cgroupsPath (or NULL) into a path inside the hierarchy, malloc'd. */
char *cgroup_resolve_path(const char *cgroups_path, const char *id);

/* Open a handle on the cgroup at path (nothing is created). */
int cgroup_open(const char *path, struct cgroup **out, struct berth_error *err);

/* Free a handle (NULL is fine); the cgroup itself stays. */
void cgroup_free(struct cgroup *cg);

/* Read the pids listed in DIR/cgroup.procs; *out is malloc'd. */
int cgroup_read_pids(const char *dir, pid_t **out, size_t *n, struct berth_error *err);

/* SIGKILL every process in the cgroup and wait (bounded) until it is empty, then remove it. */
int cgroup_kill_and_destroy(struct cgroup *cg, struct berth_error *err);

/* Write a string to DIR/FILE; the error names the file. */
int cgroup_write(const char *dir, const char *file, const char *value, struct berth_error *err);

/* Read the first line of DIR/FILE into buf (newline stripped); -1 when unreadable. */
int cgroup_read(const char *dir, const char *file, char *buf, size_t len);

/* The first of the NULL-terminated names that exists in DIR, or NULL when none does. */
const char *cgroup_first_file(const char *dir, const char *const *names);

/* The refusal of an I/O weight the host cannot apply: none of the named files exists. */
int cgroup_no_weight(const char *files, struct berth_error *err);

/* mkdir -p of an absolute directory path. */
int cgroup_mkdir_p(const char *path, struct berth_error *err);

/* The effective device rules, applied in order after an implicit "deny all": the
 * default devices (null, zero, ptys...), the devices the config creates, then
 * linux.resources.devices (a leading blanket deny only restates the start). *out is
 * malloc'd; returns the count or -1. */
int cgroup_device_rules(const struct ct_config *c, struct ct_devrule **out,
			struct berth_error *err);

extern const struct cgroup_ops cgroup_v1_ops;
extern const struct cgroup_ops cgroup_v2_ops;

static inline void cgroup_freep(struct cgroup **cg)
{
	cgroup_free(*cg);
}
#define _cleanup_cgroup_ __attribute__((cleanup(cgroup_freep)))

#endif
