/* bochs_display.c - the bochs-display PCI device: its BARs, registers and framebuffer slot. */
#include "bochs_display.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "vmm/boot/firmware.h"

#define BOCHS_CLASS	    0x038000 /* display, other: firmware does not take it for VGA */
#define BOCHS_BAR_FB	    0
#define BOCHS_BAR_MMIO	    2
#define PCI_BAR_PREFETCH    0x08
#define QEXT_BYTEORDER_LE   0x1e1e1e1e
#define QEXT_REG_SIZE	    0x0
#define QEXT_REG_BYTEORDER  0x4
#define BOCHS_SUBSYS_VENDOR 0x1af4 /* as QEMU's: Red Hat, Inc. */
#define BOCHS_SUBSYS_ID	    0x1100

#define bochs_of(p) ((struct bochs_display *)((char *)(p)-offsetof(struct bochs_display, pci)))

static void bochs_fb_access(struct bochs_display *d, uint64_t off, uint8_t *data, uint32_t len,
			    bool is_write)
{
	/* The PCI bus only passes accesses wholly inside the BAR, which is the framebuffer. */
	if (is_write) {
		memcpy(d->fb + off, data, len);
		__atomic_store_n(&d->unlogged, true, __ATOMIC_RELAXED); /* KVM's log misses it */
	} else
		memcpy(data, d->fb + off, len);
}

/* BAR 2: registers, 16-bit at 0x500 (by index), 32-bit at 0x600; anything else reads 0. */
static void bochs_mmio_access(struct bochs_display *d, uint64_t off, uint8_t *data, uint32_t len,
			      bool is_write)
{
	uint32_t v = 0;

	if (!is_write)
		memset(data, 0, len);
	pthread_mutex_lock(&d->lock);
	if (off >= BOCHS_DISPLAY_VBE_OFF && off < BOCHS_DISPLAY_VBE_OFF + 2 * VBE_NREGS &&
	    len == 2 && !(off & 1)) {
		unsigned index = (unsigned)(off - BOCHS_DISPLAY_VBE_OFF) / 2;

		if (is_write)
			vbe_write(&d->vbe, index, pci_get16(data));
		else
			pci_put16(data, vbe_read(&d->vbe, index));
	} else if (off >= BOCHS_DISPLAY_QEXT_OFF &&
		   off < BOCHS_DISPLAY_QEXT_OFF + BOCHS_DISPLAY_QEXT_LEN && len == 4 &&
		   !(off & 3)) {
		off -= BOCHS_DISPLAY_QEXT_OFF;
		if (off == QEXT_REG_SIZE)
			v = BOCHS_DISPLAY_QEXT_LEN;
		else if (is_write && pci_get32(data) == QEXT_BYTEORDER_LE)
			d->qext_byteorder = QEXT_BYTEORDER_LE; /* big-endian is refused */
		else
			v = d->qext_byteorder;
		if (!is_write)
			pci_put32(data, v);
	}
	pthread_mutex_unlock(&d->lock);
}

static void bochs_bar_access(struct pci_dev *p, unsigned bar, uint64_t off, uint8_t *data,
			     uint32_t len, bool is_write)
{
	struct bochs_display *d = bochs_of(p);

	if (bar == PCI_ROM_REGION && !is_write) /* the BAR may be larger than the ROM */
		for (uint32_t i = 0; i < len; i++)
			data[i] = off + i < d->rom_len ? d->rom[off + i] : 0;
	else if (bar == BOCHS_BAR_FB)
		bochs_fb_access(d, off, data, len, is_write);
	else if (bar == BOCHS_BAR_MMIO)
		bochs_mmio_access(d, off, data, len, is_write);
}

/* Called with the bus's config lock held on a vCPU thread: record, and wake the loop. */
static void bochs_bar_mapped(struct pci_dev *p, unsigned bar, uint64_t addr)
{
	struct bochs_display *d = bochs_of(p);
	uint64_t one = 1;

	if (bar != BOCHS_BAR_FB)
		return;
	pthread_mutex_lock(&d->lock);
	d->want_gpa = addr;
	pthread_mutex_unlock(&d->lock);
	if (d->remap.fd >= 0 && write(d->remap.fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		perror("berth-vmm: bochs-display: eventfd");
}

static const struct pci_dev_ops bochs_ops = {
	.bar_access = bochs_bar_access,
	.bar_mapped = bochs_bar_mapped,
};

static void bochs_on_remap(struct loop_source *src, uint32_t events)
{
	struct bochs_display *d = src->opaque;
	uint64_t n;

	(void)events;
	if (read(src->fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		perror("berth-vmm: bochs-display: eventfd");
	bochs_display_sync(d);
}

int bochs_display_init(struct bochs_display *d, uint32_t fb_size, uint8_t *rom, uint32_t rom_len,
		       struct loop *loop, struct berth_error *err)
{
	uint32_t rom_bar = 4096;

	memset(d, 0, sizeof(*d));
	d->vm_fd = -1;
	d->remap.fd = -1;
	d->rom = rom;
	d->rom_len = rom ? rom_len : 0;
	pthread_mutex_init(&d->lock, NULL);
	if (d->rom_len > FIRMWARE_OPTION_ROM_MAX)
		return berr(err, 0, "bochs-display: option ROM of %u bytes is too large", rom_len);
	d->fb = mmap(NULL, fb_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (d->fb == MAP_FAILED) {
		d->fb = NULL;
		return berr(err, errno, "bochs-display: cannot map a %u MiB framebuffer",
			    fb_size >> 20);
	}
	d->fb_size = fb_size;
	vbe_init(&d->vbe, fb_size);
	pci_dev_init(&d->pci, &bochs_ops, BOCHS_DISPLAY_VENDOR, BOCHS_DISPLAY_DEVICE, BOCHS_CLASS,
		     BOCHS_SUBSYS_VENDOR, BOCHS_SUBSYS_ID);
	d->pci.cfg[PCI_INTERRUPT_PIN] = 0; /* no interrupt */
	pci_dev_set_bar(&d->pci, BOCHS_BAR_FB, fb_size);
	d->pci.cfg[PCI_BAR0 + 4 * BOCHS_BAR_FB] |= PCI_BAR_PREFETCH; /* read-only: not in wmask */
	pci_dev_set_bar(&d->pci, BOCHS_BAR_MMIO, BOCHS_DISPLAY_MMIO);
	if (d->rom) {
		while (rom_bar < d->rom_len)
			rom_bar *= 2;
		pci_dev_set_rom(&d->pci, rom_bar);
	}
	if (!loop)
		return 0;
	d->remap = (struct loop_source){ .fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK),
					 .fn = bochs_on_remap,
					 .opaque = d };
	if (d->remap.fd < 0)
		return berr(err, errno, "bochs-display: eventfd");
	return loop_add(loop, &d->remap, err);
}

void bochs_display_attach(struct bochs_display *d, int vm_fd, unsigned slot)
{
	d->vm_fd = vm_fd;
	d->slot = slot;
	d->have_gpa = 0;
	bochs_display_sync(d);
}

void bochs_display_detach(struct bochs_display *d)
{
	d->vm_fd = -1; /* the VM's slots went with it */
	d->have_gpa = 0;
	pthread_mutex_lock(&d->lock);
	vbe_init(&d->vbe, d->fb_size);
	d->qext_byteorder = 0;
	pthread_mutex_unlock(&d->lock);
}

static int bochs_set_slot(struct bochs_display *d, uint64_t gpa, uint64_t size)
{
	struct kvm_userspace_memory_region r = {
		.slot = d->slot,
		.flags = KVM_MEM_LOG_DIRTY_PAGES,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)d->fb,
	};

	return ioctl(d->vm_fd, KVM_SET_USER_MEMORY_REGION, &r);
}

void bochs_display_sync(struct bochs_display *d)
{
	uint64_t want;

	pthread_mutex_lock(&d->lock);
	want = d->want_gpa;
	pthread_mutex_unlock(&d->lock);
	if (d->vm_fd < 0 || want == d->have_gpa)
		return;
	/* KVM moves a slot only by deleting it and making it again. */
	if (d->have_gpa && bochs_set_slot(d, d->have_gpa, 0) < 0)
		perror("berth-vmm: bochs-display: unmapping the framebuffer");
	d->have_gpa = 0;
	if (want && bochs_set_slot(d, want, d->fb_size) < 0) {
		/* Still reachable, more slowly, through MMIO exits. */
		perror("berth-vmm: bochs-display: mapping the framebuffer");
		return;
	}
	d->have_gpa = want;
}

uint32_t bochs_display_pixel(const uint8_t *p, uint32_t bytes_pp)
{
	uint32_t v;

	switch (bytes_pp) {
	case 2: /* RGB565: widen each channel to 8 bits */
		v = (uint32_t)p[0] | (uint32_t)p[1] << 8;
		return ((v >> 11) * 255 / 31) << 16 | (((v >> 5) & 63) * 255 / 63) << 8 |
		       (v & 31) * 255 / 31;
	default: /* 24 and 32 bpp: blue, green, red in memory order (and 32's unused byte) */
		return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
	}
}

bool bochs_display_mode(struct bochs_display *d, struct vbe_mode *m)
{
	bool on;

	pthread_mutex_lock(&d->lock);
	on = vbe_mode(&d->vbe, m);
	pthread_mutex_unlock(&d->lock);
	return on;
}

int bochs_display_dirty(struct bochs_display *d, uint64_t *pages)
{
	struct kvm_dirty_log log = { .slot = d->slot, .dirty_bitmap = pages };
	bool unlogged = __atomic_exchange_n(&d->unlogged, false, __ATOMIC_RELAXED);

	memset(pages, 0, d->fb_size / 4096 / 8);
	if (d->vm_fd < 0 || !d->have_gpa || ioctl(d->vm_fd, KVM_GET_DIRTY_LOG, &log) < 0)
		return 1;
	return unlogged ? 1 : 0;
}

int bochs_display_snapshot(struct bochs_display *d, struct screen *s)
{
	struct vbe_mode m;
	uint32_t x, y;

	memset(s, 0, sizeof(*s));
	if (!bochs_display_mode(d, &m))
		return 0;
	s->pixels = malloc((size_t)m.width * m.height * sizeof(*s->pixels));
	if (!s->pixels)
		return -1;
	s->width = m.width;
	s->height = m.height;
	/* The guest may be drawing meanwhile: a torn picture, never a read outside fb. */
	for (y = 0; y < m.height; y++) {
		const uint8_t *row = d->fb + m.offset + (uint64_t)y * m.stride;

		for (x = 0; x < m.width; x++)
			s->pixels[(size_t)y * m.width + x] =
			    bochs_display_pixel(row + x * m.bytes_pp, m.bytes_pp);
	}
	return 0;
}

void bochs_display_destroy(struct bochs_display *d)
{
	free(d->rom);
	d->rom = NULL;
	if (!d->fb) /* init never ran or stopped before it opened anything */
		return;
	munmap(d->fb, d->fb_size);
	d->fb = NULL;
	if (d->remap.fd >= 0)
		close(d->remap.fd);
	d->remap.fd = -1;
	pthread_mutex_destroy(&d->lock);
}
