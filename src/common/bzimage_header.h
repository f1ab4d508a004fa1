/* bzimage_header.h - checking a Linux x86 bzImage's boot header (Documentation/arch/x86/boot.rst).
 *
 * The one parser of kernel image headers: berth-vmm's loader (src/vmm/boot/bzimage.c) checks
 * the whole mapped file with it, berthd's image check (src/daemon/images/images.c) the file's first
 * BZ_HEAD_MAX bytes, so that a huge or shrinking file cannot hurt the daemon. It reads only
 * the buffer it is given and trusts no header field before checking it against the file's
 * length; tests/fuzz/common/fuzz_bzimage_header.c drives it with hostile headers. */
#ifndef BERTH_COMMON_BZIMAGE_HEADER_H
#define BERTH_COMMON_BZIMAGE_HEADER_H

#include <stddef.h>
#include <stdint.h>
#include <asm/bootparam.h>

#include "common/error.h"

/* Oldest boot protocol with a 64-bit entry point (XLF_KERNEL_64). */
#define BZ_MIN_VERSION 0x020C

/* The most a header can ask to be read: 255 setup sectors and the boot sector. */
#define BZ_HEAD_MAX ((255 + 1) * 512)

struct bzimage_header {
	struct setup_header hdr; /* as found in the file */
	size_t setup_len;	 /* bytes of real-mode setup code before the protected-mode part */
	/* The release of a real Linux kernel ("6.1.0-57-cloud-amd64"), from the version string
	 * its header points at; "" when there is none (hand-made guests such as tests/guests). */
	char version[64];
};

/* Check a kernel file of file_len bytes, whose first head_len bytes are in head (the whole
 * file, or at least BZ_HEAD_MAX bytes of it), as a 64-bit-capable bzImage, into bh (with its
 * version, if it names one). */
int bzimage_header_parse(const uint8_t *head, size_t head_len, uint64_t file_len,
			 struct bzimage_header *bh, struct berth_error *err);

#endif
