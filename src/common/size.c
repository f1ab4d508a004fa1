/* size.c - parsing and printing of byte sizes. */
#include "size.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A size that is bad input: errnum tells callers so (EINVAL, or ERANGE for too large). */
static int size_refused(struct berth_error *err, int errnum, const char *s)
{
	if (errnum == ERANGE)
		return refuse(err, errnum, "size '%s' is too large", s);
	if (isdigit((unsigned char)s[0]))
		return refuse(err, errnum, "invalid size suffix in '%s' (use K, M, G or T)", s);
	return refuse(err, errnum, "invalid size '%s' (expected a number such as 512M or 4G)", s);
}

int size_parse(const char *s, uint64_t *out, struct berth_error *err)
{
	static const char units[] = "KMGT";
	unsigned long long v;
	const char *u;
	char *end;
	unsigned shift = 0;

	if (!s || !isdigit((unsigned char)s[0]))
		return size_refused(err, EINVAL, s ? s : "");
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return size_refused(err, ERANGE, s);
	if (*end) {
		u = strchr(units, toupper((unsigned char)*end));
		if (!u || !*u)
			return size_refused(err, EINVAL, s);
		shift = 10 * (unsigned)(u - units + 1);
		end++;
		if (strcasecmp(end, "") && strcasecmp(end, "B") && strcasecmp(end, "iB"))
			return size_refused(err, EINVAL, s);
	}
	if (shift && v > (UINT64_MAX >> shift))
		return size_refused(err, ERANGE, s);
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
