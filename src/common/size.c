/* size.c - parsing and printing of byte sizes. */
#include "size.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int size_parse(const char *s, uint64_t *out, struct berth_error *err)
{
	static const char units[] = "KMGT";
	unsigned long long v;
	const char *u;
	char *end;
	unsigned shift = 0;

	if (!s || !isdigit((unsigned char)s[0]))
		return berr(err, EINVAL, "invalid size '%s' (expected a number such as 512M or 4G)", s ? s : "");
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return berr(err, ERANGE, "size '%s' is too large", s);
	if (*end) {
		u = strchr(units, toupper((unsigned char)*end));
		if (!u || !*u)
			return berr(err, EINVAL, "invalid size suffix in '%s' (use K, M, G or T)", s);
		shift = 10 * (unsigned)(u - units + 1);
		end++;
		if (strcasecmp(end, "") && strcasecmp(end, "B") && strcasecmp(end, "iB"))
			return berr(err, EINVAL, "invalid size suffix in '%s' (use K, M, G or T)", s);
	}
	if (shift && v > (UINT64_MAX >> shift))
		return berr(err, ERANGE, "size '%s' is too large", s);
	*out = (uint64_t)v << shift;
	return 0;
}

const char *size_format(uint64_t bytes, char *buf, unsigned len)
{
	static const char *names[] = { "KiB", "MiB", "GiB", "TiB" };
	int i;

	for (i = 3; i >= 0; i--) {
		uint64_t unit = 1ULL << (10 * (i + 1));

		if (bytes >= unit && bytes % unit == 0) {
			snprintf(buf, len, "%llu %s", (unsigned long long)(bytes / unit), names[i]);
			return buf;
		}
	}
	snprintf(buf, len, "%llu bytes", (unsigned long long)bytes);
	return buf;
}
