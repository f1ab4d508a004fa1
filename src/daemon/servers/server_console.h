/* server_console.h - where a server's console is reached (STATE_DIR/console/NAME.sock,
 * served by berth-vmm for a VM and by a berth-console keeper for a container), the keeper's
 * start, and `berth exec` sessions (berth-console exec). */
#ifndef BERTH_DAEMON_SERVER_CONSOLE_H
#define BERTH_DAEMON_SERVER_CONSOLE_H

#include <limits.h>
#include <stdbool.h>

#include "common/error.h"
#include "daemon/servers/driver.h"

/* One `berth exec` request. */
struct exec_request {
	char **command;	 /* COMMAND ARGS..., NULL-terminated, at least one */
	char **env;	 /* K=V..., NULL-terminated */
	const char *cwd; /* or NULL */
	bool tty;
};

/* out = STATE_DIR/console/NAME.sock, the directory made (mode 2750, group berth
 * when it exists) if missing. */
int console_socket(const struct driver_env *e, const char *name, char out[PATH_MAX],
		   struct berth_error *err);

/* Start the keeper of container s's terminal, detached (it outlives berthd and ends with
 * the container's terminal); rt gets the socket to give berth-ct's --console-socket. */
int console_keeper_start(const struct server *s, const struct driver_env *e, char rt[PATH_MAX],
			 long *pid, struct berth_error *err);

/* Remove what a stopped server's console leaves: a socket nobody listens on, and a
 * container's keeper still waiting for a runtime that never came (berthd killed mid-start). */
void console_cleanup(const struct server *s, const struct driver_env *e);

/* Start an exec session in running container s: sock gets its single-use socket, which
 * goes away after its first client or 30 s without one. */
int console_exec_start(const struct server *s, const struct driver_env *e,
		       const struct exec_request *rq, char sock[PATH_MAX], struct berth_error *err);

#endif
