/* Unit tests for src/daemon/config.c and src/daemon/options.c. */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "daemon/config.h"
#include "daemon/options.h"

static void defaults(void **state)
{
	struct config c;

	(void)state;
	config_defaults(&c);
	assert_true(c.cpu_overcommit == 1.0);
	assert_int_equal(c.host_reserve_cpus, 0);
	assert_int_equal(c.console_log_max, 1 << 20);
	assert_int_equal(c.image_max_size, 64ULL << 30);
	assert_int_equal(c.http_per_user, 64);
	assert_int_equal(c.http_root_reserve, 16);
	assert_int_equal(c.http_header_timeout, 10);
	assert_int_equal(c.http_body_rate, 1024);
	assert_int_equal(c.http_idle_timeout, 60);
	/* containers' ids: 1000000 on, ending below the VMM jails' 1500000000 */
	assert_int_equal(c.idmap_start, 1000000);
	assert_int_equal(c.idmap_count, 1000000000);
	assert_false(c.idmap_shift);
	assert_int_equal(c.vmm_ids_start, 1500000000u);
	assert_int_equal(c.vmm_ids_count, 65536);
	assert_true(c.network);
	assert_string_equal(c.bridge, "");
	assert_true(c.isolate_servers);
	assert_int_equal(c.nplans, 3);
	assert_string_equal(config_plan(&c, "small")->name, "small");
	assert_int_equal(config_plan(&c, "small")->memory, 536870912);
	assert_int_equal(config_plan(&c, "small")->disk, 2147483648);
	assert_null(config_plan(&c, "huge"));
}

static void parses_settings(void **state)
{
	struct berth_error err = { 0 };
	struct config c;
	const char *text = "# comment\n"
			   "\n"
			   "host_reserve_cpus = 1\n"
			   "  host_reserve_memory=2G  \n"
			   "cpu_overcommit = 2.5\n"
			   "vmm_path = /opt/berth/berth-vmm\n"
			   "console_path = /opt/berth/berth-console\n"
			   "console_log_max = 4M\n"
			   "image_max_size = 2G\n"
			   "http_per_user = 8\n"
			   "http_root_reserve = 4\n"
			   "http_header_timeout = 5\n"
			   "http_body_rate = 4096\n"
			   "http_idle_timeout = 30\n"
			   "vmm_ids = 2000000000:1000\n"
			   "network = none\n"
			   "bridge = br-test0\n"
			   "isolate_servers = no\n"
			   "plan = tiny 1 128M 1G\n"
			   "plan = big 8 16G 100G\n"
			   "plan = capped 2 1G 10G disk_iops=500 net_bps=10M\n"
			   "plan = all 2 1G 10G net_bps=1G disk_bps=100M disk_iops=3000\n"
			   "plan = own 2 1G 10G dedicated_cpus disk_iops=10\n";

	(void)state;
	config_defaults(&c);
	assert_int_equal(config_parse(text, "t.conf", &c, &err), 0);
	assert_int_equal(c.host_reserve_cpus, 1);
	assert_int_equal(c.host_reserve_memory, 2ULL << 30);
	assert_true(c.cpu_overcommit == 2.5);
	assert_string_equal(c.vmm_path, "/opt/berth/berth-vmm");
	assert_string_equal(c.ct_path, "");
	assert_string_equal(c.console_path, "/opt/berth/berth-console");
	assert_int_equal(c.console_log_max, 4ULL << 20);
	assert_int_equal(c.image_max_size, 2ULL << 30);
	assert_int_equal(c.http_per_user, 8);
	assert_int_equal(c.http_root_reserve, 4);
	assert_int_equal(c.http_header_timeout, 5);
	assert_int_equal(c.http_body_rate, 4096);
	assert_int_equal(c.http_idle_timeout, 30);
	assert_int_equal(c.vmm_ids_start, 2000000000u);
	assert_int_equal(c.vmm_ids_count, 1000);
	assert_false(c.network);
	assert_string_equal(c.bridge, "br-test0");
	assert_false(c.isolate_servers);
	assert_int_equal(config_parse("network = auto\nbridge = none\n", "t.conf", &c, &err), 0);
	assert_true(c.network);
	assert_string_equal(c.bridge, "");
	assert_int_equal(c.nplans, 5);
	assert_null(config_plan(&c, "small"));
	assert_int_equal(config_plan(&c, "big")->cpus, 8);
	assert_int_equal(config_plan(&c, "tiny")->memory, 128ULL << 20);
	/* a plan line of before (no limits) stays valid: no limits */
	assert_int_equal(config_plan(&c, "big")->limits.disk_iops, 0);
	assert_int_equal(config_plan(&c, "big")->limits.disk_bps, 0);
	assert_int_equal(config_plan(&c, "big")->limits.net_bps, 0);
	assert_int_equal(config_plan(&c, "capped")->disk, 10ULL << 30);
	assert_int_equal(config_plan(&c, "capped")->limits.disk_iops, 500);
	assert_int_equal(config_plan(&c, "capped")->limits.disk_bps, 0);
	assert_int_equal(config_plan(&c, "capped")->limits.net_bps, 10ULL << 20);
	assert_int_equal(config_plan(&c, "all")->limits.disk_iops, 3000);
	assert_int_equal(config_plan(&c, "all")->limits.disk_bps, 100ULL << 20);
	assert_int_equal(config_plan(&c, "all")->limits.net_bps, 1ULL << 30);
	assert_false(config_plan(&c, "all")->dedicated_cpus);
	assert_true(config_plan(&c, "own")->dedicated_cpus);
	assert_int_equal(config_plan(&c, "own")->limits.disk_iops, 10);
}

static void refuses(const char *text, const char *needle)
{
	struct berth_error err = { 0 };
	struct config c;

	config_defaults(&c);
	assert_int_equal(config_parse(text, "t.conf", &c, &err), -1);
	assert_contains(err.msg, needle);
}

static void rejects_bad_settings(void **state)
{
	(void)state;
	refuses("colour = blue\n", "t.conf:1: colour: unknown setting 'colour'");
	refuses("\nhost_reserve_cpus\n", "t.conf:2: expected 'key = value'");
	refuses("cpu_overcommit = -1\n", "not a ratio");
	refuses("cpu_overcommit = 1.5x\n", "not a ratio");
	refuses("host_reserve_memory = lots\n", "invalid size");
	refuses("vmm_path = berth-vmm\n", "not an absolute path");
	refuses("plan = small 1 512M\n", "NAME CPUS MEMORY DISK");
	refuses("plan = Small 1 512M 1G\n", "invalid plan name");
	refuses("plan = own 1 512M 1G dedicated_cpus dedicated_cpus\n",
		"plan own: dedicated_cpus is given twice");
	refuses("plan = own 1 512M 1G dedicated\n", "unknown item 'dedicated'");
	refuses("plan = a 0 512M 1G\n", "CPUs must be");
	refuses("plan = a 1 0 1G\n", "memory must be more than 0");
	refuses("plan = a 1 1G 1G\nplan = a 2 1G 1G\n", "defined twice");
	refuses("plan = a 1 1G 1G disk_iops=0\n",
		"t.conf:1: plan: plan a: disk_iops=0: a limit must be above 0");
	refuses("plan = a 1 1G 1G disk_bps=-1M\n", "plan a: disk_bps=-1M: give a whole number");
	refuses("plan = a 1 1G 1G net_bps=2T\n", "plan a: net_bps=2T is too large");
	refuses("plan = a 1 1G 1G disk_iops=99999999999999999999999\n", "is too large");
	refuses("plan = a 1 1G 1G disk_iops=5x\n", "disk_iops=5x: give a whole number");
	refuses("plan = a 1 1G 1G iops=5\n",
		"plan a: unknown item 'iops' (after NAME CPUS MEMORY DISK: disk_iops=N");
	refuses("plan = a 1 1G 1G fast\n", "plan a: unknown item 'fast'");
	refuses("plan = a 1 1G 1G net_bps=1M net_bps=2M\n", "plan a: net_bps is given twice");
	refuses("plan = a 1 1G disk_iops=5\n", "NAME CPUS MEMORY DISK [disk_iops=N]");
	refuses("stop_timeout =\n", "has no value");
	refuses("console_log_max = 1K\n", "too small: give 0 (no cap) or at least 64K");
	refuses("image_max_size = 512K\n", "image_max_size must be at least 1M");
	refuses("console_path = berth-console\n", "not an absolute path");
	refuses("network = off\n", "t.conf:1: network: 'off' is not auto or none");
	refuses("bridge = a/b\n", "not an interface name");
	refuses("isolate_servers = maybe\n", "isolate_servers");
	refuses("http_header_timeout = 0\n",
		"t.conf:1: http_header_timeout: '0' is not a whole number from 1 to 3600");
	refuses("http_per_user = many\n", "is not a whole number from 1 to");
	refuses("http_idle_timeout = 86401\n", "from 1 to 86400");
	refuses("idmap = 1000000\n", "is not START:COUNT");
	refuses("idmap = 1000000:\n", "is not START:COUNT");
	refuses("idmap = 1000000:65536x\n", "is not START:COUNT");
	refuses("idmap = -1:65536\n", "is not START:COUNT");
	refuses("idmap = 1000:1000000\n", "START must be 65536 or above");
	refuses("idmap = 1000000:100\n", "COUNT at least 65536");
	refuses("idmap = 4294901760:65536\n", "START+COUNT at most 4294967295");
	refuses("idmap = 99999999999999999999:65536\n", "is not START:COUNT");
	refuses("idmap_files = copy\n", "'copy' is not mount or shift");
	refuses("vmm_ids = 1000:10\n", "vmm_ids: '1000:10': START must be 65536 or above");
	refuses("vmm_ids = 1500000000\n", "is not START:COUNT");
	refuses("vmm_ids = 1500000000:0\n", "COUNT at least 1,");
	refuses("idmap = 1499000000:1000000000\n", "overlap: give them ranges apart");
	refuses("vmm_ids = 4294967000:1000\n", "at most 4294967295");
	refuses("vmm_ids = 1500000000:-1\n", "is not START:COUNT");
}

static void parses_idmap(void **state)
{
	struct berth_error err = { 0 };
	struct config c;

	(void)state;
	config_defaults(&c);
	assert_int_equal(
	    config_parse("vmm_ids = 65536:1\nidmap = 65537:4294901757\nidmap_files = shift\n",
			 "t.conf", &c, &err),
	    0);
	assert_int_equal(c.idmap_start, 65537);
	assert_int_equal(c.idmap_count, 4294901757u);
	assert_true(c.idmap_shift);
}

static void loads_file(void **state)
{
	struct berth_error err = { 0 };
	char path[] = "/tmp/berthd-test-conf.XXXXXX";
	struct config c;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "stop_timeout = 5\n", 17), 17);
	close(fd);
	assert_int_equal(config_load(path, &c, &err), 0);
	assert_int_equal(c.stop_timeout, 5);
	unlink(path);
	assert_int_equal(config_load(path, &c, &err), -1);
	assert_contains(err.msg, "cannot read config");
}

static void parses_options(void **state)
{
	char *good[] = { "berthd",	"--state-dir", "/srv/b",	"--socket", "/tmp/b.sock",
			 "--host-cpus", "4",	       "--host-memory", "2G",	    NULL };
	char *bad_mem[] = { "berthd", "--host-memory", "-2G", NULL };
	char *bad_cpus[] = { "berthd", "--host-cpus", "0", NULL };
	char *extra[] = { "berthd", "now", NULL };
	struct berth_error err = { 0 };
	FILE *out = fopen("/dev/null", "w");
	struct options o;

	(void)state;
	assert_int_equal(options_parse(9, good, &o, out, &err), 0);
	assert_string_equal(o.state_dir, "/srv/b");
	assert_string_equal(o.socket, "/tmp/b.sock");
	assert_null(o.config);
	assert_int_equal(o.host_cpus, 4);
	assert_int_equal(o.host_memory, 2ULL << 30);
	assert_int_equal(options_parse(3, bad_mem, &o, out, &err), -1);
	assert_contains(err.msg, "--host-memory");
	assert_int_equal(options_parse(3, bad_cpus, &o, out, &err), -1);
	assert_contains(err.msg, "--host-cpus '0'");
	assert_int_equal(options_parse(2, extra, &o, out, &err), -1);
	assert_contains(err.msg, "unexpected argument 'now'");
	fclose(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),
		cmocka_unit_test(parses_settings),
		cmocka_unit_test(rejects_bad_settings),
		cmocka_unit_test(parses_idmap),
		cmocka_unit_test(loads_file),
		cmocka_unit_test(parses_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
