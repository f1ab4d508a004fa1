/* Unit tests for src/ct/names.c and the pure helpers of cgroup.c and state.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "ct/cgroup.h"
#include "ct/config.h"
#include "ct/names.h"
#include "ct/state.h"

static void signals(void **state)
{
	(void)state;
	assert_int_equal(names_signal("SIGTERM"), SIGTERM);
	assert_int_equal(names_signal("term"), SIGTERM);
	assert_int_equal(names_signal("KILL"), SIGKILL);
	assert_int_equal(names_signal("9"), 9);
	assert_int_equal(names_signal("SIGRTMIN+2"), SIGRTMIN + 2);
	assert_int_equal(names_signal("RTMAX-1"), SIGRTMAX - 1);
	assert_int_equal(names_signal("0"), -1);
	assert_int_equal(names_signal("65"), -1);
	assert_int_equal(names_signal("9x"), -1);
	assert_int_equal(names_signal("SIGNOPE"), -1);
	assert_int_equal(names_signal("RTMIN+99"), -1);
}

static void tables(void **state)
{
	uint32_t v;

	(void)state;
	assert_int_equal(names_rlimit("RLIMIT_NOFILE"), RLIMIT_NOFILE);
	assert_int_equal(names_rlimit("NOFILE"), -1);
	assert_int_equal(names_namespace("network"), CLONE_NEWNET);
	assert_int_equal(names_namespace("net"), 0);
	assert_string_equal(names_namespace_file(CLONE_NEWNS), "mnt");
	assert_string_equal(names_namespace_name(CLONE_NEWUSER), "user");
	assert_int_equal(names_mount_flag("ro")->flag, MS_RDONLY);
	assert_true(names_mount_flag("rw")->clear);
	assert_true(names_mount_flag("rslave")->propagation);
	assert_null(names_mount_flag("size=1m"));
	assert_int_equal(names_seccomp_action("SCMP_ACT_ERRNO", CT_UNSET, &v), 0);
	assert_int_equal(v, SCMP_ACT_ERRNO(1));
	assert_int_equal(names_seccomp_action("SCMP_ACT_ERRNO", 13, &v), 0);
	assert_int_equal(v, SCMP_ACT_ERRNO(13));
	assert_int_equal(names_seccomp_action("SCMP_ACT_ALLOW", 13, &v), 0);
	assert_int_equal(v, SCMP_ACT_ALLOW);
	assert_int_equal(names_seccomp_action("ALLOW", CT_UNSET, &v), -1);
	assert_int_equal(names_seccomp_op("SCMP_CMP_GE"), SCMP_CMP_GE);
	assert_int_equal(names_seccomp_op("GE"), -1);
	assert_int_equal(names_seccomp_arch("SCMP_ARCH_AARCH64", &v), 0);
	assert_int_equal(v, SCMP_ARCH_AARCH64);
	assert_int_equal(names_seccomp_arch("SCMP_ARCH_", &v), -1);
	assert_int_equal(names_seccomp_flag("SECCOMP_FILTER_FLAG_TSYNC"), CT_SECCOMP_FLAG_TSYNC);
	assert_int_equal(names_seccomp_flag(NULL), 0);
	assert_string_equal(names_list(NAMES_NAMESPACES, 0), "pid");
	assert_null(names_list(NAMES_NAMESPACES, 100));
	assert_null(names_list(-1, 0));
}

static void cgroup_paths(void **state)
{
	char *p;

	(void)state;
	p = cgroup_resolve_path(NULL, "abc");
	assert_string_equal(p, "/berth-ct/abc");
	free(p);
	p = cgroup_resolve_path("/x/y", "abc");
	assert_string_equal(p, "/x/y");
	free(p);
	p = cgroup_resolve_path("x/y", "abc");
	assert_string_equal(p, "/x/y");
	free(p);
	p = cgroup_resolve_path("machine.slice:libpod:abc", "abc");
	assert_string_equal(p, "/machine.slice/libpod-abc.scope");
	free(p);
}

static void container_ids(void **state)
{
	struct berth_error err;
	char long_id[200];

	(void)state;
	assert_int_equal(state_check_id("abc-1_2.3+4", &err), 0);
	assert_int_equal(state_check_id("", &err), -1);
	assert_int_equal(state_check_id(".hidden", &err), -1);
	assert_int_equal(state_check_id("a/b", &err), -1);
	assert_int_equal(state_check_id("..", &err), -1);
	assert_non_null(strstr(err.msg, "invalid"));
	memset(long_id, 'a', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	assert_int_equal(state_check_id(long_id, &err), -1);
}

static void state_json_fields(void **state)
{
	struct ct_state st = { .id = "c1",
			       .pid = 42,
			       .bundle = "/b",
			       .rootfs = "/b/r",
			       .created = "2024-01-01T00:00:00.000000000Z",
			       .owner = "root" };
	char *s;

	(void)state;
	s = state_json(&st, "running", false);
	assert_non_null(strstr(s, "\"id\":\"c1\""));
	assert_non_null(strstr(s, "\"pid\":42"));
	assert_non_null(strstr(s, "\"status\":\"running\""));
	assert_non_null(strstr(s, "\"ociVersion\""));
	free(s);
	s = state_json(&st, "stopped", false);
	assert_non_null(strstr(s, "\"pid\":0"));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(signals),	     cmocka_unit_test(tables),
		cmocka_unit_test(cgroup_paths),	     cmocka_unit_test(container_ids),
		cmocka_unit_test(state_json_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
