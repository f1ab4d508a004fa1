/* Unit tests for src/common/cgroup.c: this process's own cgroup as /proc/self/cgroup says,
 * and handles below it (nothing is created). */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		cmocka_unit_test(open_below_self),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
