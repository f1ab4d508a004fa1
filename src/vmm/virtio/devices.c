/* devices.c - create, bind, reset and release the VM's virtio devices. */
#include "devices.h"

#include "vmm/virtio/blk.h"
#include "vmm/virtio/input.h"
#include "vmm/virtio/net.h"
#include "vmm/virtio/net_backend.h"
#include "vmm/virtio/rng.h"

/* Put a created device on the bus. */
static int vm_virtio_add(struct vm_virtio *v, struct virtio_dev *d, struct pci_bus *bus,
			 struct msi_router *router, struct loop *loop, struct berth_error *err)
{
	/* Counted first: virtio_pci_destroy releases a half-made transport and its device too. */
	return virtio_pci_init(&v->vp[v->n++], d, bus, router, loop, err);
}

int vm_virtio_create(struct vm_virtio *v, const struct vm_config *cfg, const struct guest_mem *gm,
		     struct pci_bus *bus, struct msi_router *router, struct loop *loop,
		     struct berth_error *err)
{
	struct virtio_dev *d = NULL;
	/* A queue pair per vCPU, so each vCPU sends and receives on its own (a tap's). */
	unsigned pairs = cfg->cpus < NET_MAX_PAIRS ? cfg->cpus : NET_MAX_PAIRS;

	v->n = 0;
	v->tablet = NULL;
	for (unsigned i = 0; i < cfg->ndisks; i++)
		if (virtio_blk_create(&d, &cfg->disks[i], i, gm, loop, err) ||
		    vm_virtio_add(v, d, bus, router, loop, err))
			return -1;
	for (unsigned i = 0; i < cfg->nnics; i++)
		if (virtio_net_create(&d, &cfg->nics[i], i, pairs ? pairs : 1, gm, loop, err) ||
		    vm_virtio_add(v, d, bus, router, loop, err) || virtio_net_threads(d, err))
			return -1;
	if (cfg->rng &&
	    (virtio_rng_create(&d, gm, loop, err) || vm_virtio_add(v, d, bus, router, loop, err)))
		return -1;
	if (cfg->display) { /* a screen gets a pointer, so VNC clients' clicks land */
		if (virtio_input_tablet_create(&d, gm, loop, err) ||
		    vm_virtio_add(v, d, bus, router, loop, err))
			return -1;
		v->tablet = d;
	}
	return 0;
}

int vm_virtio_attach(struct vm_virtio *v, int vm_fd, struct berth_error *err)
{
	for (unsigned i = 0; i < v->n; i++)
		if (virtio_pci_attach(&v->vp[i], vm_fd, err))
			return -1;
	return 0;
}

void vm_virtio_detach(struct vm_virtio *v)
{
	for (unsigned i = 0; i < v->n; i++) {
		virtio_pci_attach(&v->vp[i], -1, NULL);
		virtio_pci_reset(&v->vp[i]);
	}
}

int vm_virtio_grow_disk(struct vm_virtio *v, unsigned ndisks, unsigned disk, uint64_t *old,
			uint64_t *now, struct berth_error *err)
{
	/* Disks come first, in their --disk order (vm_virtio_create). */
	if (disk >= ndisks || disk >= v->n)
		return berr(err, 0, "no disk %u: the VM has %u disk(s), numbered from 0", disk,
			    ndisks);
	return virtio_blk_grow(v->vp[disk].dev, old, now, err);
}

void vm_virtio_destroy(struct vm_virtio *v)
{
	for (unsigned i = 0; i < v->n; i++)
		virtio_pci_destroy(&v->vp[i]);
	v->n = 0;
	v->tablet = NULL;
}
