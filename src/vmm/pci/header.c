/* header.c - building a PCI device's type-0 configuration header and capability list. */
#include "pci.h"

#include <string.h>

#define PCI_CACHE_LINE_SIZE 0x0C
#define PCI_LATENCY_TIMER   0x0D
#define PCI_CAP_MAX	    48 /* capabilities a 256-byte space can hold at 4 bytes each */

void pci_dev_init(struct pci_dev *d, const struct pci_dev_ops *ops, uint16_t vendor,
		  uint16_t device, uint32_t class_code, uint16_t subsys_vendor, uint16_t subsys_id)
{
	memset(d, 0, sizeof(*d));
	d->ops = ops;
	pci_put16(d->cfg + PCI_VENDOR_ID, vendor);
	pci_put16(d->cfg + PCI_DEVICE_ID, device);
	d->cfg[PCI_CLASS_PROG] = (uint8_t)class_code;
	pci_put16(d->cfg + PCI_CLASS_PROG + 1, (uint16_t)(class_code >> 8));
	pci_put16(d->cfg + PCI_SUBSYS_VENDOR, subsys_vendor);
	pci_put16(d->cfg + PCI_SUBSYS_ID, subsys_id);
	d->cfg[PCI_INTERRUPT_PIN] = 1; /* INTA# */
	pci_put16(d->wmask + PCI_COMMAND,
		  PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_OFF);
	/* Registers firmware and drivers write as scratch: they only store the value. */
	d->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	d->wmask[PCI_LATENCY_TIMER] = 0xff;
	d->wmask[PCI_INTERRUPT_LINE] = 0xff;
	d->next_cap = 0x40; /* the first byte after the standard header */
}

void pci_dev_set_bar(struct pci_dev *d, unsigned bar, uint32_t size)
{
	if (bar >= PCI_NUM_BARS)
		return;
	d->bar_size[bar] = size;
	/* A 32-bit non-prefetchable memory BAR: the type bits read 0, the low address bits are
	 * read-only zeros, so writing all ones reads back the size mask. */
	pci_put32(d->cfg + PCI_BAR0 + 4 * bar, 0);
	pci_put32(d->wmask + PCI_BAR0 + 4 * bar, size ? ~(size - 1) : 0);
}

void pci_dev_set_rom(struct pci_dev *d, uint32_t size)
{
	d->bar_size[PCI_ROM_REGION] = size;
	pci_put32(d->cfg + PCI_ROM_ADDRESS, 0);
	pci_put32(d->wmask + PCI_ROM_ADDRESS, ~(size - 1) | PCI_ROM_ENABLE);
}

uint8_t pci_add_cap(struct pci_dev *d, uint8_t id, const void *body, uint8_t len)
{
	unsigned off = d->next_cap, end = off + 2u + len, last, n;

	if (off < 0x40 || end > PCI_CFG_SIZE)
		return 0;
	d->cfg[off] = id;
	d->cfg[off + 1] = 0;
	memcpy(d->cfg + off + 2, body, len);
	if (d->cfg[PCI_CAP_PTR] == 0) {
		d->cfg[PCI_CAP_PTR] = (uint8_t)off;
	} else {
		last = d->cfg[PCI_CAP_PTR];
		for (n = 0; d->cfg[last + 1] && n < PCI_CAP_MAX; n++)
			last = d->cfg[last + 1];
		d->cfg[last + 1] = (uint8_t)off;
	}
	pci_put16(d->cfg + PCI_STATUS, pci_get16(d->cfg + PCI_STATUS) | PCI_STATUS_CAP_LIST);
	end = (end + 3) & ~3u;
	d->next_cap = end < PCI_CFG_SIZE ? (uint8_t)end : 0; /* 0: the space is full */
	return (uint8_t)off;
}
