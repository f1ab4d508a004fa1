/* spawn.h - running the helper programs a driver needs (berth-vmm, berth-ct): detached ones
 * that must outlive berthd, and short ones whose exit the driver waits for. Both get
 * stdin from /dev/null, no fds of berthd's, and their stderr appended to a log file. */
#ifndef BERTH_DAEMON_SPAWN_H
#define BERTH_DAEMON_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

/* What a child's stdin, stdout and stderr get: an fd of ours, or -1 for /dev/null. */
struct spawn_fds {
	int in, out, err;
};

/* posix_spawnp argv with its standard fds wired as fds says and every other fd closed,
 * signals unblocked and at their defaults, in a session of its own when setsid; envp NULL
 * passes ours. The child is ours to reap. */
int spawn_child(char *const argv[], char *const envp[], const struct spawn_fds *fds, bool setsid,
		pid_t *pid, struct berth_error *err);

/* Start argv (argv[0] is a path) in a session of its own, not as our child (it is reparented
 * to init, so it outlives berthd and never becomes our zombie); stdout and stderr appended
 * to log_path. *pid is its process id. Fails if it cannot be executed. */
int spawn_detached(char *const argv[], const char *log_path, long *pid, struct berth_error *err);

/* spawn_detached() with stdin in_fd (e.g. a listening socket the program serves). */
int spawn_detached_in(char *const argv[], int in_fd, const char *log_path, long *pid,
		      struct berth_error *err);

/* The cgroup a detached child enters before its execve: fds of its cgroup.procs files (one
 * per v1 hierarchy), opened by the caller. */
struct spawn_cgroup {
	const int *procs_fd;
	size_t n;
};

/* spawn_detached_in() whose child first enters cg (NULL: none); failing to is an error. */
int spawn_detached_into(char *const argv[], int in_fd, const struct spawn_cgroup *cg,
			const char *log_path, long *pid, struct berth_error *err);

struct jail;

/* spawn_detached_into() of a VMM in jail (jail.h): cloned into its namespaces, it enters cg
 * (NULL: none), then the jail before execve; a jail that cannot be made is an error saying
 * which step failed. *pid is its pid as berthd sees it (in its own PID namespace it is 1). */
int spawn_jailed(char *const argv[], const struct spawn_cgroup *cg, const char *log_path,
		 const struct jail *jail, long *pid, struct berth_error *err);

/* Run argv (argv[0] is a path) in a session of its own and wait up to timeout_ms for it
 * (then kill it: an error). stderr is appended to log_path; stdout too, unless out is given:
 * then up to out_size - 1 bytes of it land in out, NUL-terminated. *status is its wait
 * status. */
int spawn_run(char *const argv[], const char *log_path, char *out, size_t out_size, int timeout_ms,
	      int *status, struct berth_error *err);

/* Up to size - 1 bytes of what file path gained after offset `from` (the last bytes if it
 * gained more), NUL-terminated, trailing newlines removed; "" when nothing. */
void log_tail(const char *path, long from, char *buf, size_t size);

/* The current size of file path, 0 when it does not exist. */
long log_size(const char *path);

#endif
