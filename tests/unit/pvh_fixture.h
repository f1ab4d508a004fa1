/* pvh_fixture.h - a synthetic ELF64 vmlinux with a PVH entry note, for the boot unit tests:
 * the ELF header, a PT_NOTE and two PT_LOAD program headers, the note, then the segments. */
#ifndef BERTH_TESTS_PVH_FIXTURE_H
#define BERTH_TESTS_PVH_FIXTURE_H

#include <elf.h>
#include <stdint.h>
#include <string.h>

#define PVH_FIX_TEXT   0x1000000 /* paddr of the first segment */
#define PVH_FIX_ENTRY  (PVH_FIX_TEXT + 0x10)
#define PVH_FIX_OFF    0x1000 /* file offset of the first segment */
#define PVH_FIX_SEGLEN 0x1000
#define PVH_FIX_DATA   (PVH_FIX_TEXT + 0x200000) /* paddr of the second, with a bss */
#define PVH_FIX_BSS    0x3000
#define PVH_FIX_LEN    (PVH_FIX_OFF + 2 * PVH_FIX_SEGLEN)
#define PVH_FIX_NOTE   0x200 /* file offset of the note */

struct pvh_fixture {
	Elf64_Ehdr *eh;
	Elf64_Phdr *note, *text, *data;
};

/* Write a valid vmlinux into buf (PVH_FIX_LEN bytes); the pointers let a test spoil it. */
static inline struct pvh_fixture fixture_vmlinux(uint8_t *buf)
{
	struct pvh_fixture f = { .eh = (Elf64_Ehdr *)buf };
	Elf64_Phdr *ph = (Elf64_Phdr *)(buf + sizeof(Elf64_Ehdr));
	Elf64_Nhdr nh = { .n_namesz = 4, .n_descsz = 8, .n_type = 18 };
	uint64_t entry = PVH_FIX_ENTRY;

	memset(buf, 0, PVH_FIX_LEN);
	memcpy(f.eh->e_ident, ELFMAG, SELFMAG);
	f.eh->e_ident[EI_CLASS] = ELFCLASS64;
	f.eh->e_ident[EI_DATA] = ELFDATA2LSB;
	f.eh->e_ident[EI_VERSION] = EV_CURRENT;
	f.eh->e_type = ET_EXEC;
	f.eh->e_machine = EM_X86_64;
	f.eh->e_phoff = sizeof(Elf64_Ehdr);
	f.eh->e_phentsize = sizeof(Elf64_Phdr);
	f.eh->e_phnum = 3;
	f.note = &ph[0];
	f.text = &ph[1];
	f.data = &ph[2];
	/* A GNU note before the Xen one: notes are walked, not just the first read. */
	*f.note = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = PVH_FIX_NOTE, .p_filesz = 48 };
	memcpy(buf + PVH_FIX_NOTE,
	       &(Elf64_Nhdr){ .n_namesz = 4, .n_descsz = 4, .n_type = NT_GNU_BUILD_ID }, 12);
	memcpy(buf + PVH_FIX_NOTE + 12, "GNU\0abcd", 8);
	memcpy(buf + PVH_FIX_NOTE + 20, &nh, sizeof(nh));
	memcpy(buf + PVH_FIX_NOTE + 32, "Xen\0", 4);
	memcpy(buf + PVH_FIX_NOTE + 36, &entry, 8);
	*f.text = (Elf64_Phdr){ .p_type = PT_LOAD,
				.p_offset = PVH_FIX_OFF,
				.p_paddr = PVH_FIX_TEXT,
				.p_filesz = PVH_FIX_SEGLEN,
				.p_memsz = PVH_FIX_SEGLEN };
	*f.data = (Elf64_Phdr){ .p_type = PT_LOAD,
				.p_offset = PVH_FIX_OFF + PVH_FIX_SEGLEN,
				.p_paddr = PVH_FIX_DATA,
				.p_filesz = PVH_FIX_SEGLEN,
				.p_memsz = PVH_FIX_SEGLEN + PVH_FIX_BSS };
	memset(buf + PVH_FIX_OFF, 0x90, PVH_FIX_SEGLEN);
	memset(buf + PVH_FIX_OFF + PVH_FIX_SEGLEN, 0xAB, PVH_FIX_SEGLEN);
	return f;
}

#endif
