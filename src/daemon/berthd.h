/* berthd.h - the daemon as a whole: what every handler and worker reaches through one
 * pointer (settings, capacity, database, operations, events, the drivers' environment,
 * networks). */
#ifndef BERTH_DAEMON_BERTHD_H
#define BERTH_DAEMON_BERTHD_H

#include <limits.h>

#include "daemon/config.h"
#include "daemon/state/db.h"
#include "daemon/servers/driver.h"
#include "daemon/state/events.h"
#include "daemon/state/ledger.h"
#include "daemon/net/net.h"
#include "daemon/state/ops.h"

struct berthd {
	char state_dir[PATH_MAX]; /* absolute */
	struct config cfg;
	struct capacity cap;
	struct db db;
	struct ops ops;
	struct events events;
	struct driver_env env;
	struct net net;
};

#endif
