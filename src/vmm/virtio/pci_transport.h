/* pci_transport.h - virtio over PCI (virtio 1.x, 4.1, modern only): a virtio device as a
 * PCI function Linux's virtio_pci binds to.
 *
 * One 32 KiB memory BAR holds every structure, each announced by a vendor capability:
 * common configuration, ISR status, device configuration, queue notifications (one 4-byte
 * slot per queue, each an ioeventfd, so a guest kick costs no exit to user space), then the
 * MSI-X table and PBA. Interrupts go out as MSI-X through irqfds, or on INTA# until the
 * driver enables MSI-X. Queue work runs on the VMM's event loop, never on a vCPU thread. */
#ifndef BERTH_VMM_VIRTIO_PCI_TRANSPORT_H
#define BERTH_VMM_VIRTIO_PCI_TRANSPORT_H

#include "common/error.h"
#include "vmm/loop.h"
#include "vmm/msi.h"
#include "vmm/pci/msix.h"
#include "vmm/pci/pci.h"
#include "vmm/virtio/device.h"

struct virtio_pci_queue {
	uint16_t size, msix_vector, enable;
	uint64_t desc, avail, used;
};

struct virtio_pci {
	struct pci_dev pci;
	struct msix msix;
	struct virtio_dev *dev;
	struct loop *loop;
	int vm_fd; /* the current KVM VM, -1 between boots */
	uint64_t
	    notify_addr; /* guest address of the notify slots while ioeventfds are bound, else 0 */
	uint64_t bar_addr; /* where BAR 0 decodes now, 0 if it does not */
	/* Common configuration, as the driver sees it (d->lock held to touch). */
	uint32_t dfselect, gfselect;
	uint64_t driver_features;
	uint16_t msix_config, queue_select;
	uint8_t status, config_generation;
	/* Interrupt status for INTx: raised by device work on any thread, so isr_lock guards it
	 * (taken last, after d->lock or a device's own queue lock). */
	uint8_t isr;
	pthread_mutex_t isr_lock;
	bool started; /* DRIVER_OK accepted and d->ops->start succeeded */
	struct virtio_pci_queue q[VIRTIO_MAX_QUEUES];
	int kick_fd[VIRTIO_MAX_QUEUES];
	struct loop_source kick_src[VIRTIO_MAX_QUEUES];
	bool kick_taken[VIRTIO_MAX_QUEUES]; /* the device polls this queue's kick_fd itself */
};

/* Put dev on the PCI bus behind a virtio-pci function; vectors come from router. On
 * failure too, virtio_pci_destroy releases what was taken (and the device). */
int virtio_pci_init(struct virtio_pci *vp, struct virtio_dev *dev, struct pci_bus *bus,
		    struct msi_router *router, struct loop *loop, struct berth_error *err);

/* Bind to a new KVM VM for a boot (vm_fd), or unbind (-1) when the boot ends. */
int virtio_pci_attach(struct virtio_pci *vp, int vm_fd, struct berth_error *err);

/* Reset the device and the transport (a guest reboot); the vCPUs are stopped. */
void virtio_pci_reset(struct virtio_pci *vp);

/* Reset, then release the device and the transport's resources. */
void virtio_pci_destroy(struct virtio_pci *vp);

#endif
