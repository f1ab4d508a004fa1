/* boot_file.h - a file a guest boots from (kernel, initrd, firmware): opened and checked once,
 * then read whole, with large reads straight to where it goes, never mapped. On a file system
 * without a page cache (9p with cache=none, network file systems) a mapping costs a round trip
 * per 4 KiB page it touches, and a mapping counts in the VMM's RSS for as long as it lives. */
#ifndef BERTH_VMM_BOOT_BOOT_FILE_H
#define BERTH_VMM_BOOT_BOOT_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* All zero: no file (closing it is harmless). */
struct boot_file {
	int fd; /* -1 when closed */
	uint64_t size;
	const char *what; /* "kernel", "initrd", "firmware": for messages */
	const char *path; /* NULL: no file */
};

/* Open path as a regular, non-empty file (what names it in messages). */
int boot_file_open(struct boot_file *f, const char *path, const char *what,
		   struct berth_error *err);

/* Read len bytes at offset off into dst, with as few reads as the file system allows; a file
 * that ends early (it shrank since it was opened) is an error. */
int boot_file_read(const struct boot_file *f, uint64_t off, void *dst, size_t len,
		   struct berth_error *err);

/* Close f (again is harmless). */
void boot_file_close(struct boot_file *f);

#endif
