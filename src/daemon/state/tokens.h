/* tokens.h - bearer tokens of the network API: a token is one project's key. It reads
 * "berth_ID_SECRET": ID (12 hex digits) names its row, SECRET (64 hex digits, 32 random
 * bytes) is kept only as its SHA-256 hash (libcrypto), so the database never holds a usable
 * token. A presented token's row is found by its ID, then its hash compared in constant time
 * (CRYPTO_memcmp): no timing tells how much of a secret was right. */
#ifndef BERTH_DAEMON_TOKENS_H
#define BERTH_DAEMON_TOKENS_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>

#include "common/error.h"

#define TOKEN_ID_LEN	 12
#define TOKEN_SECRET_LEN 64
#define TOKEN_HASH_LEN	 32
/* "berth_" ID "_" SECRET */
#define TOKEN_LEN (6 + TOKEN_ID_LEN + 1 + TOKEN_SECRET_LEN)

/* Split token into its id (TOKEN_ID_LEN + 1 bytes) and *secret; false when it is not of
 * the shape above (any other length or character). */
bool token_parse(const char *token, char *id, const char **secret);

/* The SHA-256 of secret (TOKEN_SECRET_LEN characters) in hash. */
int token_hash(const char *secret, unsigned char hash[TOKEN_HASH_LEN]);

/* Are two hashes equal? In constant time. */
bool token_same(const unsigned char a[TOKEN_HASH_LEN], const unsigned char b[TOKEN_HASH_LEN]);

/* Make a token of project (which must exist): its text in token (TOKEN_LEN + 1 bytes, shown
 * once: never stored) and its id (TOKEN_ID_LEN + 1). */
int token_create(sqlite3 *db, const char *project, char *token, char *id, struct berth_error *err);

/* The project (SERVER_NAME_MAX + 1 bytes) of token; EACCES when token is not a live one. */
int token_verify(sqlite3 *db, const char *token, char *project, struct berth_error *err);

/* [{"id","project","created"}] of every token (project NULL) or of project's. */
json_t *token_json_list(sqlite3 *db, const char *project, struct berth_error *err);

/* Revoke token id (ENOENT when none). */
int token_revoke(sqlite3 *db, const char *id, struct berth_error *err);

#endif
