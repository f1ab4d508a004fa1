/* Unit tests for src/daemon/api/http_share.c: each uid gets at most its share, root's
 * reserve is root's alone, a connection given back can be taken again. */
#include "testlib.h"

#include "daemon/api/http_share.h"

static void a_user_gets_its_share_and_no_more(void **state)
{
	struct http_share s;
	unsigned i;

	(void)state;
	assert_int_equal(share_init(&s, 100, 4, 10), 0);
	for (i = 0; i < 4; i++)
		assert_true(share_take(&s, 1000));
	assert_false(share_take(&s, 1000));
	/* another user's share is its own */
	assert_true(share_take(&s, 1001));
	share_give(&s, 1000);
	assert_true(share_take(&s, 1000));
	assert_false(share_take(&s, 1000));
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
		assert_true(share_take(&s, 1));
		assert_true(share_take(&s, 2));
	}
	assert_false(share_take(&s, 3));
	for (i = 0; i < 4; i++)
		assert_true(share_take(&s, 0));
	assert_false(share_take(&s, 0)); /* everything is taken */
	share_give(&s, 0);
	assert_false(share_take(&s, 3)); /* a reserve slot freed is still root's */
	assert_true(share_take(&s, 0));
	share_give(&s, 2);
	assert_true(share_take(&s, 3)); /* a user's slot freed is anybody's */
	share_destroy(&s);
}

static void root_is_not_held_to_a_share(void **state)
{
	struct http_share s;
	unsigned i;

	(void)state;
	assert_int_equal(share_init(&s, 50, 2, 16), 0);
	for (i = 0; i < 50; i++)
		assert_true(share_take(&s, 0));
	assert_false(share_take(&s, 0));
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
			assert_true(share_take(&s, round * 8 + uid));
		assert_false(share_take(&s, 100000));
		assert_int_equal(s.npeers, 8);
		for (uid = 1; uid <= 8; uid++)
			share_give(&s, round * 8 + uid);
		assert_int_equal(s.held, 0);
		assert_int_equal(s.npeers, 0);
	}
	share_give(&s, 5); /* a uid holding nothing: nothing changes */
	assert_int_equal(s.held, 0);
	share_destroy(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_user_gets_its_share_and_no_more),
		cmocka_unit_test(the_reserve_is_roots),
		cmocka_unit_test(root_is_not_held_to_a_share),
		cmocka_unit_test(peers_come_and_go),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
