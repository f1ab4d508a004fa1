/* Unit tests for src/daemon/state/tokens.c: the shape a token must have, its hash, the
 * constant-time compare, and a token made, verified, refused when wrong and revoked. */
#include "testlib.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/servers/server.h"
#include "daemon/state/db.h"
#include "daemon/state/tokens.h"

#define GOOD                                                                                       \
	"berth_0123456789ab_"                                                                      \
	"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

static void parses_only_the_shape(void **state)
{
	char id[TOKEN_ID_LEN + 1];
	const char *secret;
	char bad[sizeof(GOOD) + 1];

	(void)state;
	assert_true(token_parse(GOOD, id, &secret));
	assert_string_equal(id, "0123456789ab");
	assert_string_equal(secret, GOOD + 19);
	assert_false(token_parse("", id, &secret));
	assert_false(token_parse("berth_", id, &secret));
	/* one character short, one too many, a capital, another prefix, no separator */
	snprintf(bad, sizeof(bad), "%.*s", (int)strlen(GOOD) - 1, GOOD);
	assert_false(token_parse(bad, id, &secret));
	snprintf(bad, sizeof(bad), "%s0", GOOD);
	assert_false(token_parse(bad, id, &secret));
	snprintf(bad, sizeof(bad), "%s", GOOD);
	bad[30] = 'A';
	assert_false(token_parse(bad, id, &secret));
	bad[30] = '0';
	bad[0] = 'B';
	assert_false(token_parse(bad, id, &secret));
	bad[0] = 'b';
	bad[18] = '0';
	assert_false(token_parse(bad, id, &secret));
}

static void hashes_and_compares(void **state)
{
	/* sha256 of "0" x 64, as sha256sum computes it */
	static const unsigned char zeros[TOKEN_HASH_LEN] = {
		0x60, 0xe0, 0x5b, 0xd1, 0xb1, 0x95, 0xaf, 0x2f, 0x94, 0x11, 0x2f,
		0xa7, 0x19, 0x7a, 0x5c, 0x88, 0x28, 0x90, 0x58, 0x84, 0x0c, 0xe7,
		0xc6, 0xdf, 0x96, 0x93, 0x75, 0x6b, 0xc6, 0x25, 0x0f, 0x55
	};
	char secret[TOKEN_SECRET_LEN + 1];
	unsigned char h[TOKEN_HASH_LEN], g[TOKEN_HASH_LEN];

	(void)state;
	memset(secret, '0', TOKEN_SECRET_LEN);
	secret[TOKEN_SECRET_LEN] = '\0';
	assert_int_equal(token_hash(secret, h), 0);
	assert_memory_equal(h, zeros, TOKEN_HASH_LEN);
	assert_true(token_same(h, zeros));
	memcpy(g, h, sizeof(g));
	g[TOKEN_HASH_LEN - 1] ^= 1; /* the last byte differs: still told apart */
	assert_false(token_same(h, g));
	g[TOKEN_HASH_LEN - 1] ^= 1;
	g[0] ^= 0x80;
	assert_false(token_same(h, g));
}

static void makes_verifies_and_revokes(void **state)
{
	char dir[] = "/tmp/berthd-tokens.XXXXXX", path[64], cmd[96];
	char token[TOKEN_LEN + 1], id[TOKEN_ID_LEN + 1], project[SERVER_NAME_MAX + 1];
	struct berth_error err = { 0 };
	sqlite3 *c;
	json_t *list;
	char *text;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/berth.db", dir);
	assert_int_equal(db_connect(path, &c, &err), 0);
	assert_int_equal(db_migrate(c, &err), 0);
	/* no such project */
	assert_int_equal(token_create(c, "nope", token, id, &err), -1);
	assert_int_equal(token_create(c, "default", token, id, &err), 0);
	assert_int_equal(strlen(token), TOKEN_LEN);
	assert_int_equal(token_verify(c, token, project, &err), 0);
	assert_string_equal(project, "default");
	/* the secret is never stored: no row holds the token's text */
	list = token_json_list(c, NULL, &err);
	assert_int_equal(json_array_size(list), 1);
	text = json_dumps(list, 0);
	assert_null(strstr(text, token + 19));
	free(text);
	json_decref(list);
	/* one wrong character of the secret */
	token[TOKEN_LEN - 1] = token[TOKEN_LEN - 1] == '0' ? '1' : '0';
	assert_int_equal(token_verify(c, token, project, &err), -1);
	assert_int_equal(err.errnum, EACCES);
	token[TOKEN_LEN - 1] = token[TOKEN_LEN - 1] == '0' ? '1' : '0';
	assert_int_equal(token_revoke(c, id, &err), 0);
	assert_int_equal(token_verify(c, token, project, &err), -1);
	assert_int_equal(err.errnum, EACCES);
	assert_int_equal(token_revoke(c, id, &err), -1);
	assert_int_equal(err.errnum, ENOENT);
	sqlite3_close_v2(c);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_only_the_shape),
		cmocka_unit_test(hashes_and_compares),
		cmocka_unit_test(makes_verifies_and_revokes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
