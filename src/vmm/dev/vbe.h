/* vbe.h - the Bochs VBE ("dispi") register file of a display and the mode it describes.
 *
 * The registers are 16-bit, indexed as in Bochs and QEMU (ID, XRES, YRES, BPP, ENABLE, BANK,
 * VIRT_WIDTH, VIRT_HEIGHT, X_OFFSET, Y_OFFSET, VIDEO_MEMORY_64K). Every value comes from a
 * hostile guest: the registers only store what was written (within each register's range),
 * and vbe_mode() says whether they describe a picture that lies wholly inside the
 * framebuffer. A mode that does not fit is refused (the screen is blank), never clamped by
 * reading past the framebuffer. tests/fuzz/vmm/fuzz_bochs_display.c drives it. */
#ifndef BERTH_VMM_DEV_VBE_H
#define BERTH_VMM_DEV_VBE_H

#include <stdbool.h>
#include <stdint.h>

#define VBE_INDEX_ID		   0x0
#define VBE_INDEX_XRES		   0x1
#define VBE_INDEX_YRES		   0x2
#define VBE_INDEX_BPP		   0x3
#define VBE_INDEX_ENABLE	   0x4
#define VBE_INDEX_BANK		   0x5
#define VBE_INDEX_VIRT_WIDTH	   0x6
#define VBE_INDEX_VIRT_HEIGHT	   0x7
#define VBE_INDEX_X_OFFSET	   0x8
#define VBE_INDEX_Y_OFFSET	   0x9
#define VBE_INDEX_VIDEO_MEMORY_64K 0xa
#define VBE_NREGS		   0xb

#define VBE_ID0 0xB0C0
#define VBE_ID5 0xB0C5 /* the newest interface: what SeaBIOS's bochs-display ROM insists on */

#define VBE_ENABLED	0x01
#define VBE_GETCAPS	0x02
#define VBE_LFB_ENABLED 0x40
#define VBE_NOCLEARMEM	0x80

/* The largest mode the registers accept (as QEMU's); the framebuffer bounds it further. */
#define VBE_MAX_XRES 16000
#define VBE_MAX_YRES 12000
#define VBE_MAX_BPP  32

struct vbe {
	uint16_t reg[VBE_NREGS];
	uint32_t fb_size; /* bytes of framebuffer behind the registers */
};

/* A picture in the framebuffer: width x height pixels of bytes_pp bytes each (2: RGB565,
 * 3: BGR888, 4: XRGB8888 little-endian), rows stride bytes apart from offset. */
struct vbe_mode {
	uint32_t width, height, bytes_pp, stride;
	uint64_t offset;
};

/* Power-on registers (display off) for a framebuffer of fb_size bytes. */
void vbe_init(struct vbe *v, uint32_t fb_size);

/* The register index as the guest reads it (all ones for an index that does not exist). */
uint16_t vbe_read(const struct vbe *v, unsigned index);

/* The guest writes val to register index; out-of-range values are ignored, as in QEMU. */
void vbe_write(struct vbe *v, unsigned index, uint16_t val);

/* The picture the registers describe: true and *m if the display is on with a mode we
 * show (16, 24 or 32 bpp) that lies wholly inside the framebuffer, else false. */
bool vbe_mode(const struct vbe *v, struct vbe_mode *m);

#endif
