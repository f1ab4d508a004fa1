/* reconcile.c - settling servers and images at start, and watching running servers. */
#include "daemon/servers/reconcile.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/images/copy.h"
#include "daemon/images/image_actions.h"
#include "daemon/servers/mounts.h"
#include "daemon/servers/server_actions.h"
#include "daemon/servers/vm_cgroup.h"
#include "daemon/state/server_rows.h"

/* Load every server row whose state is in mask, then call fn on each. */
static int each_server(struct berthd *d, unsigned mask,
		       void (*fn)(struct berthd *, struct server *), struct berth_error *err)
{
	sqlite3 *db = db_conn(&d->db, err);
	json_t *names, *v;
	struct server s;
	size_t i;

	if (!db)
		return -1;
	names = server_names(db, mask, err);
	if (!names)
		return -1;
	json_array_foreach(names, i, v)
	{
		if (server_load(db, d->state_dir, json_string_value(v), &s, err) == 0)
			fn(d, &s);
	}
	json_decref(names);
	return 0;
}

/* servers/X.tmp dirs belong to no server once creating rows are rolled back. */
static void remove_stray_tmp(struct berthd *d)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct berth_error err;
	struct dirent *e;
	size_t n;
	DIR *dp;

	if ((size_t)snprintf(dir, sizeof(dir), "%s/servers", d->state_dir) >= sizeof(dir))
		return;
	dp = opendir(dir);
	if (!dp)
		return;
	while ((e = readdir(dp))) {
		n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 4, ".tmp") ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= sizeof(path))
			continue;
		fprintf(stderr, "berthd: removing %s, left by a create cut short\n", path);
		if (unmount_below(path, &err) || remove_tree(path, &err))
			fprintf(stderr, "berthd: %s\n", err.msg);
	}
	closedir(dp);
}

int reconcile_start(struct berthd *d, struct berth_error *err)
{
	sqlite3 *db = db_conn(&d->db, err);

	if (!db || ops_fail_interrupted(db, err))
		return -1;
	image_settle(d);
	if (each_server(d, ~0u, server_settle, err))
		return -1;
	remove_stray_tmp(d);
	vm_cgroup_prune(&d->env); /* of VMs that ended, or were deleted, while berthd was down */
	net_reconcile(&d->net, db);
	return 0;
}

static void *watch(void *p)
{
	struct berthd *d = p;
	struct berth_error err;

	for (;;) {
		sleep(RECONCILE_WATCH_S);
		if (each_server(d, STATE_BIT(STATE_RUNNING), server_check, &err))
			fprintf(stderr, "berthd: watching servers: %s\n", err.msg);
		net_check(&d->net);
	}
	return NULL;
}

int reconcile_watch(struct berthd *d, struct berth_error *err)
{
	pthread_t t;
	int rc = pthread_create(&t, NULL, watch, d);

	if (rc)
		return berr(err, rc, "cannot start the server watcher");
	pthread_detach(t);
	return 0;
}
