/* Unit tests for src/daemon/state/projects.c: quota arithmetic (limits, no limit, no
 * wrap-around), and the ledger checking a project's quota in the transaction that checks the
 * host: a refused reservation leaves nothing behind. */
#include "testlib.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/state/db.h"
#include "daemon/state/ledger.h"
#include "daemon/state/projects.h"

#define GIB (1ULL << 30)

static void quota_arithmetic(void **state)
{
	struct quota none = { 0 }, q = { .cpus = 4, .memory = 4 * GIB, .disk = 10 * GIB };
	struct project_use used = { .cpus = 3, .memory = 3 * GIB, .disk = 9 * GIB };
	struct berth_error err = { 0 };

	(void)state;
	/* no limit: anything goes, however large */
	assert_int_equal(quota_check("p", &none, &used, UINT64_MAX, UINT64_MAX, UINT64_MAX, &err),
			 0);
	/* exactly what is left fits */
	assert_int_equal(quota_check("p", &q, &used, 1, GIB, GIB, &err), 0);
	/* one more of each does not, and the message names the project and the rest */
	assert_int_equal(quota_check("p", &q, &used, 2, GIB, GIB, &err), -1);
	assert_int_equal(err.errnum, ENOSPC);
	assert_non_null(
	    strstr(err.msg, "project p's quota: not enough CPUs: asked 2, free 1 of 4"));
	assert_int_equal(quota_check("p", &q, &used, 1, GIB + 1, GIB, &err), -1);
	assert_non_null(strstr(err.msg, "memory"));
	assert_int_equal(quota_check("p", &q, &used, 1, GIB, GIB + 1, &err), -1);
	assert_non_null(strstr(err.msg, "disk"));
	/* a request near 2^64 must not wrap past the limit */
	assert_int_equal(quota_check("p", &q, &used, UINT64_MAX - 1, 0, 0, &err), -1);
	assert_int_equal(quota_check("p", &q, &used, 0, UINT64_MAX - GIB, 0, &err), -1);
	/* already over (a quota lowered below what is held): nothing more */
	used.cpus = 5;
	assert_int_equal(quota_check("p", &q, &used, 0, 0, 0, &err), 0);
	assert_int_equal(quota_check("p", &q, &used, 1, 0, 0, &err), -1);
	assert_non_null(strstr(err.msg, "free 0 of 4"));
}

static int count_servers(sqlite3 *c)
{
	sqlite3_stmt *st;
	int n;

	assert_int_equal(sqlite3_prepare_v2(c, "SELECT count(*) FROM servers", -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void ledger_checks_the_quota(void **state)
{
	char dir[] = "/tmp/berthd-projects.XXXXXX", path[64], cmd[96];
	struct capacity cap = { .host_cpus = 16,
				.host_memory = 64 * GIB,
				.overcommit = 1.0,
				.cpus = 16,
				.memory = 64 * GIB,
				.state_dir = dir,
				.idmap_start = 1000000,
				.idmap_count = 1000000000 };
	struct quota q = { .cpus = 2, .memory = 2 * GIB, .disk = UINT64_MAX };
	struct server_spec s = { .kind = KIND_CT, .privileged = true, .cpus = 2, .memory = GIB };
	struct berth_error err = { 0 };
	bool running;
	sqlite3 *c;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/berth.db", dir);
	assert_int_equal(db_connect(path, &c, &err), 0);
	assert_int_equal(db_migrate(c, &err), 0);
	assert_int_equal(project_create(c, "team", &q, &err), 0);
	assert_int_equal(project_create(c, "team", &q, &err), -1);
	assert_int_equal(err.errnum, EEXIST);
	assert_int_equal(db_exec(c,
				 "INSERT INTO images (name, kind, state, size, created, project) "
				 "VALUES ('img', 'ct', 'ready', 0, 0, 'team');",
				 &err),
			 0);
	strcpy(s.image, "img");
	strcpy(s.project, "team");
	strcpy(s.name, "a");
	assert_int_equal(ledger_reserve(c, &cap, &s, &err), 0);
	/* the host has room, the project's quota does not: refused, nothing recorded */
	strcpy(s.name, "b");
	s.cpus = 1;
	assert_int_equal(ledger_reserve(c, &cap, &s, &err), -1);
	assert_int_equal(err.errnum, ENOSPC);
	assert_non_null(strstr(err.msg, "project team's quota"));
	assert_int_equal(count_servers(c), 1);
	/* another project's image is not there for it */
	strcpy(s.project, "default");
	assert_int_equal(ledger_reserve(c, &cap, &s, &err), -1);
	assert_int_equal(err.errnum, ENOENT);
	/* no such project */
	strcpy(s.project, "nope");
	assert_int_equal(ledger_reserve(c, &cap, &s, &err), -1);
	assert_int_equal(err.errnum, ENOENT);
	/* a resize is held to the quota too, its own reservation left out */
	assert_int_equal(db_exec(c, "UPDATE servers SET state = 'stopped'", &err), 0);
	assert_int_equal(ledger_resize(c, &cap, "a", 2, 2 * GIB, 0, &running, &err), 0);
	assert_int_equal(ledger_resize(c, &cap, "a", 3, 0, 0, &running, &err), -1);
	assert_int_equal(err.errnum, ENOSPC);
	/* lifting the limit lets it; a project with a server is not deleted */
	q = (struct quota){ .cpus = 0, .memory = UINT64_MAX, .disk = UINT64_MAX };
	assert_int_equal(project_set(c, "team", &q, &err), 0);
	assert_int_equal(ledger_resize(c, &cap, "a", 3, 0, 0, &running, &err), 0);
	assert_int_equal(project_delete(c, "team", &err), -1);
	assert_int_equal(err.errnum, EBUSY);
	assert_int_equal(project_delete(c, "default", &err), -1);
	sqlite3_close_v2(c);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(quota_arithmetic),
		cmocka_unit_test(ledger_checks_the_quota),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
