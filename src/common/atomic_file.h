/* atomic_file.h - a small file written whole or not at all: a temporary file beside it,
 * synced, then renamed over it, so a crash or a full disk never leaves half of it. */
#ifndef BERTH_COMMON_ATOMIC_FILE_H
#define BERTH_COMMON_ATOMIC_FILE_H

#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

/* Write len bytes of data to path (mode mode when it is made), whole or not at all. */
int atomic_file_write(const char *path, const void *data, size_t len, mode_t mode,
		      struct berth_error *err);

#endif
