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
	for (i = 0; i < 1000 && i8042_key(&k, 0x9d, true); i++) /* a flood: whole keys fit */
		;
	assert_int_equal(i, I8042_KEY_ROOM / 2);
	assert_int_equal(k.count, I8042_KEY_ROOM);
	io(&k, 0, 1, 0xF2); /* a command's reply still fits behind them */
	assert_int_equal(k.count, I8042_KEY_ROOM + 3);
	io(&k, 0, 1, 0xF5); /* disable scanning: keys are dropped */
	i8042_reset(&k);
	io(&k, 0, 1, 0xF5);
	io(&k, 0, 0, 0);
	i8042_key(&k, 0x1e, true);
	assert_int_equal(k.count, 0);
	pthread_mutex_destroy(&k.lock);
}

static int rooms;

static void count_room(void *opaque)
{
	(void)opaque;
	rooms++;
}

/* Many keys while the guest does not read: a key that finds no room is refused, nothing of
 * it queued, and its sender holds it (and what follows it) until the guest has read some, as
 * the VNC server does; every byte reaches the guest, in order. (The queue used to drop what
 * did not fit: a lost Shift release made the rest of a line capitals.) */
static void keyboard_back_pressure(void **state)
{
	struct machine m = { .set_irq = count_irq };
	struct i8042 k;
	/* Shift down, then 'a' down and up, Shift up, a Control_R (E0) down and up: 200 times */
	static const unsigned key[] = { 0x2a, 0x1e, 0x1e, 0x2a, 0x9d, 0x9d };
	static const bool down[] = { true, true, false, false, true, false };
	static const uint8_t want[] = { 0x2a, 0x1e, 0x9e, 0xaa, 0xe0, 0x1d, 0xe0, 0x9d };
	unsigned sent = 0, got = 0, refused = 0, reads;
	uint8_t b;

	(void)state;
	i8042_init(&k, &m, true);
	k.room = count_room;
	rooms = 0;
	while (sent < 200 * 6) {
		if (i8042_key(&k, key[sent % 6], down[sent % 6])) {
			sent++;
			continue;
		}
		refused++;
		assert_true(k.count > I8042_KEY_ROOM - 2); /* refused only when it did not fit */
		assert_false(i8042_key(&k, key[sent % 6], down[sent % 6])); /* still no room */
		for (reads = 0; reads < 40; reads++) { /* the guest reads some, slowly */
			b = io(&k, 0, 0, 0);
			assert_int_equal(b, want[got % sizeof(want)]);
			got++;
			if (k.count > I8042_QUEUE / 2)
				assert_int_equal(rooms, refused - 1); /* not yet down to half */
		}
		assert_int_equal(rooms, refused); /* told once it was down to half */
	}
	while (k.count) {
		b = io(&k, 0, 0, 0);
		assert_int_equal(b, want[got % sizeof(want)]);
		got++;
	}
	assert_true(refused > 10);
	assert_int_equal(got, 200 * sizeof(want));
	pthread_mutex_destroy(&k.lock);
}

/* A guest that reads nothing for I8042_PATIENCE_NS gets its keys dropped (and its sender is
 * not held for ever); once it reads again, keys wait for it again. */
static void keyboard_patience(void **state)
{
	struct machine m = { .set_irq = count_irq };
	struct i8042 k;
	unsigned n;

	(void)state;
	i8042_init(&k, &m, true);
	while (i8042_key(&k, 0x1e, true))
		;
	n = k.count;
	assert_false(i8042_key(&k, 0x1e, true));
	k.since -= I8042_PATIENCE_NS;		/* as if that long went by */
	assert_true(i8042_key(&k, 0x1e, true)); /* dropped */
	assert_true(i8042_key(&k, 0x1e, false));
	assert_int_equal(k.count, n);
	io(&k, 0, 0, 0);			 /* the guest reads again: patience anew */
	assert_true(i8042_key(&k, 0x1e, false)); /* room for one */
	assert_false(i8042_key(&k, 0x1e, true));
	assert_int_equal(k.count, n);
	pthread_mutex_destroy(&k.lock);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vbe_modes),	     cmocka_unit_test(bochs_bar),
		cmocka_unit_test(keyboard),	     cmocka_unit_test(keyboard_back_pressure),
		cmocka_unit_test(keyboard_patience),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
