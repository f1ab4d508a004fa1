/* vbe.c - the Bochs VBE register file: what the guest may store, and the mode it means. */
#include "vbe.h"

#include <string.h>

void vbe_init(struct vbe *v, uint32_t fb_size)
{
	memset(v, 0, sizeof(*v));
	v->fb_size = fb_size;
	v->reg[VBE_INDEX_ID] = VBE_ID5;
	v->reg[VBE_INDEX_BPP] = 8;
}

uint16_t vbe_read(const struct vbe *v, unsigned index)
{
	bool caps = v->reg[VBE_INDEX_ENABLE] & VBE_GETCAPS;

	if (index >= VBE_NREGS)
		return 0xffff;
	if (caps && index == VBE_INDEX_XRES)
		return VBE_MAX_XRES;
	if (caps && index == VBE_INDEX_YRES)
		return VBE_MAX_YRES;
	if (caps && index == VBE_INDEX_BPP)
		return VBE_MAX_BPP;
	if (index == VBE_INDEX_VIDEO_MEMORY_64K)
		return (uint16_t)(v->fb_size >> 16);
	return v->reg[index];
}

void vbe_write(struct vbe *v, unsigned index, uint16_t val)
{
	switch (index) {
	case VBE_INDEX_ID:
		if (val >= VBE_ID0 && val <= VBE_ID5)
			v->reg[index] = val;
		break;
	case VBE_INDEX_XRES:
		if (val <= VBE_MAX_XRES && !(val & 7))
			v->reg[index] = val;
		break;
	case VBE_INDEX_YRES:
		if (val <= VBE_MAX_YRES)
			v->reg[index] = val;
		break;
	case VBE_INDEX_BPP:
		if (val == 0)
			val = 8;
		if (val == 4 || val == 8 || val == 15 || val == 16 || val == 24 || val == 32)
			v->reg[index] = val;
		break;
	case VBE_INDEX_ENABLE:
		v->reg[index] =
		    val & (VBE_ENABLED | VBE_GETCAPS | VBE_LFB_ENABLED | VBE_NOCLEARMEM);
		break;
	case VBE_INDEX_BANK: /* banked access goes through legacy VGA memory, which this has not */
	case VBE_INDEX_VIRT_WIDTH:
	case VBE_INDEX_VIRT_HEIGHT:
	case VBE_INDEX_X_OFFSET:
	case VBE_INDEX_Y_OFFSET:
		v->reg[index] = val;
		break;
	default: /* ID's read-only neighbours and indices that do not exist */
		break;
	}
}

bool vbe_mode(const struct vbe *v, struct vbe_mode *m)
{
	uint64_t w = v->reg[VBE_INDEX_XRES], h = v->reg[VBE_INDEX_YRES];
	uint64_t vw = v->reg[VBE_INDEX_VIRT_WIDTH], bpp = v->reg[VBE_INDEX_BPP];
	uint64_t bytes_pp = bpp / 8, stride, offset;

	if (!(v->reg[VBE_INDEX_ENABLE] & VBE_ENABLED) || w == 0 || h == 0 ||
	    (bpp != 16 && bpp != 24 && bpp != 32))
		return false;
	if (vw < w)
		vw = w; /* as QEMU: a virtual width below the width means the width */
	stride = vw * bytes_pp;
	offset = v->reg[VBE_INDEX_Y_OFFSET] * stride + v->reg[VBE_INDEX_X_OFFSET] * bytes_pp;
	/* All in 64 bits from 16-bit registers: nothing here can wrap. */
	if (offset + (h - 1) * stride + w * bytes_pp > v->fb_size)
		return false;
	m->width = (uint32_t)w;
	m->height = (uint32_t)h;
	m->bytes_pp = (uint32_t)bytes_pp;
	m->stride = (uint32_t)stride;
	m->offset = offset;
	return true;
}
