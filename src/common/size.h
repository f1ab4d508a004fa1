/* size.h - human sizes ("512M", "4G", "1048576") for command lines and configs. */
#ifndef BERTH_COMMON_SIZE_H
#define BERTH_COMMON_SIZE_H

#include <stdint.h>

#include "error.h"

/* Parse a byte count with an optional K/M/G/T suffix (powers of 1024, optional "iB"/"B"). */
int size_parse(const char *s, uint64_t *out, struct berth_error *err);

/* Format bytes as "512 MiB"/"4 GiB" (exact multiples) or plain bytes into buf. */
const char *size_format(uint64_t bytes, char *buf, unsigned len);

#endif
