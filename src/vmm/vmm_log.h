/* vmm_log.h - berth-vmm's own messages into a capped log file (--log PATH[,max=SIZE]).
 *
 * berthd runs berth-vmm detached with its output in the server's vmm.log. Log lines a guest
 * can cause are rate-limited (common/ratelog.h), but over weeks even those add up, so with
 * --log stdout and stderr become streams whose every write goes through a caplog: past the
 * cap, PATH becomes PATH.1 and a new PATH starts, as the console log does. fds 1 and 2 are
 * kept on the current file for whatever writes to them directly (a library, say). */
#ifndef BERTH_VMM_VMM_LOG_H
#define BERTH_VMM_VMM_LOG_H

#include <stdint.h>

#include "common/error.h"

/* Send stdout and stderr to path, capped at max bytes (0: no cap, else >= CAPLOG_MIN). */
int vmm_log_open(const char *path, uint64_t max, struct berth_error *err);

#endif
