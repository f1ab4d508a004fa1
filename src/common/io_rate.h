/* io_rate.h - the values of I/O limits (iops=N, bps=N), as berth-vmm's --disk and --net and
 * berthd's plans take them: one parser, so both refuse the same values the same way. */
#ifndef BERTH_COMMON_IO_RATE_H
#define BERTH_COMMON_IO_RATE_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

#define IO_RATE_IOPS_MAX 10000000ULL  /* requests per second: far above any disk */
#define IO_RATE_BPS_MAX	 (1ULL << 40) /* bytes per second (1 TiB/s) */

/* Parse the limit v of key (for messages, e.g. "iops"): a whole number of requests per
 * second (bytes false), or of bytes per second with an optional K/M/G/T suffix (powers of
 * 1024; bytes true). Zero, a sign, junk and values past the maximum are refused (EINVAL,
 * ERANGE) with a message naming key and v. */
int io_rate_parse(const char *key, const char *v, bool bytes, uint64_t *out,
		  struct berth_error *err);

#endif
