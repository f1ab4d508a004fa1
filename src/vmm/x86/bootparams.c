/* bootparams.c - build the zero page and the e820 memory map. */
#include "bootparams.h"

#include <string.h>

#include "layout.h"

#define E820_RAM      1
#define E820_RESERVED 2

static void e820_add(struct boot_e820_entry *t, unsigned max, unsigned *n, uint64_t addr,
		     uint64_t size, uint32_t type)
{
	if (size == 0 || *n >= max)
		return;
	t[(*n)++] = (struct boot_e820_entry){ .addr = addr, .size = size, .type = type };
}

unsigned e820_build(struct boot_e820_entry *t, unsigned max, const struct guest_mem *gm)
{
	uint64_t low = gm_low_size(gm);
	unsigned i, n = 0;

	e820_add(t, max, &n, 0, low < LAYOUT_EBDA ? low : LAYOUT_EBDA, E820_RAM);
	e820_add(t, max, &n, LAYOUT_EBDA, LAYOUT_KERNEL - LAYOUT_EBDA, E820_RESERVED);
	if (low > LAYOUT_KERNEL)
		e820_add(t, max, &n, LAYOUT_KERNEL, low - LAYOUT_KERNEL, E820_RAM);
	/* PCI's ECAM: Linux uses MMCONFIG only where the firmware reserved it. */
	e820_add(t, max, &n, LAYOUT_PCI_ECAM, LAYOUT_PCI_ECAM_SIZE, E820_RESERVED);
	for (i = 1; i < gm->nregions; i++)
		e820_add(t, max, &n, gm->regions[i].gpa, gm->regions[i].size, E820_RAM);
	return n;
}

/* Describe the framebuffer as firmware's (EFI's GOP type, which Linux's efifb takes from a
 * BIOS boot too), so the kernel's console shows on it without a display driver. */
static void screen_build(struct screen_info *si, const struct boot_screen *s)
{
	si->orig_video_isVGA = VIDEO_TYPE_EFI;
	si->lfb_base = s->base;
	si->lfb_width = s->width;
	si->lfb_height = s->height;
	si->lfb_depth = 32;
	si->lfb_linelength = (uint16_t)s->stride;
	si->lfb_size = s->stride * s->height;
	si->red_size = si->green_size = si->blue_size = si->rsvd_size = 8;
	si->red_pos = 16;
	si->green_pos = 8;
	si->blue_pos = 0;
	si->rsvd_pos = 24;
}

void bootparams_build(struct boot_params *bp, const struct bzimage *bz, const struct guest_mem *gm,
		      const struct boot_args *args)
{
	struct setup_header *h = &bp->hdr;

	memset(bp, 0, sizeof(*bp));
	*h = bz->head.hdr;
	h->type_of_loader = 0xFF; /* "undefined" boot loader */
	h->loadflags |= CAN_USE_HEAP;
	h->loadflags &= ~KEEP_SEGMENTS;
	h->heap_end_ptr = 0xFE00;
	h->vid_mode = 0xFFFF; /* "normal" */
	h->code32_start = (uint32_t)bz->load_addr;
	if (args->screen)
		screen_build(&bp->screen_info, args->screen);
	h->cmd_line_ptr = (uint32_t)args->cmdline_addr;
	bp->ext_cmd_line_ptr = (uint32_t)(args->cmdline_addr >> 32);
	if (args->initrd_len) {
		h->ramdisk_image = (uint32_t)args->initrd_addr;
		h->ramdisk_size = (uint32_t)args->initrd_len;
		bp->ext_ramdisk_image = (uint32_t)(args->initrd_addr >> 32);
		bp->ext_ramdisk_size = (uint32_t)(args->initrd_len >> 32);
	} else {
		h->ramdisk_image = 0;
		h->ramdisk_size = 0;
	}
	bp->acpi_rsdp_addr = args->rsdp_addr;
	bp->e820_entries = (uint8_t)e820_build(bp->e820_table, E820_MAX_ENTRIES_ZEROPAGE, gm);
}
