/* api_input.c - validation of request bodies and query arguments. */
#include "daemon/api/api_input.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/size.h"
#include "common/error.h"
#include "daemon/cloud/ssh_key.h"

int input_fields(json_t *body, const char *const allowed[], struct berth_error *err)
{
	const char *key;
	json_t *v;
	unsigned i;

	json_object_foreach(body, key, v)
	{
		for (i = 0; allowed[i]; i++) {
			if (!strcmp(key, allowed[i]))
				break;
		}
		if (!allowed[i])
			return refuse(err, EINVAL, "unknown field '%.64s'", key);
	}
	return 0;
}

int input_string(json_t *body, const char *key, bool required, const char **out,
		 struct berth_error *err)
{
	json_t *v = json_object_get(body, key);

	if (!v || json_is_null(v)) {
		if (required)
			return refuse(err, EINVAL, "field '%s' is required", key);
		return 0;
	}
	if (!json_is_string(v) || !json_string_length(v))
		return refuse(err, EINVAL, "field '%s' must be a non-empty string", key);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return refuse(err, EINVAL, "field '%s' must not contain NUL", key);
	*out = json_string_value(v);
	return 0;
}

int input_cmdline(json_t *body, const char *key, size_t max, const char **out,
		  struct berth_error *err)
{
	const char *s = NULL;
	size_t i, n;

	if (input_string(body, key, false, &s, err))
		return -1;
	if (!s)
		return 0;
	n = strlen(s);
	if (n > max)
		return refuse(err, EINVAL, "field '%s' is %zu bytes: at most %zu", key, n, max);
	/* it reaches a kernel through berth-vmm's argv and is shown by `berth show`: no
	 * control characters, no bytes a terminal or a parser could misread */
	for (i = 0; i < n; i++) {
		if (s[i] < 0x20 || s[i] > 0x7e)
			return refuse(
			    err, EINVAL,
			    "field '%s' must be printable ASCII (byte 0x%02x at %zu is not)", key,
			    (unsigned char)s[i], i);
	}
	*out = s;
	return 0;
}

int input_uint(json_t *body, const char *key, unsigned min, unsigned max, unsigned *out,
	       struct berth_error *err)
{
	json_t *v = json_object_get(body, key);
	json_int_t n;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return refuse(err, EINVAL, "field '%s' must be a whole number", key);
	n = json_integer_value(v);
	if (n < (json_int_t)min || n > (json_int_t)max)
		return refuse(err, EINVAL, "field '%s' must be from %u to %u", key, min, max);
	*out = (unsigned)n;
	return 0;
}

int input_size(json_t *body, const char *key, uint64_t *out, struct berth_error *err)
{
	json_t *v = json_object_get(body, key);

	if (!v || json_is_null(v))
		return 0;
	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0)
			return refuse(err, EINVAL, "field '%s' must not be negative", key);
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (json_is_string(v)) {
		if (json_string_value(v)[0] == '-')
			return refuse(err, EINVAL, "field '%s' must not be negative", key);
		if (size_parse(json_string_value(v), out, err))
			return refuse(
			    err, EINVAL,
			    "field '%s' must be a size such as \"512M\" or \"4G\", not '%.32s'",
			    key, json_string_value(v));
		if (*out > INT64_MAX)
			return refuse(err, EINVAL, "field '%s' is too large", key);
		return 0;
	}
	return refuse(err, EINVAL, "field '%s' must be a size: bytes, or a string such as \"512M\"",
		      key);
}

int input_bool(json_t *body, const char *key, bool *out, struct berth_error *err)
{
	json_t *v = json_object_get(body, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return refuse(err, EINVAL, "field '%s' must be true or false", key);
	*out = json_is_true(v);
	return 0;
}

int input_ssh_keys(json_t *body, const char *key, size_t max, json_t **out, struct berth_error *err)
{
	json_t *v = json_object_get(body, key), *k;
	size_t i;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return refuse(err, EINVAL, "field '%s' must be an array of SSH public keys", key);
	if (json_array_size(v) > max)
		return refuse(err, EINVAL, "field '%s' has %zu keys: at most %zu", key,
			      json_array_size(v), max);
	json_array_foreach(v, i, k)
	{
		if (!json_is_string(k))
			return refuse(err, EINVAL, "field '%s': key %zu must be a string", key,
				      i + 1);
		if (ssh_key_check(json_string_value(k), json_string_length(k), err))
			return berr_wrap(err, "field '%s': key %zu", key, i + 1);
	}
	*out = v;
	return 0;
}

int input_text(json_t *body, const char *key, size_t max, const char **out, size_t *len,
	       struct berth_error *err)
{
	json_t *v = json_object_get(body, key);
	size_t n;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return refuse(err, EINVAL, "field '%s' must be a string", key);
	n = json_string_length(v);
	if (n > max)
		return refuse(err, EINVAL, "field '%s' is %zu bytes: at most %zu", key, n, max);
	if (strlen(json_string_value(v)) != n)
		return refuse(err, EINVAL, "field '%s' must not contain NUL", key);
	*out = json_string_value(v);
	*len = n;
	return 0;
}

int input_query_uint(const char *key, const char *value, unsigned max, unsigned *out,
		     struct berth_error *err)
{
	unsigned long n;
	char *end;

	if (!value)
		return 0;
	errno = 0;
	n = strtoul(value, &end, 10);
	if (!isdigit((unsigned char)value[0]) || *end || errno || n > max)
		return refuse(err, EINVAL,
			      "query argument '%s' must be a whole number from 0 to %u", key, max);
	*out = (unsigned)n;
	return 0;
}

int input_query_bool(const char *key, const char *value, bool *out, struct berth_error *err)
{
	if (!value)
		return 0;
	if (!strcmp(value, "1") || !strcmp(value, "true"))
		*out = true;
	else if (!strcmp(value, "0") || !strcmp(value, "false"))
		*out = false;
	else
		return refuse(err, EINVAL, "query argument '%s' must be 1 or 0", key);
	return 0;
}
