/* Unit tests for src/ct/sysctl.c: runc's rule of which sysctl keys a container's
 * namespaces cover, and the refusal of every other key at create. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sched.h>

#include "ct/config.h"
#include "ct/sysctl.h"

static void keys_map_to_namespaces(void **state)
{
	static const char *const ipc[] = { "kernel.shmmax",	     "kernel.shmall",
					   "kernel.shm_rmid_forced", "kernel.shm_next_id",
					   "kernel.msgmax",	     "kernel.msgmnb",
					   "kernel.msg_next_id",     "kernel.sem",
					   "kernel.sem_next_id",     "fs.mqueue.msg_max" };
	static const char *const global[] = {
		"kernel.printk_ratelimit", "kernel.semx", "kernel.sem_next", "kernel.pid_max",
		"vm.swappiness",	   "fs.mqueue",	  "fs.file-max",     "netx.foo",
		"kernel.hostnamex",	   "kernel"
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ipc) / sizeof(ipc[0]); i++)
		assert_int_equal(sysctl_namespace(ipc[i]), CLONE_NEWIPC);
	for (i = 0; i < sizeof(global) / sizeof(global[0]); i++)
		assert_int_equal(sysctl_namespace(global[i]), 0);
	assert_int_equal(sysctl_namespace("net.ipv4.ip_forward"), CLONE_NEWNET);
	assert_int_equal(sysctl_namespace("net.core.somaxconn"), CLONE_NEWNET);
	assert_int_equal(sysctl_namespace("kernel.hostname"), CLONE_NEWUTS);
	assert_int_equal(sysctl_namespace("kernel.domainname"), CLONE_NEWUTS);
}

/* Parse a config with these namespaces (a JSON array body) and one sysctl, and check it. */
static int check(const char *namespaces, const char *key, struct berth_error *err)
{
	char json[1024];
	struct ct_config *c = NULL;
	int rc;

	snprintf(json, sizeof(json),
		 "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"/r\"},"
		 "\"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"},"
		 "\"linux\": {\"namespaces\": [{\"type\": \"mount\"}%s],"
		 "\"sysctl\": {\"%s\": \"1\"}}}",
		 namespaces, key);
	assert_int_equal(config_parse(json, strlen(json), "/b", &c, err), 0);
	rc = sysctl_check(c, err);
	config_free(c);
	return rc;
}

static void check_needs_the_namespace(void **state)
{
	struct berth_error err;

	(void)state;
	assert_int_equal(check("", "kernel.printk_ratelimit", &err), -1);
	assert_non_null(strstr(err.msg, "`kernel.printk_ratelimit` is not in a separate kernel "
					"namespace"));
	/* even with every namespace */
	assert_int_equal(check(",{\"type\":\"ipc\"},{\"type\":\"network\"},{\"type\":\"uts\"}",
			       "vm.overcommit_memory", &err),
			 -1);
	assert_int_equal(check(",{\"type\":\"network\"}", "net.ipv4.ip_forward", &err), 0);
	assert_int_equal(check("", "net.ipv4.ip_forward", &err), -1);
	assert_non_null(
	    strstr(err.msg, "`net.ipv4.ip_forward` needs the container's own network namespace"));
	assert_int_equal(check(",{\"type\":\"ipc\"}", "kernel.shmmax", &err), 0);
	assert_int_equal(check(",{\"type\":\"network\"}", "kernel.shmmax", &err), -1);
	assert_non_null(strstr(err.msg, "own ipc namespace"));
	assert_int_equal(check(",{\"type\":\"ipc\"}", "fs.mqueue.queues_max", &err), 0);
	assert_int_equal(check(",{\"type\":\"uts\"}", "kernel.domainname", &err), 0);
	assert_int_equal(check(",{\"type\":\"ipc\"}", "kernel.hostname", &err), -1);
}

static void check_refuses_the_runtimes_own_namespace(void **state)
{
	struct berth_error err;

	(void)state;
	/* joined by path, the runtime's own network namespace is the host's */
	assert_int_equal(check(",{\"type\":\"network\",\"path\":\"/proc/self/ns/net\"}",
			       "net.ipv4.ip_forward", &err),
			 -1);
	assert_non_null(strstr(err.msg, "not the host's"));
	assert_int_equal(
	    check(",{\"type\":\"ipc\",\"path\":\"/proc/self/ns/ipc\"}", "kernel.msgmax", &err), -1);
	assert_int_equal(check(",{\"type\":\"network\",\"path\":\"/nonexistent/ns\"}",
			       "net.ipv4.ip_forward", &err),
			 -1);
	assert_non_null(strstr(err.msg, "/nonexistent/ns"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keys_map_to_namespaces),
		cmocka_unit_test(check_needs_the_namespace),
		cmocka_unit_test(check_refuses_the_runtimes_own_namespace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
