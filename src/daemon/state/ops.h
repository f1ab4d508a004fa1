/* ops.h - operations: long work (creating, starting, stopping, deleting a server, importing
 * an image) run on a worker thread of its own and recorded in the operations table, so a
 * client can follow its progress and wait for it, with a time limit. */
#ifndef BERTH_DAEMON_OPS_H
#define BERTH_DAEMON_OPS_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>

#include "common/error.h"
#include "daemon/state/db.h"
#include "daemon/state/events.h"

#define OP_ID_LEN 32

struct ops {
	struct db *db;
	struct events *events;
	pthread_mutex_t lock;
	pthread_cond_t finished; /* broadcast when any operation ends */
	unsigned running;
	bool stopping;
};

struct op;

/* The work of an operation: 0 on success, else -1 with err (its message becomes the
 * operation's error). Runs on its own thread. */
typedef int (*op_fn)(struct op *op, void *arg, struct berth_error *err);

void ops_init(struct ops *ops, struct db *db, struct events *events);

/* Record an operation (kind "create", "start"...; target the API path of what it acts on)
 * and start fn(arg) on a new thread; id gets its id. free_arg(arg) runs when it ends, or
 * at once when it cannot start. */
int op_run(struct ops *ops, const char *kind, const char *target, op_fn fn, void *arg,
	   void (*free_arg)(void *), char id[OP_ID_LEN + 1], struct berth_error *err);

/* Report progress 0..100 of the operation ctx (a struct op *); a progress_fn. */
void op_progress(void *ctx, int percent);

/* The operation object for id: {"id","kind","target","status","progress","error"?,
 * "created","updated"}; NULL with ENOENT when there is none. */
json_t *ops_get(struct ops *ops, const char *id, struct berth_error *err);

/* The newest operations first, at most limit of them: an array of ops_get() objects. */
json_t *ops_list(struct ops *ops, unsigned limit, struct berth_error *err);

/* Mark operations still 'running' in the database as failed: berthd died under them. Also
 * forget finished ones older than a day. */
int ops_fail_interrupted(sqlite3 *db, struct berth_error *err);

/* Refuse new operations (berthd is stopping). */
void ops_stop(struct ops *ops);

#endif
