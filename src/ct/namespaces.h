/* namespaces.h - creating, joining and mapping the container's namespaces. */
#ifndef BERTH_CT_NAMESPACES_H
#define BERTH_CT_NAMESPACES_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "ct/config.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* Saved namespaces of the runtime, restored after the container is cloned. */
struct ns_saved {
	int pid_fd, time_fd;
};

/* Whether the namespace of a CLONE_NEW* type is joined by path (not made). */
bool ns_joined(const struct ct_config *c, int type);

/* CLONE_NEW* flags to pass to clone(): new namespaces minus those made later. */
int ns_clone_flags(const struct ct_config *c);

/* Flags the child unshares itself after joining a user namespace by path. */
int ns_late_flags(const struct ct_config *c);

/* Reject combinations that cannot be built (a joined user ns with a new pid ns). */
int ns_check(const struct ct_config *c, struct berth_error *err);

/* Parent, before clone: point pid and time "for children" at the container's. */
int ns_parent_enter(const struct ct_config *c, struct ns_saved *saved, struct berth_error *err);

/* Parent, after clone: return pid and time "for children" to the runtime's own. */
void ns_parent_restore(struct ns_saved *saved);

/* Parent: write uid_map and gid_map of the child's new user namespace. */
int ns_write_idmaps(pid_t pid, const struct ct_config *c, struct berth_error *err);

/* Child: join the namespaces given by path (user first), except pid and time. */
int ns_join_paths(const struct ct_config *c, struct berth_error *err);

/* Join the namespaces of process pid that differ from ours: for_children picks pid and
 * time (which apply to later children), otherwise the rest, user first. */
int ns_join_process(pid_t pid, bool for_children, struct berth_error *err);

#endif
