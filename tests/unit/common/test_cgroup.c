/* Unit tests for src/common/cgroup.c: this process's own cgroup as /proc/self/cgroup says,
 * and handles below it (nothing is created). */
#include "testlib.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cgroup.h"
#include "common/cleanup.h"

/* Every controller of every v1 line gives that line's path; the v2 line ("0::") gives its
 * path for NULL. */
static void self_path_per_hierarchy(void **state)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
	char line[4096];
	bool v2 = false;

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *list = strchr(line, ':') + 1, *path = strchr(list, ':'), *tok, *save;

		*path++ = '\0';
		path[strcspn(path, "\n")] = '\0';
		if (!*list) {
			_cleanup_free_ char *p = cgroup_self_path(NULL);

			assert_non_null(p);
			assert_string_equal(p, path);
			v2 = true;
			continue;
		}
		for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			_cleanup_free_ char *p = cgroup_self_path(tok);

			assert_non_null(p);
			assert_string_equal(p, path);
		}
	}
	if (!v2)
		assert_null(cgroup_self_path(NULL));
	assert_null(cgroup_self_path("no-such-controller"));
	/* a prefix of a controller's name is not that controller */
	assert_null(cgroup_self_path("cpuac"));
}

/* Another process's cgroup: its /proc/PID/cgroup (our own pid: what self gives); a pid that
 * does not exist has none. */
static void pid_path(void **state)
{
	_cleanup_free_ char *self = cgroup_self_path("name=systemd"), *mine = NULL;
	_cleanup_free_ char *v2 = cgroup_self_path(NULL), *v2_mine = NULL;

	(void)state;
	mine = cgroup_pid_path(getpid(), "name=systemd");
	v2_mine = cgroup_pid_path(getpid(), NULL);
	if (self)
		assert_string_equal(mine, self);
	else
		assert_null(mine);
	if (v2)
		assert_string_equal(v2_mine, v2);
	else
		assert_null(v2_mine);
	assert_null(cgroup_pid_path(-1, NULL));
}

static void put(const char *dir, const char *sub, const char *text)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Make cgroup dir/sub, with procs as its cgroup.procs (NULL: none, as a cgroup that went). */
static void child(const char *dir, const char *sub, const char *procs)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	assert_int_equal(mkdir(path, 0755), 0);
	if (procs)
		put(path, "cgroup.procs", procs);
}

/* The pids of a cgroup and of those below it (a container's systemd makes them), from a tree
 * shaped like one: a cgroup that went meanwhile (no cgroup.procs) is skipped. */
static void read_pids_tree(void **state)
{
	char dir[] = "/tmp/berth-cgroup-test.XXXXXX", cmd[4300];
	_cleanup_free_ pid_t *pids = NULL;
	struct berth_error err;
	size_t n = 0;
	long sum = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	put(dir, "cgroup.procs", "1\n2\n");
	child(dir, "init.scope", "30\n");
	child(dir, "system.slice", "");
	child(dir, "system.slice/dbus.service", "400\n");
	child(dir, "gone.scope", NULL);
	assert_int_equal(cgroup_read_pids(dir, &pids, &n, &err), 0);
	assert_int_equal(n, 4);
	for (size_t i = 0; i < n; i++)
		sum += pids[i];
	assert_int_equal(sum, 433);
	free(pids);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(cgroup_read_pids(dir, &pids, &n, &err), -1);
	assert_int_equal(err.errnum, ENOENT);
}

/* On v2 a handle below self is self's path joined with it; on v1 it stays relative, each
 * hierarchy adding its own prefix. */
static void open_below_self(void **state)
{
	_cleanup_cgroup_ struct cgroup *cg = NULL;
	_cleanup_free_ char *self = cgroup_self_path(NULL);
	struct berth_error err;
	char want[4200];

	(void)state;
	assert_int_equal(cgroup_open_below_self("/x/y", &cg, &err), 0);
	if (cg->ops == &cgroup_v1_ops) {
		assert_string_equal(cg->path, "/x/y");
		assert_true(cg->below_self);
		return;
	}
	snprintf(want, sizeof(want), "%s/x/y", strcmp(self, "/") ? self : "");
	assert_string_equal(cg->path, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(self_path_per_hierarchy),
		cmocka_unit_test(pid_path),
		cmocka_unit_test(read_pids_tree),
		cmocka_unit_test(open_below_self),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
