/* pvh_elf.c - check an ELF64 vmlinux with a PVH entry note (see pvh_elf.h). */
#include "pvh_elf.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define LINUX_ELFNOTE_BUILD_SALT 0x100		/* Debian's kernels put their release there */
#define PVH_ADDR_LIMIT		 0x100000000ULL /* PVH enters with paging off: 32-bit addresses */

bool pvh_elf_is_elf(const uint8_t *head, size_t head_len)
{
	return head_len >= SELFMAG && memcmp(head, ELFMAG, SELFMAG) == 0;
}

static int check_ehdr(const Elf64_Ehdr *eh, size_t head_len, struct berth_error *err)
{
	if (head_len < sizeof(*eh) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_ident[EI_VERSION] != EV_CURRENT)
		return berr(err, 0, "not a 64-bit little-endian ELF file");
	if (eh->e_machine != EM_X86_64 || eh->e_type != ET_EXEC)
		return berr(err, 0, "not an x86-64 ELF executable (type %u, machine %u)",
			    eh->e_type, eh->e_machine);
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 ||
	    eh->e_phnum > PVH_PHNUM_MAX)
		return berr(err, 0, "ELF program headers: %u of %u bytes (at most %u of %zu)",
			    eh->e_phnum, eh->e_phentsize, PVH_PHNUM_MAX, sizeof(Elf64_Phdr));
	if (eh->e_phoff > head_len || head_len - eh->e_phoff < eh->e_phnum * sizeof(Elf64_Phdr))
		return berr(err, 0, "ELF program headers lie past the first %zu bytes of the file",
			    head_len);
	return 0;
}

/* A PT_LOAD segment: inside the file, in 32-bit RAM above the VMM's own boot areas (the GDT,
 * hvm_start_info, the command line and ACPI tables, all below LAYOUT_KERNEL). */
static int add_segment(struct pvh_elf *pe, const Elf64_Phdr *ph, uint64_t file_len, unsigned i,
		       struct berth_error *err)
{
	struct pvh_segment *s;
	unsigned j;

	if (ph->p_memsz == 0)
		return 0;
	if (pe->nseg == PVH_SEG_MAX)
		return berr(err, 0, "more than %u loadable ELF segments", PVH_SEG_MAX);
	if (ph->p_filesz > ph->p_memsz)
		return berr(err, 0, "ELF segment %u is larger in the file than in memory", i);
	if (ph->p_offset > file_len || file_len - ph->p_offset < ph->p_filesz)
		return berr(err, 0, "ELF segment %u lies past the end of the file", i);
	if (ph->p_paddr < PVH_MIN_ADDR || ph->p_paddr >= PVH_ADDR_LIMIT ||
	    PVH_ADDR_LIMIT - ph->p_paddr < ph->p_memsz)
		return berr(err, 0,
			    "ELF segment %u (%#llx, %llu bytes) lies outside 1 MiB to 4 GiB, where "
			    "a PVH kernel may go",
			    i, (unsigned long long)ph->p_paddr, (unsigned long long)ph->p_memsz);
	for (j = 0; j < pe->nseg; j++)
		if (ph->p_paddr < pe->seg[j].paddr + pe->seg[j].memsz &&
		    pe->seg[j].paddr < ph->p_paddr + ph->p_memsz)
			return berr(err, 0, "ELF segment %u overlaps another", i);
	s = &pe->seg[pe->nseg++];
	*s = (struct pvh_segment){ .offset = ph->p_offset,
				   .filesz = ph->p_filesz,
				   .paddr = ph->p_paddr,
				   .memsz = ph->p_memsz };
	if (s->paddr + s->memsz > pe->end)
		pe->end = s->paddr + s->memsz;
	return 0;
}

/* The release from a build-salt note of len bytes: printable text only, else none. */
static void copy_version(struct pvh_elf *pe, const char *desc, size_t len)
{
	size_t i, n = strnlen(desc, len);

	if (n == 0 || n >= sizeof(pe->version))
		return;
	for (i = 0; i < n; i++)
		if (desc[i] < 0x21 || desc[i] > 0x7e)
			return;
	memcpy(pe->version, desc, n);
	pe->version[n] = 0;
}

/* Find XEN_ELFNOTE_PHYS32_ENTRY among len bytes of notes; 0 without one. */
static int find_entry(const uint8_t *notes, size_t len, struct pvh_elf *pe, struct berth_error *err)
{
	size_t pos = 0, name_len, desc_len;
	Elf64_Nhdr nh;
	uint64_t entry;

	while (len - pos >= sizeof(nh)) {
		memcpy(&nh, notes + pos, sizeof(nh));
		pos += sizeof(nh);
		name_len = ((size_t)nh.n_namesz + 3) & ~(size_t)3;
		desc_len = ((size_t)nh.n_descsz + 3) & ~(size_t)3;
		if (name_len > len - pos || desc_len > len - pos - name_len)
			return berr(err, 0, "an ELF note runs past its segment");
		if (nh.n_namesz == 4 && memcmp(notes + pos, "Xen", 4) == 0 &&
		    nh.n_type == XEN_ELFNOTE_PHYS32_ENTRY) {
			/* Linux writes it as a pointer-sized value (.quad on x86-64). */
			if (nh.n_descsz != 4 && nh.n_descsz != 8)
				return berr(err, 0, "the PVH entry note has %u bytes (4 or 8)",
					    nh.n_descsz);
			entry = 0;
			memcpy(&entry, notes + pos + name_len, nh.n_descsz);
			if (entry == 0 || entry >= PVH_ADDR_LIMIT)
				return berr(err, 0,
					    "the PVH entry point %#llx is not a 32-bit "
					    "address",
					    (unsigned long long)entry);
			pe->entry = (uint32_t)entry;
		}
		if (nh.n_namesz == 6 && memcmp(notes + pos, "Linux", 6) == 0 &&
		    nh.n_type == LINUX_ELFNOTE_BUILD_SALT)
			copy_version(pe, (const char *)notes + pos + name_len, nh.n_descsz);
		pos += name_len + desc_len;
	}
	return 0;
}

static int read_notes(const Elf64_Phdr *ph, uint64_t file_len, pvh_read_fn read, void *ctx,
		      size_t *budget, struct pvh_elf *pe, struct berth_error *err)
{
	uint8_t *buf;
	int rc;

	if (ph->p_filesz > *budget)
		return berr(err, 0, "the ELF notes are larger than %u KiB", PVH_NOTES_MAX >> 10);
	if (ph->p_offset > file_len || file_len - ph->p_offset < ph->p_filesz)
		return berr(err, 0, "an ELF note segment lies past the end of the file");
	*budget -= ph->p_filesz;
	if (ph->p_filesz == 0)
		return 0;
	buf = malloc(ph->p_filesz);
	if (!buf)
		return berr(err, ENOMEM, "ELF notes");
	rc = read(ctx, ph->p_offset, buf, ph->p_filesz, err);
	if (rc == 0)
		rc = find_entry(buf, ph->p_filesz, pe, err);
	free(buf);
	return rc;
}

static bool entry_is_loaded(const struct pvh_elf *pe)
{
	unsigned i;

	for (i = 0; i < pe->nseg; i++)
		if (pe->entry >= pe->seg[i].paddr &&
		    pe->entry - pe->seg[i].paddr < pe->seg[i].filesz)
			return true;
	return false;
}

int pvh_elf_parse(const uint8_t *head, size_t head_len, uint64_t file_len, pvh_read_fn read,
		  void *ctx, struct pvh_elf *pe, struct berth_error *err)
{
	size_t budget = PVH_NOTES_MAX;
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	unsigned i;

	memset(pe, 0, sizeof(*pe));
	if (!pvh_elf_is_elf(head, head_len))
		return berr(err, 0, "not an ELF file");
	if (head_len > file_len)
		head_len = (size_t)file_len;
	memcpy(&eh, head, head_len < sizeof(eh) ? head_len : sizeof(eh));
	if (check_ehdr(&eh, head_len, err))
		return -1;
	for (i = 0; i < eh.e_phnum; i++) {
		memcpy(&ph, head + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if ((ph.p_type == PT_LOAD && add_segment(pe, &ph, file_len, i, err)) ||
		    (ph.p_type == PT_NOTE &&
		     read_notes(&ph, file_len, read, ctx, &budget, pe, err)))
			return -1;
	}
	if (pe->nseg == 0)
		return berr(err, 0, "the ELF file has nothing to load");
	if (pe->entry == 0)
		return berr(err, 0,
			    "the ELF kernel has no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY): "
			    "build it with CONFIG_PVH or boot its bzImage");
	if (!entry_is_loaded(pe))
		return berr(err, 0, "the PVH entry point %#x is not in a loaded segment",
			    pe->entry);
	return 0;
}
