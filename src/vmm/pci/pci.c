/* pci.c - bus 0: configuration access (conf1 ports and ECAM), BAR decoding and INTx lines.
 *
 * Everything here is driven by a hostile guest: any config offset and length, any BAR
 * value. A BAR decodes only while its device's memory bit is on and it lies wholly inside
 * the MMIO window; overlapping BARs are resolved by slot then BAR number. */
#include "pci.h"

#include <string.h>

#include "vmm/x86/layout.h"

#define PCI_BAR_END		(PCI_BAR0 + 4 * PCI_NUM_BARS)
#define PCI_CONF1_ENABLE	0x80000000u
#define PCI_CONF1_ADDR_MASK	0x80fffffcu /* enable, bus, device, function, dword register */
#define PCI_WINDOW_END		(LAYOUT_PCI_MMIO + LAYOUT_PCI_MMIO_SIZE)
#define PCI_HIGH_WINDOW_END	(LAYOUT_PCI_MMIO_HIGH + LAYOUT_PCI_MMIO_HIGH_SIZE)
#define PCI_HOST_CLASS		0x060000 /* bridge, host */
#define PCI_RESET_CONTROL_RESET 0x04

static const struct pci_dev_ops pci_host_ops;

static uint16_t pci_command(const struct pci_dev *d)
{
	return pci_get16(d->cfg + PCI_COMMAND);
}

/* Drive d's GSI from its level and mask; called with intx_lock held. The KVM call happens
 * under the lock so that two devices' changes reach the line in the order they were counted.
 * Level 1 means asserted: the guest programs these pins active low (_PRT's GSIs), and KVM's
 * IOAPIC ignores the polarity bit and takes KVM_IRQ_LINE 1 as asserted. */
static void pci_intx_update(struct pci_dev *d)
{
	struct pci_bus *b = d->bus;
	unsigned line = d->intx_gsi - PCI_INTX_GSI_BASE;
	bool count = d->intx_level && !(pci_command(d) & PCI_COMMAND_INTX_OFF);
	uint16_t status = pci_get16(d->cfg + PCI_STATUS) & ~PCI_STATUS_INTX;

	pci_put16(d->cfg + PCI_STATUS, status | (d->intx_level ? PCI_STATUS_INTX : 0));
	if (count == d->intx_counted)
		return;
	d->intx_counted = count;
	if (count && b->intx_count[line]++ == 0)
		b->machine->set_irq(b->machine, d->intx_gsi, 1);
	else if (!count && --b->intx_count[line] == 0)
		b->machine->set_irq(b->machine, d->intx_gsi, 0);
}

void pci_set_intx(struct pci_dev *d, bool level)
{
	struct pci_bus *b = d->bus;

	if (!b || d->cfg[PCI_INTERRUPT_PIN] == 0)
		return;
	pthread_mutex_lock(&b->intx_lock);
	d->intx_level = level;
	pci_intx_update(d);
	pthread_mutex_unlock(&b->intx_lock);
}

/* Config offset of region i's BAR. */
static unsigned pci_bar_reg(unsigned i)
{
	return i == PCI_ROM_REGION ? PCI_ROM_ADDRESS : PCI_BAR0 + 4 * i;
}

/* Where BAR bar of d decodes now: 0 unless memory decoding is on (and, for the ROM, its
 * enable bit) and it lies in the window. */
static uint64_t pci_bar_decode(const struct pci_dev *d, unsigned bar)
{
	uint64_t size = d->bar_size[bar];
	uint32_t reg = pci_get32(d->cfg + pci_bar_reg(bar));
	uint64_t addr = reg & ~0xfULL;

	if (!size || !(pci_command(d) & PCI_COMMAND_MEMORY))
		return 0;
	if (bar == PCI_ROM_REGION && !(reg & PCI_ROM_ENABLE))
		return 0;
	if (bar == PCI_ROM_REGION)
		addr = reg & ~(size - 1);
	if (addr >= LAYOUT_PCI_MMIO && addr + size <= PCI_WINDOW_END)
		return addr;
	if (addr >= LAYOUT_PCI_MMIO_HIGH && addr + size <= PCI_HIGH_WINDOW_END)
		return addr;
	return 0; /* over RAM, ECAM, the ROM or a window's edge: not decoded */
}

/* Bring bar_addr in line with config space, telling the device of each change; lock held.
 * bar_addr is read without the lock by the MMIO window handler, hence the atomic store. */
static void pci_update_bars(struct pci_dev *d)
{
	unsigned i;

	for (i = 0; i < PCI_NUM_REGIONS; i++) {
		uint64_t addr = pci_bar_decode(d, i);

		if (addr == d->bar_addr[i])
			continue;
		__atomic_store_n(&d->bar_addr[i], addr, __ATOMIC_RELEASE);
		if (d->ops->bar_mapped)
			d->ops->bar_mapped(d, i, addr);
	}
}

static void pci_cfg_write(struct pci_dev *d, uint32_t reg, const uint8_t *data, uint32_t len)
{
	struct pci_bus *b = d->bus;
	uint32_t i;

	pthread_mutex_lock(&b->intx_lock);
	for (i = 0; i < len; i++)
		d->cfg[reg + i] = (uint8_t)((d->cfg[reg + i] & ~d->wmask[reg + i]) |
					    (data[i] & d->wmask[reg + i]));
	if (reg < PCI_COMMAND + 2 && reg + len > PCI_COMMAND && d->cfg[PCI_INTERRUPT_PIN])
		pci_intx_update(d); /* the interrupt-disable bit may have changed */
	pthread_mutex_unlock(&b->intx_lock);
	if ((reg < PCI_BAR_END && reg + len > PCI_COMMAND) ||
	    (reg < PCI_ROM_ADDRESS + 4 && reg + len > PCI_ROM_ADDRESS))
		pci_update_bars(d);
	if (d->ops->config_written)
		d->ops->config_written(d, reg, len);
}

/* One config access to bus 0, device slot, function fn; the bus lock is held. An access
 * must stay inside one dword; anything else, and every absent function, reads all ones. */
static void pci_cfg_access(struct pci_bus *b, unsigned slot, unsigned fn, uint32_t reg,
			   uint8_t *data, uint32_t len, bool is_write)
{
	struct pci_dev *d = slot < PCI_MAX_SLOTS && fn == 0 ? b->slots[slot] : NULL;

	if (!d || (len != 1 && len != 2 && len != 4) || (reg & 3) + len > 4) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	if (reg >= PCI_CFG_SIZE) { /* extended space of a conventional device */
		if (!is_write)
			memset(data, 0, len);
		return;
	}
	if (is_write) {
		pci_cfg_write(d, reg, data, len);
		return;
	}
	pthread_mutex_lock(&b->intx_lock); /* the status register's interrupt bit */
	memcpy(data, d->cfg + reg, len);
	pthread_mutex_unlock(&b->intx_lock);
}

/* Ports 0xCF8-0xCFF: a dword address register, then a dword data window. */
static void pci_conf1_io(void *opaque, uint64_t off, uint8_t *data, uint32_t len, bool is_write)
{
	struct pci_bus *b = opaque;
	uint32_t addr;

	pthread_mutex_lock(&b->lock);
	if (off == 0 && len == 4) {
		if (is_write)
			b->conf1_addr = pci_get32(data) & PCI_CONF1_ADDR_MASK;
		else
			pci_put32(data, b->conf1_addr);
	} else if (off >= 4 && off < 8 && len <= 8 - off) {
		addr = b->conf1_addr;
		if (addr & PCI_CONF1_ENABLE && ((addr >> 16) & 0xff) == 0)
			pci_cfg_access(b, (addr >> 11) & 0x1f, (addr >> 8) & 7,
				       (addr & 0xfc) + (uint32_t)(off - 4), data, len, is_write);
		else if (!is_write)
			memset(data, 0xff, len);
	} else if (off == 1 && len == 1 && is_write) {
		/* 0xCF9, the reset control register chipsets keep inside the address register's
		 * dword: SeaBIOS resets the machine with it (system reset, bit 2). */
		if (data[0] & PCI_RESET_CONTROL_RESET)
			b->machine->request(b->machine, MACHINE_RESET);
	} else if (!is_write) {
		memset(data, 0xff,
		       len); /* partial accesses to the address register reach nothing */
	}
	pthread_mutex_unlock(&b->lock);
}

/* ECAM for bus 0: 4 KiB of config space per function, 8 functions per device. */
static void pci_ecam_io(void *opaque, uint64_t off, uint8_t *data, uint32_t len, bool is_write)
{
	struct pci_bus *b = opaque;

	pthread_mutex_lock(&b->lock);
	pci_cfg_access(b, (unsigned)(off >> 15), (unsigned)(off >> 12) & 7, (uint32_t)off & 0xfff,
		       data, len, is_write);
	pthread_mutex_unlock(&b->lock);
}

/* A BAR window: hand the access to the first BAR (by slot, then number) decoding addr;
 * an access no BAR decodes is ignored and logged like any other unclaimed access. */
static void pci_bar_io(struct pci_bus *b, uint64_t addr, uint8_t *data, uint32_t len, bool is_write)
{
	unsigned s, i;

	for (s = 0; s < PCI_MAX_SLOTS; s++) {
		struct pci_dev *d = b->slots[s];

		for (i = 0; d && i < PCI_NUM_REGIONS; i++) {
			uint64_t base = __atomic_load_n(&d->bar_addr[i], __ATOMIC_ACQUIRE);

			if (!base || addr < base || addr - base >= d->bar_size[i])
				continue;
			if (len > d->bar_size[i] - (addr - base) || !d->ops->bar_access)
				goto refuse; /* straddles the BAR's end */
			d->ops->bar_access(d, i, addr - base, data, len, is_write);
			return;
		}
	}
refuse:
	if (!is_write)
		memset(data, 0xff, len);
	bus_log_unclaimed(b->mmio, addr, len, is_write);
}

static void pci_window_io(void *opaque, uint64_t off, uint8_t *data, uint32_t len, bool is_write)
{
	pci_bar_io(opaque, LAYOUT_PCI_MMIO + off, data, len, is_write);
}

static void pci_high_window_io(void *opaque, uint64_t off, uint8_t *data, uint32_t len,
			       bool is_write)
{
	pci_bar_io(opaque, LAYOUT_PCI_MMIO_HIGH + off, data, len, is_write);
}

void pci_bus_init(struct pci_bus *b, struct machine *machine)
{
	memset(b, 0, sizeof(*b));
	b->machine = machine;
	pthread_mutex_init(&b->lock, NULL);
	pthread_mutex_init(&b->intx_lock, NULL);
	b->next_bar = LAYOUT_PCI_MMIO;
	pci_dev_init(&b->host, &pci_host_ops, PCI_HOST_VENDOR, PCI_HOST_DEVICE, PCI_HOST_CLASS,
		     PCI_HOST_VENDOR, PCI_HOST_DEVICE);
	b->host.cfg[PCI_INTERRUPT_PIN] = 0;
	b->host.bus = b;
	memcpy(b->host.cfg_init, b->host.cfg, PCI_CFG_SIZE);
	b->slots[0] = &b->host;
}

void pci_bus_destroy(struct pci_bus *b)
{
	pthread_mutex_destroy(&b->lock);
	pthread_mutex_destroy(&b->intx_lock);
}

int pci_bus_add(struct pci_bus *b, struct pci_dev *d, struct berth_error *err)
{
	uint64_t at[PCI_NUM_REGIONS] = { 0 }, next = b->next_bar;
	unsigned slot, i;

	for (slot = 0; slot < PCI_MAX_SLOTS && b->slots[slot]; slot++)
		;
	if (slot == PCI_MAX_SLOTS)
		return berr(err, 0, "PCI bus 0 is full (%u slots): use fewer devices",
			    PCI_MAX_SLOTS);
	for (i = 0; i < PCI_NUM_REGIONS; i++) {
		uint64_t size = d->bar_size[i];

		if (!size)
			continue;
		if (size < 4096 || (size & (size - 1)))
			return berr(err, 0,
				    "PCI device %04x:%04x: BAR %u of %llu bytes is not a power of "
				    "two of at least 4 KiB",
				    pci_get16(d->cfg + PCI_VENDOR_ID),
				    pci_get16(d->cfg + PCI_DEVICE_ID), i, (unsigned long long)size);
		at[i] = (next + size - 1) & ~(size - 1);
		if (at[i] + size > PCI_WINDOW_END)
			return berr(err, 0, "PCI MMIO window (%llu MiB) is full: use fewer devices",
				    (unsigned long long)(LAYOUT_PCI_MMIO_SIZE >> 20));
		next = at[i] + size;
	}
	b->next_bar = next;
	for (i = 0; i < PCI_NUM_REGIONS; i++) {
		if (d->bar_size[i])
			pci_put32(d->cfg + pci_bar_reg(i), (uint32_t)at[i]);
		d->bar_addr[i] = 0;
	}
	d->bus = b;
	d->slot = slot;
	d->intx_gsi = PCI_INTX_GSI(slot);
	if (d->cfg[PCI_INTERRUPT_PIN])
		d->cfg[PCI_INTERRUPT_LINE] = (uint8_t)d->intx_gsi; /* as firmware would set it */
	memcpy(d->cfg_init, d->cfg, PCI_CFG_SIZE);
	b->slots[slot] = d;
	return 0;
}

int pci_bus_register(struct pci_bus *b, struct bus *pio, struct bus *mmio, struct berth_error *err)
{
	b->mmio = mmio;
	if (bus_register(pio, PORT_PCI_CONF, 8, pci_conf1_io, b, err) ||
	    bus_register(mmio, LAYOUT_PCI_ECAM, LAYOUT_PCI_ECAM_SIZE, pci_ecam_io, b, err) ||
	    bus_register(mmio, LAYOUT_PCI_MMIO, LAYOUT_PCI_MMIO_SIZE, pci_window_io, b, err) ||
	    bus_register(mmio, LAYOUT_PCI_MMIO_HIGH, LAYOUT_PCI_MMIO_HIGH_SIZE, pci_high_window_io,
			 b, err))
		return berr_wrap(err, "PCI bus");
	return 0;
}

void pci_bus_reset(struct pci_bus *b)
{
	unsigned s, i;

	pthread_mutex_lock(&b->lock);
	pthread_mutex_lock(&b->intx_lock);
	b->conf1_addr = 0;
	memset(b->intx_count, 0, sizeof(b->intx_count));
	for (s = 0; s < PCI_MAX_SLOTS; s++) {
		struct pci_dev *d = b->slots[s];

		if (!d)
			continue;
		/* What the guest may write goes back to power-on; what the device owns stays. */
		for (i = 0; i < PCI_CFG_SIZE; i++)
			d->cfg[i] =
			    (uint8_t)((d->cfg[i] & ~d->wmask[i]) | (d->cfg_init[i] & d->wmask[i]));
		pci_put16(d->cfg + PCI_STATUS, pci_get16(d->cfg + PCI_STATUS) & ~PCI_STATUS_INTX);
		d->intx_level = false;
		d->intx_counted = false;
	}
	pthread_mutex_unlock(&b->intx_lock);
	for (s = 0; s < PCI_MAX_SLOTS; s++)
		if (b->slots[s])
			pci_update_bars(b->slots[s]);
	pthread_mutex_unlock(&b->lock);
}
