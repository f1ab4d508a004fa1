/* Unit tests for src/daemon/api/http_share.c: each uid or address gets at most its share,
 * root's reserve is root's alone, a connection given back can be taken again. */
#include "testlib.h"

#include <arpa/inet.h>
#include <sys/un.h>

#include "daemon/api/http_share.h"

/* take/give by uid, as the Unix socket's gate does. */
static bool take(struct http_share *s, uid_t uid)
{
	struct share_who w = share_who_uid(uid);

	return share_take(s, &w);
}

static void give(struct http_share *s, uid_t uid)
{
	struct share_who w = share_who_uid(uid);

	share_give(s, &w);
}

/* The peer a network client at address text is. */
static struct share_who net(const char *text)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	struct share_who w;

	if (inet_pton(AF_INET, text, &a4.sin_addr) == 1)
		assert_int_equal(share_who_addr((struct sockaddr *)&a4, sizeof(a4), &w), 0);
	else {
		assert_int_equal(inet_pton(AF_INET6, text, &a6.sin6_addr), 1);
		assert_int_equal(share_who_addr((struct sockaddr *)&a6, sizeof(a6), &w), 0);
	}
	return w;
}

static void a_user_gets_its_share_and_no_more(void **state)
{
	struct http_share s;
	unsigned i;

	(void)state;
	assert_int_equal(share_init(&s, 100, 4, 10), 0);
	for (i = 0; i < 4; i++)
		assert_true(take(&s, 1000));
	assert_false(take(&s, 1000));
	/* another user's share is its own */
	assert_true(take(&s, 1001));
	give(&s, 1000);
	assert_true(take(&s, 1000));
	assert_false(take(&s, 1000));
	assert_int_equal(s.held, 5);
	share_destroy(&s);
}

static void the_reserve_is_roots(void **state)
{
	struct http_share s;
	unsigned i;

	(void)state;
	assert_int_equal(share_init(&s, 12, 4, 4), 0);
	/* users 1, 2 take 8: only the reserve is left */
	for (i = 0; i < 4; i++) {
		assert_true(take(&s, 1));
		assert_true(take(&s, 2));
	}
	assert_false(take(&s, 3));
	for (i = 0; i < 4; i++)
		assert_true(take(&s, 0));
	assert_false(take(&s, 0)); /* everything is taken */
	give(&s, 0);
	assert_false(take(&s, 3)); /* a reserve slot freed is still root's */
	assert_true(take(&s, 0));
	give(&s, 2);
	assert_true(take(&s, 3)); /* a user's slot freed is anybody's */
	share_destroy(&s);
}

static void root_is_not_held_to_a_share(void **state)
{
	struct http_share s;
	unsigned i;

	(void)state;
	assert_int_equal(share_init(&s, 50, 2, 16), 0);
	for (i = 0; i < 50; i++)
		assert_true(take(&s, 0));
	assert_false(take(&s, 0));
	share_destroy(&s);
}

static void peers_come_and_go(void **state)
{
	struct http_share s;
	unsigned round, uid;

	(void)state;
	assert_int_equal(share_init(&s, 8, 1, 0), 0);
	/* many uids in turn: an entry is reused once its uid holds nothing */
	for (round = 0; round < 100; round++) {
		for (uid = 1; uid <= 8; uid++)
			assert_true(take(&s, round * 8 + uid));
		assert_false(take(&s, 100000));
		assert_int_equal(s.npeers, 8);
		for (uid = 1; uid <= 8; uid++)
			give(&s, round * 8 + uid);
		assert_int_equal(s.held, 0);
		assert_int_equal(s.npeers, 0);
	}
	give(&s, 5); /* a uid holding nothing: nothing changes */
	assert_int_equal(s.held, 0);
	share_destroy(&s);
}

static void each_address_has_its_share(void **state)
{
	struct share_who a = net("192.0.2.1"), b = net("192.0.2.2"),
			 mapped = net("::ffff:192.0.2.1");
	struct share_who v6 = net("2001:db8:1:2::1"), same64 = net("2001:db8:1:2:ffff::9");
	struct share_who other64 = net("2001:db8:1:3::1"), lo6 = net("::1");
	struct share_who root = share_who_uid(0);
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	struct http_share s;
	unsigned i;

	(void)state;
	assert_int_equal(share_init(&s, 100, 2, 10), 0);
	for (i = 0; i < 2; i++)
		assert_true(share_take(&s, &a));
	assert_false(share_take(&s, &a));
	assert_false(share_take(&s, &mapped)); /* the same client over IPv6's socket */
	assert_true(share_take(&s, &b));
	/* an IPv6 client is its /64: another address of its prefix is the same peer */
	assert_true(share_take(&s, &v6));
	assert_true(share_take(&s, &same64));
	assert_false(share_take(&s, &v6));
	assert_true(share_take(&s, &other64));
	/* no address is root, not even ::1 (zeros, like uid 0): it has a share, no reserve */
	assert_true(share_take(&s, &lo6));
	assert_true(share_take(&s, &lo6));
	assert_false(share_take(&s, &lo6));
	assert_true(share_take(&s, &root));
	assert_int_equal(s.held_others, 8);
	share_give(&s, &a);
	assert_true(share_take(&s, &mapped));
	assert_int_equal(share_who_addr((struct sockaddr *)&un, sizeof(un), &a), -1);
	share_destroy(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_user_gets_its_share_and_no_more),
		cmocka_unit_test(the_reserve_is_roots),
		cmocka_unit_test(root_is_not_held_to_a_share),
		cmocka_unit_test(peers_come_and_go),
		cmocka_unit_test(each_address_has_its_share),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
