/* pci.h - berth-vmm's PCI: one host bridge, bus 0, conventional devices (function 0 only).
 *
 * The guest reaches configuration space two ways, both decoded here: configuration
 * mechanism 1 (ports 0xCF8/0xCFC) and ECAM (MMIO at LAYOUT_PCI_ECAM, described by the MCFG
 * table). BARs are 32-bit memory BARs, placed by the VMM (as firmware would) in the window
 * [LAYOUT_PCI_MMIO, +LAYOUT_PCI_MMIO_SIZE) which the bridge's _CRS hands the guest; the
 * guest may move them within the window, and accesses follow the BAR's current address while
 * the device's command register enables memory decoding.
 *
 * Config-space writes are masked by a per-byte write mask the device sets up, so a guest can
 * only change what real hardware would let it change. The bus registers three handlers
 * (conf1 ports, ECAM, the MMIO window) and is driven from vCPU threads; it serialises
 * config-space accesses with its own lock, BAR accesses go straight to the device. */
#ifndef BERTH_VMM_PCI_PCI_H
#define BERTH_VMM_PCI_PCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "vmm/bus.h"
#include "vmm/dev/machine.h"

#define PCI_MAX_SLOTS 32
#define PCI_NUM_BARS  6
/* The expansion ROM BAR (config offset 0x30) is region PCI_ROM_REGION after the six BARs. */
#define PCI_ROM_REGION	6
#define PCI_NUM_REGIONS 7
#define PCI_CFG_SIZE	256 /* conventional space; ECAM's extended space reads as zero */

/* Standard header offsets. */
#define PCI_VENDOR_ID	   0x00
#define PCI_DEVICE_ID	   0x02
#define PCI_COMMAND	   0x04
#define PCI_STATUS	   0x06
#define PCI_REVISION_ID	   0x08
#define PCI_CLASS_PROG	   0x09
#define PCI_HEADER_TYPE	   0x0E
#define PCI_BAR0	   0x10
#define PCI_SUBSYS_VENDOR  0x2C
#define PCI_SUBSYS_ID	   0x2E
#define PCI_ROM_ADDRESS	   0x30
#define PCI_CAP_PTR	   0x34
#define PCI_INTERRUPT_LINE 0x3C
#define PCI_INTERRUPT_PIN  0x3D

#define PCI_ROM_ENABLE	     0x00000001
#define PCI_COMMAND_MEMORY   0x0002
#define PCI_COMMAND_MASTER   0x0004
#define PCI_COMMAND_INTX_OFF 0x0400
#define PCI_STATUS_INTX	     0x0008
#define PCI_STATUS_CAP_LIST  0x0010

/* The host bridge's IDs: Red Hat's "QEMU PCIe host bridge", which no guest quirk matches. */
#define PCI_HOST_VENDOR 0x1b36
#define PCI_HOST_DEVICE 0x0008

#define PCI_CAP_ID_VNDR 0x09
#define PCI_CAP_ID_MSIX 0x11

struct pci_dev;
struct pci_bus;

struct pci_dev_ops {
	/* A guest access to BAR bar (PCI_ROM_REGION: the expansion ROM) at offset off (inside
	 * it); called on vCPU threads. */
	void (*bar_access)(struct pci_dev *d, unsigned bar, uint64_t off, uint8_t *data,
			   uint32_t len, bool is_write);
	/* The guest wrote config space at [off, off+len) (already stored, masked); may be NULL.
	 * Called with the bus's config lock held. */
	void (*config_written)(struct pci_dev *d, uint32_t off, uint32_t len);
	/* BAR bar now decodes at addr (0: no longer decodes: moved away, or memory decoding
	 * turned off); may be NULL. Called with the bus's config lock held. */
	void (*bar_mapped)(struct pci_dev *d, unsigned bar, uint64_t addr);
};

struct pci_dev {
	const struct pci_dev_ops *ops;
	uint8_t cfg[PCI_CFG_SIZE];	    /* configuration space as the guest reads it */
	uint8_t wmask[PCI_CFG_SIZE];	    /* bits the guest may change */
	uint32_t bar_size[PCI_NUM_REGIONS]; /* 0: no BAR; else a power of two >= 4096 */
	uint8_t next_cap;		    /* where pci_add_cap puts the next capability */
	struct pci_bus *bus;		    /* set by pci_bus_add */
	unsigned slot;			    /* device number on bus 0, set by pci_bus_add */
	unsigned intx_gsi;		    /* GSI of INTA#, set by pci_bus_add (PCI_INTX_GSI) */
	bool intx_level;		    /* INTA# asserted */
	uint64_t bar_addr[PCI_NUM_REGIONS]; /* where each BAR decodes now, 0 if it does not */
	bool intx_counted;		    /* INTA# counts on its GSI: asserted and not masked */
	uint8_t cfg_init[PCI_CFG_SIZE];	    /* config space at power-on, saved by pci_bus_add */
};

/* INTA# of slot s reaches IOAPIC pin PCI_INTX_GSI(s), shared by slots 8 apart; the DSDT's _PRT says
 * so. */
#define PCI_INTX_GSI_BASE  16
#define PCI_INTX_GSIS	   8
#define PCI_INTX_GSI(slot) (PCI_INTX_GSI_BASE + (slot) % PCI_INTX_GSIS)

struct pci_bus {
	struct machine *machine; /* drives the INTx lines */
	pthread_mutex_t lock;	 /* config space of every device */
	/* INTx levels and the status register's interrupt bit (taken alone, or inside lock;
	 * never with another lock taken inside it) */
	pthread_mutex_t intx_lock;
	uint32_t conf1_addr; /* last value written to 0xCF8 */
	struct pci_dev *slots[PCI_MAX_SLOTS];
	uint64_t next_bar;		    /* next free address in the MMIO window */
	unsigned intx_count[PCI_INTX_GSIS]; /* devices asserting each INTx GSI */
	struct pci_dev host;		    /* the host bridge, in slot 0 */
	struct bus *mmio; /* set by pci_bus_register: where window misses are logged */
};

/* Prepare a device header: IDs, class (base<<16 | sub<<8 | prog-if), INTA#, no BARs. */
void pci_dev_init(struct pci_dev *d, const struct pci_dev_ops *ops, uint16_t vendor,
		  uint16_t device, uint32_t class_code, uint16_t subsys_vendor, uint16_t subsys_id);

/* Give the device a 32-bit memory BAR of size bytes (a power of two >= 4096). */
void pci_dev_set_bar(struct pci_dev *d, unsigned bar, uint32_t size);

/* Give the device an expansion ROM BAR of size bytes (a power of two >= 4096): it decodes
 * while its enable bit and the memory bit are on; accesses reach bar_access as region
 * PCI_ROM_REGION (the device answers reads only). */
void pci_dev_set_rom(struct pci_dev *d, uint32_t size);

/* Append a capability with id whose body (after the id and next bytes) is len bytes;
 * returns its config-space offset, or 0 if it does not fit. The body's write mask is 0:
 * set d->wmask for fields the guest may write. */
uint8_t pci_add_cap(struct pci_dev *d, uint8_t id, const void *body, uint8_t len);

/* Prepare an empty bus whose INTx lines machine drives; slot 0 holds the host bridge. */
void pci_bus_init(struct pci_bus *b, struct machine *machine);

/* Release the bus's lock. */
void pci_bus_destroy(struct pci_bus *b);

/* Put d in the next free slot, place its BARs in the window, and pick its INTx GSI. */
int pci_bus_add(struct pci_bus *b, struct pci_dev *d, struct berth_error *err);

/* Claim the conf1 ports on pio and the ECAM and BAR window on mmio for this bus. */
int pci_bus_register(struct pci_bus *b, struct bus *pio, struct bus *mmio, struct berth_error *err);

/* Assert or deassert d's INTA#; a line shared by several devices stays up while any asserts
 * it, and the status register's interrupt bit follows (the command register can mask it). */
void pci_set_intx(struct pci_dev *d, bool level);

/* Put every device back to its power-on state (BARs where pci_bus_add put them, decoding
 * off, command register clear): a guest reset. */
void pci_bus_reset(struct pci_bus *b);

/* Little-endian helpers for config space and device registers. */
static inline uint16_t pci_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}
static inline uint32_t pci_get32(const uint8_t *p)
{
	return (uint32_t)pci_get16(p) | (uint32_t)pci_get16(p + 2) << 16;
}
static inline void pci_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
static inline void pci_put32(uint8_t *p, uint32_t v)
{
	pci_put16(p, (uint16_t)v);
	pci_put16(p + 2, (uint16_t)(v >> 16));
}

#endif
