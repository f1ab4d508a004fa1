/* Unit tests for the display's registers (src/vmm/dev/vbe.c), bochs-display's register BAR
 * (bochs_display.c) and the keyboard controller (i8042.c) as a guest drives them. */
#include "testlib.h"

#include <stdlib.h>

#include "vmm/dev/bochs_display.h"
#include "vmm/dev/i8042.h"
#include "vmm/dev/keymap.h"

#define FB (1u << 20)

static void set_mode(struct vbe *v, uint16_t w, uint16_t h, uint16_t bpp)
{
	vbe_write(v, VBE_INDEX_XRES, w);
	vbe_write(v, VBE_INDEX_YRES, h);
	vbe_write(v, VBE_INDEX_BPP, bpp);
	vbe_write(v, VBE_INDEX_ENABLE, VBE_ENABLED | VBE_LFB_ENABLED);
}

static void vbe_modes(void **state)
{
	struct vbe v;
	struct vbe_mode m;

	(void)state;
	vbe_init(&v, FB);
	assert_int_equal(vbe_read(&v, VBE_INDEX_ID), VBE_ID5);
	assert_int_equal(vbe_read(&v, VBE_INDEX_VIDEO_MEMORY_64K), FB >> 16);
	assert_false(vbe_mode(&v, &m)); /* off at power-on */
	set_mode(&v, 512, 512, 32);	/* exactly 1 MiB */
	assert_true(vbe_mode(&v, &m));
	assert_int_equal(m.stride, 2048);
	assert_int_equal(m.offset, 0);
	vbe_write(&v, VBE_INDEX_Y_OFFSET, 1); /* one row past the end: refused */
	assert_false(vbe_mode(&v, &m));
	vbe_write(&v, VBE_INDEX_Y_OFFSET, 0);
	vbe_write(&v, VBE_INDEX_X_OFFSET, 1);
	assert_false(vbe_mode(&v, &m));
	vbe_write(&v, VBE_INDEX_X_OFFSET, 0);
	vbe_write(&v, VBE_INDEX_VIRT_WIDTH, 0xffff); /* a huge stride */
	assert_false(vbe_mode(&v, &m));
	vbe_write(&v, VBE_INDEX_VIRT_WIDTH, 0);
	set_mode(&v, 16000, 12000, 32); /* the registers' maximum, far beyond 1 MiB */
	assert_false(vbe_mode(&v, &m));
	set_mode(&v, 640, 480, 8); /* 8 bpp (a palette): not shown */
	assert_false(vbe_mode(&v, &m));
	set_mode(&v, 640, 480, 16);
	assert_true(vbe_mode(&v, &m));
	assert_int_equal(m.bytes_pp, 2);
	vbe_write(&v, VBE_INDEX_XRES, 641); /* not a multiple of 8: ignored */
	assert_int_equal(vbe_read(&v, VBE_INDEX_XRES), 640);
	vbe_write(&v, VBE_INDEX_BPP, 7); /* no such depth: ignored */
	assert_int_equal(vbe_read(&v, VBE_INDEX_BPP), 16);
	vbe_write(&v, VBE_INDEX_ENABLE, VBE_GETCAPS);
	assert_int_equal(vbe_read(&v, VBE_INDEX_XRES), VBE_MAX_XRES);
	assert_int_equal(vbe_read(&v, 0x40), 0xffff);
}

static void bochs_bar(void **state)
{
	struct bochs_display d;
	struct berth_error err = { 0 };
	struct screen s;
	uint8_t b[4];

	(void)state;
	assert_int_equal(bochs_display_init(&d, FB, NULL, 0, NULL, &err), 0);
	d.pci.ops->bar_access(&d.pci, 2, 0x600, b, 4, false);
	assert_int_equal(pci_get32(b), 8); /* the extended region's size */
	pci_put32(b, 0xbebebebe);	   /* big-endian: refused */
	d.pci.ops->bar_access(&d.pci, 2, 0x604, b, 4, true);
	d.pci.ops->bar_access(&d.pci, 2, 0x604, b, 4, false);
	assert_int_equal(pci_get32(b), 0);
	pci_put16(b, 64);
	d.pci.ops->bar_access(&d.pci, 2, 0x502, b, 2, true);
	pci_put16(b, 2);
	d.pci.ops->bar_access(&d.pci, 2, 0x504, b, 2, true);
	pci_put16(b, 32);
	d.pci.ops->bar_access(&d.pci, 2, 0x506, b, 2, true);
	pci_put16(b, 1);
	d.pci.ops->bar_access(&d.pci, 2, 0x508, b, 2, true);
	pci_put32(b, 0x00123456); /* the second row's first pixel, through BAR 0 */
	d.pci.ops->bar_access(&d.pci, 0, 256, b, 4, true);
	assert_int_equal(bochs_display_snapshot(&d, &s), 0);
	assert_int_equal(s.width, 64);
	assert_int_equal(s.height, 2);
	assert_int_equal(s.pixels[64], 0x123456);
	free(s.pixels);
	bochs_display_destroy(&d);
}

static int irqs;

static void count_irq(struct machine *m, unsigned gsi, int level)
{
	(void)m;
	assert_int_equal(gsi, I8042_IRQ_KBD);
	irqs += level;
}

static uint8_t io(struct i8042 *k, unsigned port, int write, uint8_t v)
{
	i8042_io(k, port, &v, 1, write);
	return v;
}

static void keyboard(void **state)
{
	struct machine m = { .set_irq = count_irq };
	struct i8042 k;
	int i;

	(void)state;
	i8042_init(&k, &m, true);
	io(&k, 4, 1, 0xAA);
	assert_true(io(&k, 4, 0, 0) & 1);
	assert_int_equal(io(&k, 0, 0, 0), 0x55);
	io(&k, 0, 1, 0xF2); /* identify */
	assert_int_equal(io(&k, 0, 0, 0), 0xFA);
	assert_int_equal(io(&k, 0, 0, 0), 0xAB);
	assert_int_equal(io(&k, 0, 0, 0), 0x83);
	assert_false(io(&k, 4, 0, 0) & 1);
	irqs = 0;
	i8042_key(&k, keymap_xt('a'), true);
	i8042_key(&k, keymap_xt(0xffe4), false); /* Control_R: E0-prefixed */
	assert_int_equal(irqs, 1);		 /* one pulse per byte the guest may read */
	assert_int_equal(io(&k, 0, 0, 0), 0x1e);
	assert_int_equal(io(&k, 0, 0, 0), 0xE0);
	assert_int_equal(io(&k, 0, 0, 0), 0x9d);
	assert_int_equal(irqs, 3);
	for (i = 0; i < 1000; i++) /* a flood: the queue keeps what fits, whole keys only */
		i8042_key(&k, 0x9d, true);
	assert_int_equal(k.count, I8042_QUEUE);
	io(&k, 0, 1, 0xF5); /* disable scanning: keys are dropped */
	i8042_reset(&k);
	io(&k, 0, 1, 0xF5);
	io(&k, 0, 0, 0);
	i8042_key(&k, 0x1e, true);
	assert_int_equal(k.count, 0);
	pthread_mutex_destroy(&k.lock);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vbe_modes),
		cmocka_unit_test(bochs_bar),
		cmocka_unit_test(keyboard),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
