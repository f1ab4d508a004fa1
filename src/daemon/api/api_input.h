/* api_input.h - checking what clients send: a body's fields are known and of the right
 * type, sizes are bytes or strings such as "512M", numbers are in range. Each failure is
 * an EINVAL message naming the field, for a 400. */
#ifndef BERTH_DAEMON_API_INPUT_H
#define BERTH_DAEMON_API_INPUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* Refuse a body with a field not in allowed (NULL-terminated), naming it. */
int input_fields(json_t *body, const char *const allowed[], struct berth_error *err);

/* body[key] as a non-empty string into *out (left alone when absent and not required). */
int input_string(json_t *body, const char *key, bool required, const char **out,
		 struct berth_error *err);

/* body[key] as a kernel command line into *out (left alone when absent): a non-empty string
 * of printable ASCII of at most max bytes. */
int input_cmdline(json_t *body, const char *key, size_t max, const char **out,
		  struct berth_error *err);

/* body[key] as a whole number from min to max (left alone when absent). */
int input_uint(json_t *body, const char *key, unsigned min, unsigned max, unsigned *out,
	       struct berth_error *err);

/* body[key] as a size: bytes (an integer >= 0) or a string like "512M" (left alone when absent). */
int input_size(json_t *body, const char *key, uint64_t *out, struct berth_error *err);

/* body[key] as true/false (left alone when absent). */
int input_bool(json_t *body, const char *key, bool *out, struct berth_error *err);

/* body[key] as an array of at most max OpenSSH public key lines (ssh_key.h), into *out
 * (borrowed; left alone when absent). */
int input_ssh_keys(json_t *body, const char *key, size_t max, json_t **out,
		   struct berth_error *err);

/* body[key] as a string of at most max bytes without NUL (cloud-init user-data: a
 * cloud-config or a script), into *out and *len (left alone when absent). */
int input_text(json_t *body, const char *key, size_t max, const char **out, size_t *len,
	       struct berth_error *err);

/* A query argument value (NULL: absent, left alone) as a whole number from 0 to max. */
int input_query_uint(const char *key, const char *value, unsigned max, unsigned *out,
		     struct berth_error *err);

/* A query flag: "1"/"true" true, "0"/"false" false (NULL: absent, left alone). */
int input_query_bool(const char *key, const char *value, bool *out, struct berth_error *err);

#endif
