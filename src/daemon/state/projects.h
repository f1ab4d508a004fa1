/* projects.h - projects (tenants): every server and image is one project's, and a project
 * may have a quota of vCPUs, memory (the RAM its servers are sold, without VMM overhead)
 * and disk (its servers' disks and its images). The ledger checks a reservation against its
 * project's quota inside the same transaction that checks the host's capacity
 * (ledger.h), so neither is oversold. 'default' holds what was made before projects. */
#ifndef BERTH_DAEMON_PROJECTS_H
#define BERTH_DAEMON_PROJECTS_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

#define PROJECT_DEFAULT "default"

/* A project's limits; 0 is no limit. */
struct quota {
	uint64_t cpus, memory, disk;
};

/* What a project's servers and images hold. */
struct project_use {
	uint64_t cpus, memory, disk;
};

/* Refuse (ENOSPC, the message says what is left of which quota of project) when used plus
 * cpus/memory/disk passes q. Pure arithmetic, overflow-safe. */
int quota_check(const char *project, const struct quota *q, const struct project_use *used,
		uint64_t cpus, uint64_t memory, uint64_t disk, struct berth_error *err);

/* project's quota (ENOENT "no project" when there is none) and what its rows hold, but
 * server except (NULL: none). Call inside the ledger's transaction. */
int project_read(sqlite3 *db, const char *project, const char *except, struct quota *q,
		 struct project_use *used, struct berth_error *err);

/* Record project name with quota q (EEXIST when taken). */
int project_create(sqlite3 *db, const char *name, const struct quota *q, struct berth_error *err);

/* Set the limits of q that are not UINT64_MAX (0 lifts one). ENOENT when no project. */
int project_set(sqlite3 *db, const char *name, const struct quota *q, struct berth_error *err);

/* Delete a project with no servers, images or tokens (EBUSY otherwise; 'default' never). */
int project_delete(sqlite3 *db, const char *name, struct berth_error *err);

/* {"name","quota":{cpus,memory,disk},"used":{...},"servers":N,"created"} of one, or all. */
json_t *project_json(sqlite3 *db, const char *name, struct berth_error *err);
json_t *project_json_list(sqlite3 *db, struct berth_error *err);

/* ENOENT when there is no project name. */
int project_exists(sqlite3 *db, const char *name, struct berth_error *err);

/* Is the server (table "servers"), image ("images") or operation ("operations") name
 * project's? false when none. */
bool project_owns(sqlite3 *db, const char *project, const char *table, const char *name);

#endif
