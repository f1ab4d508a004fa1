/* msix.h - an MSI-X capability, its vector table and pending bits, for a PCI device.
 *
 * The table and the pending-bit array live in one of the device's BARs; the device's
 * bar_access hands their ranges to msix_table_access/msix_pba_access. Vectors are
 * delivered through the VM's msi_router: a vector's route is valid while MSI-X is enabled,
 * the function is not masked and the vector itself is not masked. Firing a masked vector
 * sets its pending bit instead; unmasking delivers it then, as the PCI spec asks. */
#ifndef BERTH_VMM_PCI_MSIX_H
#define BERTH_VMM_PCI_MSIX_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "vmm/msi.h"
#include "vmm/pci/pci.h"

#define MSIX_MAX_VECTORS 32
#define MSIX_NO_VECTOR	 0xFFFF

struct msix_entry {
	uint32_t addr_lo, addr_hi, data, ctrl; /* as the guest wrote them; ctrl bit 0 = masked */
};

struct msix {
	struct pci_dev *dev;
	struct msi_router *router;
	pthread_mutex_t lock;
	uint8_t cap; /* config-space offset of the capability */
	unsigned nvec;
	uint32_t table_off, pba_off; /* in the BAR */
	struct msix_entry table[MSIX_MAX_VECTORS];
	uint64_t pending;		   /* one bit per vector */
	unsigned vec_id[MSIX_MAX_VECTORS]; /* the router's id for each vector */
};

/* Add the capability to dev: nvec vectors, table at table_off and PBA at pba_off of bar. */
int msix_init(struct msix *m, struct pci_dev *dev, struct msi_router *r, unsigned nvec,
	      unsigned bar, uint32_t table_off, uint32_t pba_off, struct berth_error *err);

/* Bytes the table and the PBA need in the BAR. */
#define MSIX_TABLE_BYTES(nvec) (16u * (nvec))
#define MSIX_PBA_BYTES(nvec)   (8u * (((nvec) + 63) / 64))

/* A guest access at off inside the table. */
void msix_table_access(struct msix *m, uint64_t off, uint8_t *data, uint32_t len, bool is_write);

/* A guest access at off inside the PBA (read-only). */
void msix_pba_access(struct msix *m, uint64_t off, uint8_t *data, uint32_t len, bool is_write);

/* The guest wrote config space [off, off+len): follow enable and function-mask changes. */
void msix_config_written(struct msix *m, uint32_t off, uint32_t len);

/* Is MSI-X enabled by the guest (the device then must not use INTx)? */
bool msix_enabled(struct msix *m);

/* Deliver vector (or mark it pending while masked); out-of-range vectors are ignored. */
void msix_notify(struct msix *m, unsigned vector);

/* Back to power-on state: disabled, every vector masked, nothing pending. */
void msix_reset(struct msix *m);

#endif
