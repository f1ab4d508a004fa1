/* vmlinux_cache.h - a bzImage decompressed once: its payload's vmlinux, when it is an ELF with a
 * PVH entry note, written to a directory under the bzImage's content hash
 * (DIR/vmlinux-SHA256), atomically (a temporary file renamed), and found there next time.
 * berth-vmm --decompress and berthd's image import share it. */
#ifndef BERTH_COMMON_VMLINUX_CACHE_H
#define BERTH_COMMON_VMLINUX_CACHE_H

#include <stddef.h>

#include "common/error.h"

/* The largest bzImage read whole to be hashed and decompressed. */
#define VMLINUX_BZIMAGE_MAX (128u << 20)

/* Make sure dir holds the PVH vmlinux of the bzImage at path; its path into out (out_size
 * bytes). Fails, saying why, when the bzImage has none (its payload is not a PVH ELF, or is
 * compressed by a method not supported) or a file cannot be read or written. */
int vmlinux_cache(const char *bzimage, const char *dir, char *out, size_t out_size,
		  struct berth_error *err);

/* Write the PVH vmlinux of the bzImage at path to dir/name, atomically (berthd's import: the
 * image's own "vmlinux"); fails as vmlinux_cache does. */
int vmlinux_extract(const char *bzimage, const char *dir, const char *name,
		    struct berth_error *err);

#endif
