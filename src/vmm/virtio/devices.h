/* devices.h - the VM's virtio devices, made from its config, each behind a virtio-pci function. */
#ifndef BERTH_VMM_VIRTIO_DEVICES_H
#define BERTH_VMM_VIRTIO_DEVICES_H

#include "common/error.h"
#include "vmm/config.h"
#include "vmm/virtio/pci_transport.h"

#define VM_MAX_VIRTIO (VM_MAX_DISKS + VM_MAX_NICS + 2) /* + entropy, tablet */

struct vm_virtio {
	unsigned n;
	struct virtio_pci vp[VM_MAX_VIRTIO];
	struct virtio_dev *tablet; /* with --display: the pointer VNC clients drive; else NULL */
};

/* Create every device cfg asks for (disks, NICs, entropy, tablet) on bus, in that order. */
int vm_virtio_create(struct vm_virtio *v, const struct vm_config *cfg, const struct guest_mem *gm,
		     struct pci_bus *bus, struct msi_router *router, struct loop *loop,
		     struct berth_error *err);

/* Bind every device to a new boot's KVM VM. */
int vm_virtio_attach(struct vm_virtio *v, int vm_fd, struct berth_error *err);

/* The boot ended (vCPUs stopped): unbind from its VM and reset every device. */
void vm_virtio_detach(struct vm_virtio *v);

/* Disk number disk of the ndisks the VM has grew: virtio_blk_grow() on its device. */
int vm_virtio_grow_disk(struct vm_virtio *v, unsigned ndisks, unsigned disk, uint64_t *old,
			uint64_t *now, struct berth_error *err);

/* Release every device. */
void vm_virtio_destroy(struct vm_virtio *v);

#endif
