/* pvh_elf.h - an uncompressed ELF64 Linux kernel (vmlinux) booted through its PVH entry (Xen's
 * docs/misc/pvh.pandoc): checked from its ELF header, program headers and notes, loaded by its
 * PT_LOAD segments at their physical addresses. berth-vmm loads it (src/vmm/boot/pvh.c); berthd
 * checks a vmlinux it extracted at import with the same parser. pvh_elf_parse() trusts no field
 * before checking it against the file's length; tests/fuzz/vmm/fuzz_pvh_elf.c drives it. */
#ifndef BERTH_COMMON_PVH_ELF_H
#define BERTH_COMMON_PVH_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define PVH_PHNUM_MAX 64	 /* program headers a kernel may have */
#define PVH_SEG_MAX   16	 /* of them PT_LOAD */
#define PVH_NOTES_MAX (64 << 10) /* bytes of notes read, all PT_NOTE segments together */
#define PVH_MIN_ADDR  0x100000	 /* segments lie above: below are the VMM's boot areas */
#define PVH_HEAD_MAX  (64 << 10) /* the file's head: the ELF and program headers lie in it */

struct pvh_segment {
	uint64_t offset, filesz; /* in the file */
	uint64_t paddr, memsz;	 /* in guest RAM; past filesz zero */
};

struct pvh_elf {
	struct pvh_segment seg[PVH_SEG_MAX];
	unsigned nseg;
	uint64_t end;	/* the end of the highest segment */
	uint32_t entry; /* XEN_ELFNOTE_PHYS32_ENTRY: 32-bit protected-mode entry point */
	/* The release of a real Linux kernel ("6.1.0-57-cloud-amd64"), from its "Linux" build-salt
	 * note; "" when there is none (hand-made guests such as tests/guests/tiny_pvh.S). */
	char version[64];
};

/* Reads len bytes at off of the kernel file into dst (ctx: the file). */
typedef int (*pvh_read_fn)(void *ctx, uint64_t off, void *dst, size_t len, struct berth_error *err);

/* Whether the head of a kernel file is an ELF file (by its magic). */
bool pvh_elf_is_elf(const uint8_t *head, size_t head_len);

/* Check a kernel file of file_len bytes, whose first head_len bytes are in head (the whole file
 * or at least PVH_HEAD_MAX bytes), as an x86-64 ELF executable with a PVH entry note, reading
 * its notes through read; describe it in pe. */
int pvh_elf_parse(const uint8_t *head, size_t head_len, uint64_t file_len, pvh_read_fn read,
		  void *ctx, struct pvh_elf *pe, struct berth_error *err);

#endif
