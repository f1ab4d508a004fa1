/* Unit tests for src/vmm/boot/pvh_elf.c, x86/start_info.c and linux.c's PVH path: a synthesized
 * vmlinux checked, spoiled in every field a hostile file controls, loaded and described. */
#include "testlib.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "pvh_fixture.h"
#include "vmm/boot/linux.h"
#include "vmm/boot/pvh.h"
#include "vmm/x86/layout.h"
#include "vmm/x86/start_info.h"

static uint8_t img[PVH_FIX_LEN];

static int read_img(void *ctx, uint64_t off, void *dst, size_t len, struct berth_error *err)
{
	(void)ctx;
	(void)err;
	memcpy(dst, img + off, len);
	return 0;
}

static int parse(struct pvh_elf *pe, struct berth_error *err)
{
	return pvh_elf_parse(img, PVH_FIX_LEN, PVH_FIX_LEN, read_img, NULL, pe, err);
}

static void parses_valid_vmlinux(void **state)
{
	struct berth_error err = { 0 };
	struct pvh_elf pe;

	(void)state;
	fixture_vmlinux(img);
	assert_true(pvh_elf_is_elf(img, PVH_FIX_LEN));
	assert_int_equal(parse(&pe, &err), 0);
	assert_int_equal(pe.entry, PVH_FIX_ENTRY);
	assert_int_equal(pe.nseg, 2);
	assert_int_equal(pe.end, PVH_FIX_DATA + PVH_FIX_SEGLEN + PVH_FIX_BSS);
	assert_string_equal(pe.version, "");
}

/* A Linux build-salt note (Debian's kernels put their release there) names the release;
 * one that is not printable text names none. */
static void reads_release_note(void **state)
{
	static const char release[] = "6.1.0-57-cloud-amd64";
	struct berth_error err = { 0 };
	struct pvh_fixture f;
	struct pvh_elf pe;
	uint8_t *note = img + PVH_FIX_NOTE + 44; /* right after the Xen note */

	(void)state;
	f = fixture_vmlinux(img);
	memcpy(note, &(Elf64_Nhdr){ .n_namesz = 6, .n_descsz = sizeof(release), .n_type = 0x100 },
	       12);
	memcpy(note + 12, "Linux\0\0\0", 8);
	memcpy(note + 20, release, sizeof(release));
	f.note->p_filesz = 44 + 20 + ((sizeof(release) + 3) & ~3u);
	assert_int_equal(parse(&pe, &err), 0);
	assert_string_equal(pe.version, release);
	note[20 + 3] = '\n';
	assert_int_equal(parse(&pe, &err), 0);
	assert_string_equal(pe.version, "");
}

static void expect_error(const char *needle)
{
	struct berth_error err = { 0 };
	struct pvh_elf pe;

	assert_int_equal(parse(&pe, &err), -1);
	assert_contains(err.msg, needle);
}

static void rejects_hostile_headers(void **state)
{
	(void)state;
	fixture_vmlinux(img).eh->e_ident[EI_CLASS] = ELFCLASS32;
	expect_error("not a 64-bit little-endian ELF file");
	fixture_vmlinux(img).eh->e_machine = EM_386;
	expect_error("not an x86-64 ELF executable");
	fixture_vmlinux(img).eh->e_phnum = PVH_PHNUM_MAX + 1;
	expect_error("ELF program headers");
	fixture_vmlinux(img).eh->e_phentsize = 32;
	expect_error("ELF program headers");
	fixture_vmlinux(img).eh->e_phoff = PVH_FIX_LEN - 8;
	expect_error("lie past the first");
	fixture_vmlinux(img).eh->e_phoff = UINT64_MAX - 8;
	expect_error("lie past the first");
}

static void rejects_hostile_segments(void **state)
{
	struct pvh_fixture f;

	(void)state;
	fixture_vmlinux(img).text->p_filesz = PVH_FIX_SEGLEN + 1;
	expect_error("larger in the file than in memory");
	fixture_vmlinux(img).data->p_offset = PVH_FIX_LEN - 1;
	expect_error("ELF segment 2 lies past the end of the file");
	fixture_vmlinux(img).data->p_offset = UINT64_MAX;
	expect_error("lies past the end of the file");
	fixture_vmlinux(img).text->p_paddr = 0x7000; /* over the zero page and hvm_start_info */
	expect_error("lies outside 1 MiB to 4 GiB");
	fixture_vmlinux(img).data->p_paddr = 0xFFFFF000;
	expect_error("lies outside 1 MiB to 4 GiB");
	fixture_vmlinux(img).data->p_memsz = UINT64_MAX;
	expect_error("lies outside 1 MiB to 4 GiB");
	fixture_vmlinux(img).data->p_paddr = PVH_FIX_TEXT + PVH_FIX_SEGLEN - 1;
	expect_error("ELF segment 2 overlaps another");
	f = fixture_vmlinux(img);
	f.text->p_type = f.data->p_type = PT_NULL;
	expect_error("nothing to load");
}

static void rejects_hostile_notes(void **state)
{
	(void)state;
	fixture_vmlinux(img).note->p_type = PT_NULL;
	expect_error("no PVH entry note");
	fixture_vmlinux(img).note->p_filesz = 40; /* cuts the Xen note's descriptor */
	expect_error("runs past its segment");
	fixture_vmlinux(img).note->p_filesz = PVH_NOTES_MAX + 1;
	expect_error("the ELF notes are larger than");
	fixture_vmlinux(img).note->p_offset = PVH_FIX_LEN - 4;
	expect_error("note segment lies past the end of the file");
	fixture_vmlinux(img);
	memcpy(img + PVH_FIX_NOTE + 20, &(uint32_t){ 0xFFFFFFF0 }, 4); /* a huge n_namesz */
	expect_error("runs past its segment");
	fixture_vmlinux(img);
	memcpy(img + PVH_FIX_NOTE + 36, &(uint64_t){ 1ULL << 32 }, 8);
	expect_error("is not a 32-bit address");
	fixture_vmlinux(img);
	memcpy(img + PVH_FIX_NOTE + 36, &(uint64_t){ PVH_FIX_DATA + PVH_FIX_SEGLEN }, 8);
	expect_error("is not in a loaded segment"); /* in the bss: nothing there to run */
}

static void boots_through_pvh(void **state)
{
	static const char initrd[] = "initrd-bytes";
	struct berth_error err = { 0 };
	struct hvm_start_info *si;
	struct hvm_modlist_entry *mod;
	struct hvm_memmap_table_entry *map;
	struct linux_boot lb;
	struct guest_mem gm;
	char kernel[128];
	uint64_t entry;
	uint8_t *bss;

	(void)state;
	fixture_vmlinux(img);
	assert_int_equal(gm_init(&gm, 64 << 20, &err), 0);
	bss = gm_ptr(&gm, PVH_FIX_DATA + PVH_FIX_SEGLEN, PVH_FIX_BSS);
	memset(bss, 0xEE, PVH_FIX_BSS); /* left over from a previous boot: must be cleared */
	snprintf(kernel, sizeof(kernel), "%s", testlib_file("vmlinux", img, PVH_FIX_LEN));
	assert_int_equal(linux_boot_open(&lb, kernel,
					 testlib_file("initrd", initrd, sizeof(initrd)),
					 "console=ttyS0", &err),
			 0);
	assert_true(lb.pvh);
	assert_string_equal(linux_boot_version(&lb), ""); /* no build-salt note */
	assert_int_equal(linux_boot_load(&lb, &gm, 2, NULL, &entry, &err), 0);
	linux_boot_close(&lb);
	assert_int_equal(entry, PVH_FIX_ENTRY);
	assert_memory_equal(gm_ptr(&gm, PVH_FIX_TEXT, PVH_FIX_SEGLEN), img + PVH_FIX_OFF,
			    PVH_FIX_SEGLEN);
	assert_memory_equal(gm_ptr(&gm, PVH_FIX_DATA, PVH_FIX_SEGLEN),
			    img + PVH_FIX_OFF + PVH_FIX_SEGLEN, PVH_FIX_SEGLEN);
	assert_true(bss[0] == 0 && bss[PVH_FIX_BSS - 1] == 0);
	si = gm_ptr(&gm, LAYOUT_PVH_INFO, sizeof(*si));
	assert_int_equal(si->magic, HVM_START_MAGIC);
	assert_int_equal(si->version, 1);
	assert_int_equal(si->cmdline_paddr, LAYOUT_CMDLINE);
	assert_string_equal((char *)gm_ptr(&gm, LAYOUT_CMDLINE, 14), "console=ttyS0");
	assert_int_equal(si->rsdp_paddr, LAYOUT_ACPI);
	assert_int_equal(si->nr_modules, 1);
	mod = gm_ptr(&gm, si->modlist_paddr, sizeof(*mod));
	assert_int_equal(mod->size, sizeof(initrd));
	assert_true(mod->paddr >= PVH_FIX_DATA + PVH_FIX_SEGLEN + PVH_FIX_BSS);
	assert_memory_equal(gm_ptr(&gm, mod->paddr, sizeof(initrd)), initrd, sizeof(initrd));
	/* The same e820 map as a bzImage's: low RAM, the EBDA hole, RAM from 1 MiB, ECAM. */
	assert_int_equal(si->memmap_entries, 4);
	map = gm_ptr(&gm, si->memmap_paddr, 4 * sizeof(*map));
	assert_int_equal(map[0].addr, 0);
	assert_int_equal(map[0].size, LAYOUT_EBDA);
	assert_int_equal(map[0].type, 1);
	assert_int_equal(map[2].addr, LAYOUT_KERNEL);
	assert_int_equal(map[2].size, (64 << 20) - LAYOUT_KERNEL);
	assert_int_equal(map[3].type, 2);
	gm_destroy(&gm);
}

static void pvh_needs_room(void **state)
{
	struct berth_error err = { 0 };
	struct guest_mem gm;
	struct pvh_elf pe;
	uint64_t addr;

	(void)state;
	fixture_vmlinux(img);
	assert_int_equal(parse(&pe, &err), 0);
	gm_init_from(&gm, NULL, 16 << 20); /* layout only */
	assert_int_equal(pvh_elf_load(&pe, &(struct boot_file){ .fd = -1 }, &gm, &err), -1);
	assert_string_equal(err.msg,
			    "the kernel needs 19 MiB of guest RAM to start; give --mem more");
	gm_init_from(&gm, NULL, 64 << 20);
	assert_int_equal(pvh_elf_place_initrd(&pe, &gm, 60 << 20, &addr, &err), -1);
	assert_contains(err.msg, "initrd (60 MiB) does not fit");
	assert_int_equal(pvh_elf_place_initrd(&pe, &gm, UINT64_MAX, &addr, &err), -1);
	assert_int_equal(pvh_elf_place_initrd(&pe, &gm, 4096, &addr, &err), 0);
	assert_int_equal(addr, (64 << 20) - 4096);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_valid_vmlinux),
		cmocka_unit_test(reads_release_note),
		cmocka_unit_test(rejects_hostile_headers),
		cmocka_unit_test(rejects_hostile_segments),
		cmocka_unit_test(rejects_hostile_notes),
		cmocka_unit_test(boots_through_pvh),
		cmocka_unit_test(pvh_needs_room),
	};
	return cmocka_run_group_tests(tests, testlib_dir_make, testlib_dir_remove);
}
