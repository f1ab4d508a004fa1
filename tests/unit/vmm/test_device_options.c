/* Unit tests for src/vmm/device_options.c: --disk and --net values, good and bad. */
#include "testlib.h"

#include <stdio.h>
#include <string.h>

#include "vmm/device_options.h"

static int disk(const char *arg, struct disk_config *d, struct berth_error *err)
{
	static char buf[256]; /* disk_option_parse cuts the path in place; d->path points here */

	snprintf(buf, sizeof(buf), "%s", arg);
	return disk_option_parse(buf, d, err);
}

static void disk_forms(void **state)
{
	struct berth_error err = { 0 };
	struct disk_config d;

	(void)state;
	assert_int_equal(disk("a.img", &d, &err), 0);
	assert_string_equal(d.path, "a.img");
	assert_false(d.readonly);
	assert_string_equal(d.serial, "");
	assert_int_equal(disk("/x/b.img,ro,serial=DISK-0001", &d, &err), 0);
	assert_string_equal(d.path, "/x/b.img");
	assert_true(d.readonly);
	assert_string_equal(d.serial, "DISK-0001");
	assert_int_equal(disk("c.img,serial=12345678901234567890", &d, &err), 0);
	assert_string_equal(d.serial, "12345678901234567890");
	assert_int_equal(d.limit.iops, 0);
	assert_int_equal(d.limit.bps, 0);
	assert_int_equal(disk("d.img,iops=200,ro,bps=4M", &d, &err), 0);
	assert_string_equal(d.path, "d.img");
	assert_true(d.readonly);
	assert_int_equal(d.limit.iops, 200);
	assert_int_equal(d.limit.bps, 4ULL << 20);
}

static void disk_errors(void **state)
{
	static const struct {
		const char *arg, *needle;
	} cases[] = {
		{ "", "give a path" },
		{ ",ro", "give a path" },
		{ "a.img,rw", "unknown item 'rw' (use ro, serial=ID, iops=N or bps=N" },
		{ "a.img,iops=0", "--disk 'a.img,iops=0': iops=0: a limit must be above 0" },
		{ "a.img,iops=-3", "iops=-3: give a whole number above 0" },
		{ "a.img,iops=", "iops=: give a whole number" },
		{ "a.img,iops=10000001", "iops=10000001 is too large" },
		{ "a.img,bps=0", "bps=0: a limit must be above 0" },
		{ "a.img,bps=2T", "bps=2T is too large" },
		{ "a.img,bps=1Q", "invalid size suffix" },
		{ "a.img,iops=5,iops=6", "iops is given twice" },
		{ "a.img,iop=5", "unknown item 'iop=5'" },
		{ "a,b.img", "a path cannot contain a comma" },
		{ "a.img,serial=123456789012345678901", "longer than 20" },
		{ "a.img,serial="
		  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		  "too long" },
	};
	struct berth_error err;
	struct disk_config d;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&err, 0, sizeof(err));
		assert_int_equal(disk(cases[i].arg, &d, &err), -1);
		assert_contains(err.msg, cases[i].needle);
	}
}

static void net_forms(void **state)
{
	static const uint8_t mac[6] = { 0x02, 0x00, 0x00, 0xab, 0xcd, 0xef };
	struct berth_error err = { 0 };
	struct net_config n, m;

	(void)state;
	assert_int_equal(net_option_parse("tap=tap0,mac=02:00:00:ab:cd:ef", &n, &err), 0);
	assert_int_equal(n.kind, NET_TAP);
	assert_string_equal(n.ifname, "tap0");
	assert_memory_equal(n.mac, mac, 6);
	assert_int_equal(net_option_parse("user", &n, &err), 0);
	assert_int_equal(n.kind, NET_USER);
	assert_int_equal(n.nhostfwds, 0);
	/* A generated MAC is unicast and locally administered, and differs between NICs. */
	assert_int_equal(n.mac[0] & 3, 2);
	assert_int_equal(net_option_parse("user", &m, &err), 0);
	assert_memory_not_equal(n.mac, m.mac, 6);
	assert_int_equal(
	    net_option_parse("user,hostfwd=tcp::8022-:22,hostfwd=tcp::8080-:80", &n, &err), 0);
	assert_int_equal(n.nhostfwds, 2);
	assert_int_equal(n.hostfwds[0].host_port, 8022);
	assert_int_equal(n.hostfwds[0].guest_port, 22);
	assert_int_equal(n.hostfwds[1].host_port, 8080);
	assert_int_equal(n.hostfwds[1].guest_port, 80);
	assert_int_equal(n.limit.bps, 0);
	assert_int_equal(net_option_parse("tap=tap0,bps=1M", &n, &err), 0);
	assert_int_equal(n.limit.bps, 1ULL << 20);
	assert_int_equal(n.limit.iops, 0);
	assert_int_equal(net_option_parse("user,bps=100K,hostfwd=tcp::8022-:22", &n, &err), 0);
	assert_int_equal(n.limit.bps, 100ULL << 10);
	assert_int_equal(n.nhostfwds, 1);
}

static void net_errors(void **state)
{
	static const struct {
		const char *arg, *needle;
	} cases[] = {
		{ "bridge=br0", "use tap=IFNAME" },
		{ "users", "use tap=IFNAME" },
		{ "tap=", "tap interface name" },
		{ "tap=averyveryverylongname", "tap interface name" },
		{ "tap=t0,mac=zz:00:00:00:00:00", "six hex bytes" },
		{ "tap=t0,mac=02:00:00:00:00", "six hex bytes" },
		{ "tap=t0,mac=01:00:00:00:00:00", "multicast" },
		{ "tap=t0,hostfwd=tcp::1-:2", "unknown item 'hostfwd" },
		{ "user,hostfwd=udp::53-:53", "tcp::HOSTPORT-:GUESTPORT" },
		{ "user,hostfwd=tcp::0-:22", "ports 1-65535" },
		{ "user,hostfwd=tcp::70000-:22", "ports 1-65535" },
		{ "user,hostfwd=tcp::22-:", "ports 1-65535" },
		{ "user,hostfwd=tcp:127.0.0.1:22-:22", "tcp::HOSTPORT" },
		{ "user,frob", "unknown item 'frob'" },
		{ "tap=t0,iops=100", "unknown item 'iops=100' (use mac=MAC, bps=N)" },
		{ "tap=t0,bps=0", "bps=0: a limit must be above 0" },
		{ "user,bps=-1", "bps=-1: give a whole number" },
		{ "user,bps=5M,bps=6M", "bps is given twice" },
		{ "tap=t0,bps=99999999999999999999", "is too large" },
	};
	struct berth_error err;
	struct net_config n;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&err, 0, sizeof(err));
		assert_int_equal(net_option_parse(cases[i].arg, &n, &err), -1);
		assert_contains(err.msg, cases[i].needle);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(disk_forms),
		cmocka_unit_test(disk_errors),
		cmocka_unit_test(net_forms),
		cmocka_unit_test(net_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
