/* cgroup.h - a container's cgroup: the shared cgroup interface (common/cgroup.h, v1 and v2)
 * with the OCI side on top: linux.cgroupsPath, and linux.resources written per version. */
#ifndef BERTH_CT_CGROUP_H
#define BERTH_CT_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/cgroup.h"
#include "common/error.h"
#include "ct/config.h"

/* Write linux.resources into cg (cgroup_apply_v1.c or cgroup_apply_v2.c, by cg's version);
 * device rules also allow the default and listed devices. */
int cgroup_apply(struct cgroup *cg, const struct ct_config *c, struct berth_error *err);

/* Turn linux.cgroupsPath (or NULL) into a path inside the hierarchy, malloc'd. */
char *cgroup_resolve_path(const char *cgroups_path, const char *id);

/* The refusal of an I/O weight the host cannot apply: none of the named files exists. */
int cgroup_no_weight(const char *files, struct berth_error *err);

/* The effective device rules, applied in order after an implicit "deny all": the
 * default devices (null, zero, ptys...), the devices the config creates, then
 * linux.resources.devices (a leading blanket deny only restates the start). *out is
 * malloc'd; returns the count or -1. */
int cgroup_device_rules(const struct ct_config *c, struct ct_devrule **out,
			struct berth_error *err);

/* Hand cg to the container's root when c has a user namespace and mounts its cgroup
 * writable: the directory and the files that move processes and enable controllers
 * (v2; v1: those of the name=systemd hierarchy alone) are chowned to the host ids of the
 * container's 0, so that a systemd inside can build its own subtree. The limits' files
 * stay the host's. */
int cgroup_delegate(struct cgroup *cg, const struct ct_config *c, struct berth_error *err);

/* Move pid, a process exec'd in the container whose init is init, into cg; on v2, when
 * the container's systemd has made cg an inner node of its own subtree, into the init's
 * cgroup below cg. */
int cgroup_enter_exec(struct cgroup *cg, pid_t init, pid_t pid, struct berth_error *err);

/* The two halves of cgroup_apply. */
int cgroup_apply_v1(struct cgroup *cg, const struct ct_config *c, struct berth_error *err);
int cgroup_apply_v2(struct cgroup *cg, const struct ct_config *c, struct berth_error *err);

#endif
