/* bzimage_header.c - checking a Linux x86 bzImage's boot header (see bzimage_header.h). */
#include "bzimage_header.h"

#include <string.h>

#define BZ_HDR_OFFSET 0x1F1
#define BZ_MAGIC      0x53726448 /* "HdrS" */

/* The first word of the version string at kernel_version + 0x200 ("6.1.0-57-cloud-amd64 (...)
 * #1 SMP ..."): it must start with a digit and end, within the setup code, at a space or NUL. */
static void read_version(const uint8_t *head, size_t head_len, struct bzimage_header *bh)
{
	size_t off = (size_t)bh->hdr.kernel_version + 0x200, end = bh->setup_len, n;

	if (end > head_len)
		end = head_len;
	if (!bh->hdr.kernel_version || off >= end || head[off] < '0' || head[off] > '9')
		return;
	for (n = 0; off + n < end && n < sizeof(bh->version); n++) {
		uint8_t c = head[off + n];

		if (c == 0 || c == ' ') {
			memcpy(bh->version, head + off, n);
			return;
		}
		if (c < '!' || c > '~')
			return; /* not text: no version string */
	}
}

int bzimage_header_parse(const uint8_t *head, size_t head_len, uint64_t file_len,
			 struct bzimage_header *bh, struct berth_error *err)
{
	struct setup_header *h = &bh->hdr;

	memset(bh, 0, sizeof(*bh));
	if (head_len > file_len)
		head_len = (size_t)file_len;
	if (head_len < BZ_HDR_OFFSET + sizeof(*h))
		return berr(err, 0, "not a Linux bzImage: the file is only %llu bytes",
			    (unsigned long long)file_len);
	memcpy(h, head + BZ_HDR_OFFSET, sizeof(*h));
	if (h->boot_flag != 0xAA55 || h->header != BZ_MAGIC)
		return berr(
		    err, 0,
		    "not a Linux bzImage: no x86 boot header ('HdrS' signature) at offset 0x202");
	if (h->version < BZ_MIN_VERSION)
		return berr(err, 0,
			    "boot protocol %u.%02u is too old: berth-vmm needs %u.%02u or later (a "
			    "64-bit entry point)",
			    h->version >> 8, h->version & 0xff, BZ_MIN_VERSION >> 8,
			    BZ_MIN_VERSION & 0xff);
	if (!(h->loadflags & LOADED_HIGH))
		return berr(
		    err, 0,
		    "not a bzImage: this zImage loads below 1 MiB, which berth-vmm does not "
		    "support");
	if (!(h->xloadflags & XLF_KERNEL_64))
		return berr(err, 0, "no 64-bit entry point (not an x86-64 kernel)");
	bh->setup_len = ((size_t)(h->setup_sects ? h->setup_sects : 4) + 1) * 512;
	if (bh->setup_len >= file_len)
		return berr(
		    err, 0,
		    "truncated bzImage: its setup code (%zu bytes) reaches past the end of the "
		    "file (%llu bytes)",
		    bh->setup_len, (unsigned long long)file_len);
	/* syssize counts 16-byte paragraphs, rounded up: the last one may be short (Debian's
	 * memtest86+x64.bin ends 8 bytes into it). GRUB and QEMU load the file as it is. */
	if ((uint64_t)h->syssize * 16 > file_len - bh->setup_len + 15)
		return berr(
		    err, 0,
		    "truncated bzImage: the header promises %llu bytes of kernel but the file "
		    "holds %llu",
		    (unsigned long long)h->syssize * 16,
		    (unsigned long long)(file_len - bh->setup_len));
	if (h->init_size == 0)
		return berr(err, 0, "bzImage header gives no init_size");
	read_version(head, head_len, bh);
	return 0;
}
