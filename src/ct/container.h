/* container.h - the lifecycle operations of the OCI command line: create, start,
 * kill, delete, pause/resume, ps, and run (create + start + wait + delete). */
#ifndef BERTH_CT_CONTAINER_H
#define BERTH_CT_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"

struct container_opts {
	const char *root; /* state root (--root) */
	const char *id;
	const char *bundle;	    /* --bundle, default "." */
	const char *pid_file;	    /* --pid-file or NULL */
	const char *console_socket; /* --console-socket or NULL */
	int preserve_fds;	    /* --preserve-fds: fds 3..3+N-1 pass to the container */
};

/* Create the container: it waits in its namespaces for `start`. *pid gets its pid. */
int container_create(const struct container_opts *o, pid_t *pid, struct berth_error *err);

/* Let a created container run process.args, then run the poststart hooks. */
int container_start(const char *root, const char *id, struct berth_error *err);

/* Send sig to the container's process (all its processes when all). */
int container_kill(const char *root, const char *id, int sig, bool all, struct berth_error *err);

/* Remove a stopped (or, with force, any) container: processes, cgroup, state. */
int container_delete(const char *root, const char *id, bool force, struct berth_error *err);

/* Freeze (pause) or thaw (resume) a running container. */
int container_pause(const char *root, const char *id, bool pause, struct berth_error *err);

/* Print the container's processes: pids as a JSON array, or a PID/CMD table. */
int container_ps(const char *root, const char *id, bool json, struct berth_error *err);

/* create + start; unless detach, wait, delete, and return the exit status in *status. */
int container_run(const struct container_opts *o, bool detach, int *status,
		  struct berth_error *err);

/* Print the state JSON of one container. */
int container_state(const char *root, const char *id, struct berth_error *err);

/* Print all containers under root: a table, or a JSON array. */
int container_list(const char *root, bool json, bool quiet, struct berth_error *err);

/* Write pid to path atomically. */
int container_write_pid_file(const char *path, pid_t pid, struct berth_error *err);

#endif
