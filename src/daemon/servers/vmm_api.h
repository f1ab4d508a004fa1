/* vmm_api.h - a client of berth-vmm's control socket (docs/api-sock.md): one JSON request
 * line, one reply line, with a deadline so that a stuck VMM cannot block the daemon. */
#ifndef BERTH_DAEMON_VMM_API_H
#define BERTH_DAEMON_VMM_API_H

#include <jansson.h>
#include <sys/types.h>

#include "common/error.h"

/* Send {"cmd":cmd} to the VMM listening on sock_path and return its reply object in *reply
 * (the caller json_decref()s it), waiting at most timeout_ms in all. A reply with
 * "ok":false is an error carrying the VMM's text. */
int vmm_api_call(const char *sock_path, const char *cmd, int timeout_ms, json_t **reply,
		 struct berth_error *err);

#define VMM_API_ANY_UID ((uid_t)-1)

/* vmm_api_call() to a VMM that must run as uid (a jailed VM's own): a socket served by
 * another uid is refused unasked (EPERM). */
int vmm_api_call_uid(const char *sock_path, const char *cmd, uid_t uid, int timeout_ms,
		     json_t **reply, struct berth_error *err);

/* The pid of the VMM that answers `status` at sock_path, as the kernel gives it for the
 * socket's listener (SO_PEERCRED: in berthd's PID namespace, also for a jailed VMM), or 0
 * when it does not answer. */
long vmm_api_pid(const char *sock_path, int timeout_ms);

/* vmm_api_pid() of a VMM that must run as uid (VMM_API_ANY_UID: any). */
long vmm_api_pid_uid(const char *sock_path, uid_t uid, int timeout_ms);

#endif
