/* exec.h - `exec`: a new process inside a running container's namespaces and cgroup. */
#ifndef BERTH_CT_EXEC_H
#define BERTH_CT_EXEC_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

struct exec_opts {
	const char *root, *id;
	const char *process_file;   /* --process: a process.json, else args below */
	char **args;		    /* NULL-terminated command, when no --process */
	char **env;		    /* NULL-terminated --env additions */
	const char *cwd, *user;	    /* --cwd, --user UID[:GID] */
	const char *pid_file;	    /* --pid-file */
	const char *console_socket; /* --console-socket */
	bool tty, detach;
	int preserve_fds; /* --preserve-fds */
};

/* Run the process; unless detach, wait and put its exit status in *status. */
int exec_run(const struct exec_opts *o, int *status, struct berth_error *err);

#endif
