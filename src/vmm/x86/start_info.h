/* start_info.h - the hvm_start_info a PVH entry gets in EBX (Xen's
 * xen/include/public/arch-x86/hvm/start_info.h, version 1: with the memory map). */
#ifndef BERTH_VMM_X86_START_INFO_H
#define BERTH_VMM_X86_START_INFO_H

#include <stdint.h>

#include "common/error.h"
#include "vmm/memory.h"

#define HVM_START_MAGIC 0x336ec578

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

struct start_info_args {
	uint64_t cmdline_addr;
	uint64_t initrd_addr, initrd_len; /* initrd_len 0: no initrd */
	uint64_t rsdp_addr;
};

/* Write hvm_start_info at LAYOUT_PVH_INFO, the initrd as module 0 and the e820 map of gm
 * behind it. */
int start_info_write(const struct guest_mem *gm, const struct start_info_args *args,
		     struct berth_error *err);

#endif
