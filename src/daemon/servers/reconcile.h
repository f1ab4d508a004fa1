/* reconcile.h - making the database and what exists agree: at start (after a crash or a
 * clean stop, servers kept running meanwhile) and then every few seconds for servers whose
 * process ended by itself. */
#ifndef BERTH_DAEMON_RECONCILE_H
#define BERTH_DAEMON_RECONCILE_H

#include "daemon/berthd.h"

/* At start, before serving: fail interrupted operations, forget unfinished imports, roll
 * back creating servers, finish deleting ones, adopt running ones that are alive and mark
 * the others stopped (restarting those with restart=always), remove stray .tmp dirs. */
int reconcile_start(struct berthd *d, struct berth_error *err);

/* Start the watcher thread: every RECONCILE_WATCH_S seconds, running servers whose
 * process is gone are marked stopped (and restarted when restart=always). */
int reconcile_watch(struct berthd *d, struct berth_error *err);

#define RECONCILE_WATCH_S 5

#endif
