/* io_rate.c - parsing of I/O limit values (io_rate.h). */
#include "io_rate.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "size.h"

int io_rate_parse(const char *key, const char *v, bool bytes, uint64_t *out,
		  struct berth_error *err)
{
	uint64_t max = bytes ? IO_RATE_BPS_MAX : IO_RATE_IOPS_MAX;
	unsigned long long n;
	struct berth_error serr;
	char *end;

	/* strtoull would take "-1" as a huge number and " 5" as 5: digits first, always */
	if (!isdigit((unsigned char)v[0]))
		return refuse(err, EINVAL, "%s=%s: give a whole number above 0%s", key, v,
			      bytes ? " (bytes per second, K/M/G/T allowed)" : "");
	if (bytes) {
		if (size_parse(v, out, &serr))
			return refuse(err, serr.errnum, "%s=%s: %s", key, v, serr.msg);
	} else {
		errno = 0;
		n = strtoull(v, &end, 10);
		if (*end)
			return refuse(err, EINVAL, "%s=%s: give a whole number above 0", key, v);
		*out = errno == ERANGE ? UINT64_MAX : n;
	}
	if (*out == 0)
		return refuse(err, EINVAL, "%s=%s: a limit must be above 0 (leave %s out for none)",
			      key, v, key);
	if (*out > max)
		return refuse(err, ERANGE, "%s=%s is too large (at most %llu)", key, v,
			      (unsigned long long)max);
	return 0;
}
