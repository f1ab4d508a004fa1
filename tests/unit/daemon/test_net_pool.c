/* Unit tests for src/daemon/net/net_pool.c and the network settings of src/daemon/config.c:
 * subnets that are accepted and refused, the pool's arithmetic, picking a free address. */
#include "testlib.h"

#include <errno.h>

#include "daemon/config.h"
#include "daemon/net/net_pool.h"

static struct net_pool parsed(const char *text)
{
	struct berth_error err = { 0 };
	struct net_pool p = { 0 };

	assert_int_equal(net_pool_parse(text, &p, &err), 0);
	return p;
}

static void parses_subnets(void **state)
{
	struct net_pool p = parsed("10.187.0.1/24");
	char a[NET_ADDR_LEN];

	(void)state;
	assert_int_equal(p.gateway, 0x0abb0001);
	assert_int_equal(p.network, 0x0abb0000);
	assert_int_equal(p.prefix, 24);
	assert_string_equal(net_addr_format(net_pool_mask(&p), a), "255.255.255.0");
	assert_string_equal(net_addr_format(net_pool_broadcast(&p), a), "10.187.0.255");
	assert_int_equal(net_pool_size(&p), 253);
	/* the gateway need not be the first host */
	p = parsed("192.168.5.77/16");
	assert_int_equal(p.network, 0xc0a80000);
	assert_int_equal(net_pool_size(&p), 65533);
	p = parsed("10.0.0.6/29");
	assert_int_equal(p.network, 0x0a000000);
	assert_int_equal(net_pool_size(&p), 5);
}

static void refuses_bad_subnets(void **state)
{
	static const char *const bad[] = {
		"10.187.0.1",
		"10.187.0.1/",
		"/24",
		"10.187.0.1/24x",
		"10.187.0.1/-1",
		"10.187.1/24",
		"10.187.0.256/24",
		"010.187.0.1/24 ",
		"10.187.0.1/31",
		"10.187.0.1/32",
		"10.187.0.1/30",
		"10.187.0.1/15",
		"10.187.0.1/0",
		"10.187.0.0/24",
		"10.187.0.255/24",
		"10.187.0.1/99999999999999",
		"a.b.c.d/24",
		"10.187.0.1//24",
		"",
	};
	struct berth_error err = { 0 };
	struct net_pool p = { .prefix = 7 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = '\0';
		if (net_pool_parse(bad[i], &p, &err) == 0)
			fail_msg("accepted '%s'", bad[i]);
		assert_true(err.msg[0] != '\0');
	}
	assert_int_equal(p.prefix, 7); /* untouched */
	assert_int_equal(net_pool_parse("10.187.0.1/31", &p, &err), -1);
	assert_contains(err.msg, "from /16 to /29");
	assert_int_equal(net_pool_parse("10.187.0.0/24", &p, &err), -1);
	assert_contains(err.msg, "must be a host of the subnet");
}

static void holds(void **state)
{
	struct net_pool p = parsed("10.187.0.1/24");

	(void)state;
	assert_false(net_pool_holds(&p, 0x0abb0000)); /* network */
	assert_false(net_pool_holds(&p, 0x0abb0001)); /* gateway */
	assert_true(net_pool_holds(&p, 0x0abb0002));
	assert_true(net_pool_holds(&p, 0x0abb00fe));
	assert_false(net_pool_holds(&p, 0x0abb00ff)); /* broadcast */
	assert_false(net_pool_holds(&p, 0x0abb0102)); /* another subnet */
	p.prefix = 0;
	assert_false(net_pool_holds(&p, 0x0abb0002)); /* no pool */
}

static void picks_the_lowest_free(void **state)
{
	struct net_pool p = parsed("10.0.0.3/29"); /* .1 .2 .4 .5 .6 for servers */
	uint32_t used[6] = { 0x0a000001, 0x0a000004, 0x0b000002 /* elsewhere */ };
	struct berth_error err = { 0 };
	uint32_t a;

	(void)state;
	assert_int_equal(net_pool_pick(&p, NULL, 0, &a, &err), 0);
	assert_int_equal(a, 0x0a000001);
	assert_int_equal(net_pool_pick(&p, used, 3, &a, &err), 0);
	assert_int_equal(a, 0x0a000002);
	used[3] = 0x0a000002;
	assert_int_equal(net_pool_pick(&p, used, 4, &a, &err), 0);
	assert_int_equal(a, 0x0a000005); /* .3 is the gateway, .4 taken */
	used[4] = 0x0a000005;
	used[5] = 0x0a000006;
	assert_int_equal(net_pool_pick(&p, used, 6, &a, &err), -1);
	assert_int_equal(err.errnum, ENOSPC);
	assert_string_equal(err.msg, "no free address: all 5 of 10.0.0.0/29 are taken (delete a "
				     "server, or give bridge_address a larger subnet)");
	p.prefix = 0;
	assert_int_equal(net_pool_pick(&p, NULL, 0, &a, &err), -1);
	assert_int_equal(err.errnum, EINVAL);
}

static void picks_in_a_big_pool(void **state)
{
	struct net_pool p = parsed("172.16.0.1/16");
	struct berth_error err = { 0 };
	uint32_t used[2] = { 0xac100002, 0xac10fffe }, a;

	(void)state;
	assert_int_equal(net_pool_pick(&p, used, 2, &a, &err), 0);
	assert_int_equal(a, 0xac100003);
}

static void network_settings(void **state)
{
	struct berth_error err = { 0 };
	struct config c;

	(void)state;
	config_defaults(&c);
	assert_string_equal(c.bridge, ""); /* off unless the config file says */
	assert_true(c.nat);
	assert_int_equal(c.pool.gateway, 0x0abb0001);
	assert_int_equal(c.pool.prefix, 24);
	assert_int_equal(config_parse("bridge = bt-test0\nbridge_address = 10.188.3.1/28\n"
				      "nat = no\n",
				      "t", &c, &err),
			 0);
	assert_string_equal(c.bridge, "bt-test0");
	assert_int_equal(c.pool.network, 0x0abc0300);
	assert_int_equal(c.pool.prefix, 28);
	assert_false(c.nat);
	assert_int_equal(config_parse("bridge = none\n", "t", &c, &err), 0);
	assert_string_equal(c.bridge, "");
	assert_int_equal(config_parse("bridge = a-very-long-name0\n", "t", &c, &err), -1);
	assert_contains(err.msg, "t:1: bridge: 'a-very-long-name0' is not an interface name");
	assert_int_equal(config_parse("bridge = br/0\n", "t", &c, &err), -1);
	assert_int_equal(config_parse("nat = maybe\n", "t", &c, &err), -1);
	assert_contains(err.msg, "'maybe' is not yes or no");
	assert_int_equal(config_parse("\nbridge_address = 10.1.2.3/32\n", "t", &c, &err), -1);
	assert_contains(err.msg, "t:2: bridge_address: '10.1.2.3/32'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_subnets),
		cmocka_unit_test(refuses_bad_subnets),
		cmocka_unit_test(holds),
		cmocka_unit_test(picks_the_lowest_free),
		cmocka_unit_test(picks_in_a_big_pool),
		cmocka_unit_test(network_settings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
