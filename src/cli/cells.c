/* cells.c - formatting of reply values for tables. */
#include "cli/cells.h"

#include <stdio.h>
#include <time.h>

const char *cell_bytes(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)bytes;
	unsigned i = 0;

	if (bytes < 1024) {
		snprintf(buf, len, "%u B", (unsigned)bytes);
		return buf;
	}
	for (v /= 1024; v >= 1024 && i < 5; i++)
		v /= 1024;
	/* 9.96 KiB would print as "10.0 KiB": such a value takes the whole-number form. */
	if (v < 9.95)
		snprintf(buf, len, "%.1f %s", v, units[i]);
	else
		snprintf(buf, len, "%.0f %s", v, units[i]);
	return buf;
}

const char *cell_size(const json_t *v, char *buf, size_t len)
{
	if (json_is_integer(v) && json_integer_value(v) >= 0)
		return cell_bytes((uint64_t)json_integer_value(v), buf, len);
	return cell_text(v, buf, len);
}

const char *cell_text(const json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, len, "%.1f", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, len, "%s", json_is_true(v) ? "yes" : "no");
	else
		snprintf(buf, len, "-");
	return buf;
}

const char *cell_time(const json_t *v, char *buf, size_t len)
{
	time_t t;
	struct tm tm;

	if (!json_is_integer(v))
		return cell_text(v, buf, len);
	t = (time_t)json_integer_value(v);
	if (!localtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M", &tm))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	return buf;
}

const char *cell_ids(const json_t *server, char *buf, size_t len)
{
	const json_t *m = json_object_get(server, "idmap");
	json_int_t uid = json_integer_value(json_object_get(m, "uid"));
	json_int_t count = json_integer_value(json_object_get(m, "count"));

	if (json_is_true(json_object_get(server, "privileged")))
		snprintf(buf, len, "privileged");
	else if (uid > 0 && count > 0)
		snprintf(buf, len, "%lld-%lld", (long long)uid, (long long)(uid + count - 1));
	else
		snprintf(buf, len, "-");
	return buf;
}

const char *cell_seed(const json_t *seed, char *buf, size_t len)
{
	const char *id = json_string_value(json_object_get(seed, "instance_id"));

	if (!id) {
		snprintf(buf, len, "-");
		return buf;
	}
	snprintf(buf, len, "%.40s: %lld SSH keys, %lld bytes of user-data", id,
		 (long long)json_integer_value(json_object_get(seed, "ssh_keys")),
		 (long long)json_integer_value(json_object_get(seed, "user_data")));
	return buf;
}
