/* start_info.c - hvm_start_info for a PVH entry, at LAYOUT_PVH_INFO: the structure, then the
 * module list (the initrd), then the memory map, all below the zero page. */
#include "start_info.h"

#include <asm/bootparam.h>

#include "vmm/x86/bootparams.h"
#include "vmm/x86/layout.h"

#define MODLIST_ADDR (LAYOUT_PVH_INFO + 0x40)
#define MEMMAP_ADDR  (MODLIST_ADDR + sizeof(struct hvm_modlist_entry))

_Static_assert(sizeof(struct hvm_start_info) <= 0x40, "hvm_start_info fits before its list");
_Static_assert(MEMMAP_ADDR + E820_MAX_ENTRIES_ZEROPAGE * sizeof(struct hvm_memmap_table_entry) <=
		   LAYOUT_ZERO_PAGE,
	       "the PVH memory map fits below the zero page");

int start_info_write(const struct guest_mem *gm, const struct start_info_args *args,
		     struct berth_error *err)
{
	struct boot_e820_entry e820[E820_MAX_ENTRIES_ZEROPAGE];
	struct hvm_memmap_table_entry map[E820_MAX_ENTRIES_ZEROPAGE];
	struct hvm_start_info si = { .magic = HVM_START_MAGIC,
				     .version = 1,
				     .cmdline_paddr = args->cmdline_addr,
				     .rsdp_paddr = args->rsdp_addr,
				     .memmap_paddr = MEMMAP_ADDR };
	struct hvm_modlist_entry mod = { .paddr = args->initrd_addr, .size = args->initrd_len };
	unsigned i;

	si.memmap_entries = e820_build(e820, E820_MAX_ENTRIES_ZEROPAGE, gm);
	for (i = 0; i < si.memmap_entries; i++)
		map[i] = (struct hvm_memmap_table_entry){ .addr = e820[i].addr,
							  .size = e820[i].size,
							  .type = e820[i].type };
	if (args->initrd_len) {
		si.nr_modules = 1;
		si.modlist_paddr = MODLIST_ADDR;
	}
	if (gm_write(gm, LAYOUT_PVH_INFO, &si, sizeof(si)) ||
	    gm_write(gm, MODLIST_ADDR, &mod, sizeof(mod)) ||
	    gm_write(gm, MEMMAP_ADDR, map, si.memmap_entries * sizeof(map[0])))
		return berr(err, 0, "guest RAM too small for the PVH start info");
	return 0;
}
