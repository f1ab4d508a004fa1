/* vmm_api.h - a client of berth-vmm's control socket (docs/api-sock.md): one JSON request
 * line, one reply line, with a deadline so that a stuck VMM cannot block the daemon. */
#ifndef BERTH_DAEMON_VMM_API_H
#define BERTH_DAEMON_VMM_API_H

#include <jansson.h>

#include "common/error.h"

/* Send {"cmd":cmd} to the VMM listening on sock_path and return its reply object in *reply
 * (the caller json_decref()s it), waiting at most timeout_ms in all. A reply with
 * "ok":false is an error carrying the VMM's text. */
int vmm_api_call(const char *sock_path, const char *cmd, int timeout_ms, json_t **reply,
		 struct berth_error *err);

/* The pid the VMM at sock_path reports in its status, or 0 when it does not answer. */
long vmm_api_pid(const char *sock_path, int timeout_ms);

#endif
