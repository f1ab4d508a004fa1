/* state.h - a container's record on disk (ROOT/ID/state.json) and its live status.
 *
 * The state directory also holds exec.fifo while the container is "created". A
 * record pins its process by pid and start time, so a recycled pid never passes
 * for the container. */
#ifndef BERTH_CT_STATE_H
#define BERTH_CT_STATE_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "ct/config.h"

#define STATE_DEFAULT_ROOT "/run/berth-ct"

struct ct_state {
	char *id;
	pid_t pid;
	unsigned long long start_time; /* /proc/PID/stat field 22 */
	char *bundle;
	char *rootfs;
	char *created; /* RFC 3339 */
	char *cgroup_path;
	char *owner;	    /* user name of the state directory's owner, "" when unknown */
	char **annotations; /* config.json's: key, value, ..., NULL; may be NULL */
};

/* Check a container id: 1-128 of [A-Za-z0-9_.+-], not starting with '.'. */
int state_check_id(const char *id, struct berth_error *err);

/* Path of FILE in the state directory of ID (NULL file = the directory); malloc'd. */
char *state_path(const char *root, const char *id, const char *file);

/* Make the state directory of a new container; EEXIST is reported by name. */
int state_create_dir(const char *root, const char *id, struct berth_error *err);

/* Remove the state directory of ID and what it holds. */
void state_remove_dir(const char *root, const char *id);

/* Write st atomically to ROOT/ID/state.json. */
int state_save(const char *root, const struct ct_state *st, struct berth_error *err);

/* Read ROOT/ID/state.json into a fresh record. A container that does not exist (no
 * state.json) fails with err->errnum ENOENT. */
int state_load(const char *root, const char *id, struct ct_state **out, struct berth_error *err);

/* The user name of the uid owning ROOT/ID, "" when it has none; malloc'd (NULL: ENOMEM). */
char *state_owner(const char *root, const char *id);

/* Keep the validated config.json bytes as ROOT/ID/config.json (atomically, mode 0600):
 * the commands after create read this copy, never the bundle, which may change. */
int state_save_config(const char *root, const char *id, const char *buf, size_t len,
		      struct berth_error *err);

/* Parse the config.json kept by state_save_config() for st. */
int state_load_config(const char *root, const struct ct_state *st, struct ct_config **out,
		      struct berth_error *err);

/* Free a record (NULL is fine). */
void state_free(struct ct_state *st);

/* A pidfd for the container's process, or -1 when it has exited (or its pid was reused). */
int state_pidfd(const struct ct_state *st);

/* "created", "running", "paused" or "stopped". */
const char *state_status(const char *root, const struct ct_state *st);

/* The OCI state JSON of st with the given status; malloc'd, NULL on ENOMEM. */
char *state_json(const struct ct_state *st, const char *status, bool pretty);

/* The start time of a process (field 22 of /proc/PID/stat), 0 when it is gone. */
unsigned long long state_proc_start_time(pid_t pid);

/* Current time as RFC 3339 with nanoseconds, into buf. */
void state_now(char *buf, size_t len);

static inline void state_freep(struct ct_state **st)
{
	state_free(*st);
}
#define _cleanup_state_ __attribute__((cleanup(state_freep)))

#endif
