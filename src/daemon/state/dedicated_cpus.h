/* dedicated_cpus.h - host CPUs held by one server alone, for a plan that says dedicated_cpus
 * (docs/berthd.md, "Dedicated CPUs"): rows of the dedicated_cpus table, whose primary key is
 * the CPU's number, so that no two servers can ever hold the same CPU. A server's CPUs go
 * with its row (a trigger); its VMM's cgroup gets them as its cpuset (vm_cgroup.c). */
#ifndef BERTH_DAEMON_DEDICATED_CPUS_H
#define BERTH_DAEMON_DEDICATED_CPUS_H

#include <sqlite3.h>
#include <stddef.h>

#include "common/error.h"

/* Give server the n lowest of CPUs 0..cores-1 that no server holds, inside the caller's
 * transaction. errnum ENOSPC (with what is free) when fewer than n are. */
int dedicated_cpus_pick(sqlite3 *db, unsigned cores, const char *server, unsigned n,
			struct berth_error *err);

/* How many CPUs server holds (0: none, its CPUs are shared); -1 on a database error. */
int dedicated_cpus_count(sqlite3 *db, const char *server, struct berth_error *err);

#endif
