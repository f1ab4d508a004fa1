/* tokens.c - making, checking and revoking the network API's bearer tokens. */
#include "daemon/state/tokens.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "daemon/servers/server.h"
#include "daemon/state/db.h"
#include "daemon/state/projects.h"

#define PREFIX "berth_"

static bool all_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

bool token_parse(const char *token, char *id, const char **secret)
{
	const char *p = token + strlen(PREFIX);

	if (strnlen(token, TOKEN_LEN + 1) != TOKEN_LEN || strncmp(token, PREFIX, strlen(PREFIX)) ||
	    !all_hex(p, TOKEN_ID_LEN) || p[TOKEN_ID_LEN] != '_' ||
	    !all_hex(p + TOKEN_ID_LEN + 1, TOKEN_SECRET_LEN))
		return false;
	memcpy(id, p, TOKEN_ID_LEN);
	id[TOKEN_ID_LEN] = '\0';
	*secret = p + TOKEN_ID_LEN + 1;
	return true;
}

int token_hash(const char *secret, unsigned char hash[TOKEN_HASH_LEN])
{
	unsigned len = 0;

	return EVP_Digest(secret, TOKEN_SECRET_LEN, hash, &len, EVP_sha256(), NULL) == 1 &&
		       len == TOKEN_HASH_LEN
		   ? 0
		   : -1;
}

bool token_same(const unsigned char a[TOKEN_HASH_LEN], const unsigned char b[TOKEN_HASH_LEN])
{
	return CRYPTO_memcmp(a, b, TOKEN_HASH_LEN) == 0;
}

static void hex(const unsigned char *in, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", in[i]);
}

int token_create(sqlite3 *db, const char *project, char *token, char *id, struct berth_error *err)
{
	unsigned char raw[TOKEN_ID_LEN / 2 + TOKEN_SECRET_LEN / 2], hash[TOKEN_HASH_LEN];
	char secret[TOKEN_SECRET_LEN + 1];
	_cleanup_stmt_ sqlite3_stmt *st = NULL;

	if (project_exists(db, project, err))
		return -1;
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return berr(err, EIO, "cannot draw random bytes for a token");
	hex(raw, TOKEN_ID_LEN / 2, id);
	hex(raw + TOKEN_ID_LEN / 2, TOKEN_SECRET_LEN / 2, secret);
	OPENSSL_cleanse(raw, sizeof(raw));
	if (token_hash(secret, hash))
		return berr(err, EIO, "cannot hash a token");
	st = db_prepare(db, "INSERT INTO tokens (id, project, hash, created) VALUES (?, ?, ?, ?)",
			err);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, project, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, hash, TOKEN_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_error(db, err, "recording the token");
	snprintf(token, TOKEN_LEN + 1, PREFIX "%s_%s", id, secret);
	OPENSSL_cleanse(secret, sizeof(secret));
	return 0;
}

int token_verify(sqlite3 *db, const char *token, char *project, struct berth_error *err)
{
	unsigned char hash[TOKEN_HASH_LEN];
	char id[TOKEN_ID_LEN + 1];
	const char *secret;
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	bool ok;

	if (!token_parse(token, id, &secret))
		return refuse(err, EACCES, "not a berth token");
	st = db_prepare(db, "SELECT project, hash FROM tokens WHERE id = ?", err);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		break;
	case SQLITE_DONE:
		return refuse(err, EACCES, "no such token (revoked?)");
	default:
		return db_error(db, err, "reading tokens");
	}
	ok = token_hash(secret, hash) == 0 && sqlite3_column_bytes(st, 1) == TOKEN_HASH_LEN &&
	     token_same(hash, sqlite3_column_blob(st, 1));
	if (!ok)
		return refuse(err, EACCES, "wrong token");
	snprintf(project, SERVER_NAME_MAX + 1, "%s", db_text(st, 0));
	return 0;
}

static json_t *row_json(sqlite3_stmt *st)
{
	return json_pack("{s:s, s:s, s:I}", "id", db_text(st, 0), "project", db_text(st, 1),
			 "created", (json_int_t)sqlite3_column_int64(st, 2));
}

json_t *token_json_list(sqlite3 *db, const char *project, struct berth_error *err)
{
	return db_rows_json(db,
			    "SELECT id, project, created FROM tokens WHERE ?1 IS NULL OR "
			    "project = ?1 ORDER BY project, created",
			    project, row_json, err);
}

int token_revoke(sqlite3 *db, const char *id, struct berth_error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = db_prepare(db, "DELETE FROM tokens WHERE id = ?", err);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_error(db, err, "revoking the token");
	return sqlite3_changes(db) ? 0 : refuse(err, ENOENT, "no token %.32s", id);
}
