/* bochs_display.h - QEMU's "bochs-display": a PCI display (1234:1111, class 0x0380) with a
 * linear framebuffer and the Bochs VBE registers, no legacy VGA.
 *
 * BAR 0 (prefetchable) is the framebuffer; BAR 2 (4 KiB) holds the EDID block (reads as
 * zeroes: no EDID), the VBE registers at 0x500 (16-bit each, by index) and QEMU's extended
 * registers at 0x600 (the region's size, and the framebuffer's byte order, little-endian
 * only). Firmware and Linux's bochs DRM driver drive it.
 *
 * The framebuffer is host memory of its own that KVM maps, with dirty-page logging, wherever
 * the guest's BAR 0 decodes; until then (and if KVM refuses) guest accesses reach it through
 * MMIO exits. The vCPU that moves the BAR only records where it now is: the KVM call that
 * maps it is made on the event loop (bochs_display_sync), so a vCPU thread never changes
 * the guest's memory map. The guest writes pixels without any exit; readers take a copy of
 * the visible picture (bochs_display_snapshot) through the mode the registers describe,
 * which never reaches outside the framebuffer (vbe_mode). */
#ifndef BERTH_VMM_DEV_BOCHS_DISPLAY_H
#define BERTH_VMM_DEV_BOCHS_DISPLAY_H

#include <pthread.h>
#include <stdint.h>

#include "common/error.h"
#include "vmm/dev/vbe.h"
#include "vmm/loop.h"
#include "vmm/pci/pci.h"

#define BOCHS_DISPLAY_VENDOR  0x1234
#define BOCHS_DISPLAY_DEVICE  0x1111
#define BOCHS_DISPLAY_FB_SIZE (16u << 20)
#define BOCHS_DISPLAY_MMIO    4096
/* BAR 2's layout (QEMU's hw/display/bochs-display.c). */
#define BOCHS_DISPLAY_VBE_OFF  0x500
#define BOCHS_DISPLAY_QEXT_OFF 0x600
#define BOCHS_DISPLAY_QEXT_LEN 8
/* The ROM SeaBIOS runs for it (from its expansion ROM BAR: SeaBIOS 1.16 looks for an
 * "other display" ROM only there), which draws the firmware's text on the framebuffer. */
#define BOCHS_DISPLAY_ROM "/usr/share/seabios/vgabios-bochs-display.bin"

struct bochs_display {
	struct pci_dev pci;
	pthread_mutex_t lock; /* vbe, qext_byteorder and want_gpa */
	struct vbe vbe;
	uint32_t qext_byteorder;
	uint8_t *fb; /* BOCHS_DISPLAY_FB_SIZE bytes, mapped */
	uint32_t fb_size;
	uint8_t *rom; /* expansion ROM (owned), NULL: none */
	uint32_t rom_len;
	uint64_t want_gpa; /* where BAR 0 decodes now (0: nowhere), set on vCPU threads */
	/* Event loop only: */
	int vm_fd;	   /* this boot's VM, -1 between boots (and in fuzzers) */
	unsigned slot;	   /* KVM memory slot of the framebuffer */
	uint64_t have_gpa; /* where KVM maps the framebuffer (0: not mapped) */
	bool unlogged;	   /* written through MMIO exits since the last bochs_display_dirty */
	struct loop_source remap; /* eventfd: BAR 0 moved */
};

/* A copy of the visible picture as 32-bit pixels 0x00RRGGBB, width x height. */
struct screen {
	uint32_t width, height;
	uint32_t *pixels; /* malloc'd */
};

/* Map the framebuffer and prepare the device (not yet on a bus), with the expansion ROM rom
 * of rom_len bytes (taken over; NULL: none); loop may be NULL (fuzzers): then nothing is
 * ever mapped into KVM. */
int bochs_display_init(struct bochs_display *d, uint32_t fb_size, uint8_t *rom, uint32_t rom_len,
		       struct loop *loop, struct berth_error *err);

/* A new boot's VM: the framebuffer goes to KVM memory slot slot of vm_fd once BAR 0 decodes. */
void bochs_display_attach(struct bochs_display *d, int vm_fd, unsigned slot);

/* The boot ended: forget its VM, put the registers back to power-on. */
void bochs_display_detach(struct bochs_display *d);

/* Bring KVM's mapping of the framebuffer in line with BAR 0 (event loop). */
void bochs_display_sync(struct bochs_display *d);

/* The mode the registers describe now (see vbe_mode). */
bool bochs_display_mode(struct bochs_display *d, struct vbe_mode *m);

/* Which framebuffer pages the guest wrote since the last call, as bits in pages (one per
 * 4 KiB page of fb_size); 0 done, 1 when it cannot tell (all may have changed). Event loop. */
int bochs_display_dirty(struct bochs_display *d, uint64_t *pages);

/* One pixel of the mode's format (bytes_pp 2, 3 or 4) at p as 0x00RRGGBB. */
uint32_t bochs_display_pixel(const uint8_t *p, uint32_t bytes_pp);

/* Copy the visible picture into *s (s->pixels NULL and 0x0 when the display is off or its
 * mode does not fit the framebuffer); -1 only when memory runs out. */
int bochs_display_snapshot(struct bochs_display *d, struct screen *s);

/* Unmap the framebuffer and close what init opened. */
void bochs_display_destroy(struct bochs_display *d);

#endif
