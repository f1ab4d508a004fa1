/* pci_fixture.h - one virtio device (virtio-rng unless a test makes another) behind the
 * real virtio-pci transport and PCI bus, over fake guest RAM, driven as a guest driver
 * would: through config space (conf1) and BAR 0 MMIO. No KVM: MSI vectors are counted from
 * their irqfds, INTx from the machine.
 * Header-only (static), for the transport's unit tests and its fuzzer. */
#ifndef BERTH_TESTS_VIRTIO_PCI_FIXTURE_H
#define BERTH_TESTS_VIRTIO_PCI_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "vmm/bus.h"
#include "vmm/loop.h"
#include "vmm/memory.h"
#include "vmm/msi.h"
#include "vmm/pci/pci.h"
#include "vmm/virtio/pci_transport.h"
#include "vmm/virtio/rng.h"
#include "vmm/x86/layout.h"

#define PF_RAM (1u << 20)

struct pf {
	uint8_t *ram;
	struct guest_mem gm;
	struct loop loop;
	struct machine machine;
	int irq_level[32]; /* last level set on each GSI */
	struct bus pio, mmio;
	struct pci_bus pci;
	struct msi_router msi;
	struct virtio_pci vp;
	uint64_t bar; /* BAR 0's address once decoding */
};

static inline void pf_set_irq(struct machine *m, unsigned gsi, int level)
{
	struct pf *f = (struct pf *)((char *)m - offsetof(struct pf, machine));

	if (gsi < 32)
		f->irq_level[gsi] = level;
}

static inline void pf_request(struct machine *m, enum machine_request req)
{
	(void)m, (void)req;
}

/* How the fixture makes its device (virtio-rng unless a test asks for another). */
typedef int (*pf_create_fn)(struct virtio_dev **out, const struct guest_mem *gm, struct loop *loop,
			    struct berth_error *err);

/* Everything up, the device create makes in slot 1 (memory decoding still off); 0 or -1. */
static inline int pf_init_with(struct pf *f, pf_create_fn create)
{
	struct berth_error err = { 0 };
	struct virtio_dev *d;

	memset(f, 0, sizeof(*f));
	f->ram = aligned_alloc(4096, PF_RAM);
	if (!f->ram)
		return -1;
	memset(f->ram, 0, PF_RAM);
	gm_init_from(&f->gm, f->ram, PF_RAM);
	f->machine = (struct machine){ .set_irq = pf_set_irq, .request = pf_request };
	bus_init(&f->pio, "port");
	bus_init(&f->mmio, "mmio");
	pci_bus_init(&f->pci, &f->machine);
	msi_router_init(&f->msi);
	if (loop_init(&f->loop, &err) || pci_bus_register(&f->pci, &f->pio, &f->mmio, &err) ||
	    create(&d, &f->gm, &f->loop, &err) ||
	    virtio_pci_init(&f->vp, d, &f->pci, &f->msi, &f->loop, &err)) {
		fprintf(stderr, "pci fixture: %s\n", err.msg);
		return -1;
	}
	return 0;
}

/* pf_init_with virtio-rng. */
static inline int pf_init(struct pf *f)
{
	return pf_init_with(f, virtio_rng_create);
}

static inline void pf_destroy(struct pf *f)
{
	virtio_pci_destroy(&f->vp);
	msi_router_destroy(&f->msi);
	pci_bus_destroy(&f->pci);
	loop_destroy(&f->loop);
	free(f->ram);
}

static inline uint32_t pf_cfg_read(struct pf *f, unsigned slot, unsigned off, unsigned len)
{
	uint8_t b[4] = { 0 };
	uint32_t addr = 0x80000000u | slot << 11 | (off & 0xFC);

	bus_dispatch(&f->pio, PORT_PCI_CONF, (uint8_t *)&addr, 4, true);
	bus_dispatch(&f->pio, PORT_PCI_CONF + 4 + (off & 3), b, len, false);
	return pci_get32(b);
}

static inline void pf_cfg_write(struct pf *f, unsigned slot, unsigned off, unsigned len, uint32_t v)
{
	uint8_t b[4];
	uint32_t addr = 0x80000000u | slot << 11 | (off & 0xFC);

	pci_put32(b, v);
	bus_dispatch(&f->pio, PORT_PCI_CONF, (uint8_t *)&addr, 4, true);
	bus_dispatch(&f->pio, PORT_PCI_CONF + 4 + (off & 3), b, len, true);
}

/* Turn on memory decoding for the device and learn where BAR 0 is. */
static inline void pf_enable(struct pf *f)
{
	pf_cfg_write(f, f->vp.pci.slot, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	f->bar = pf_cfg_read(f, f->vp.pci.slot, PCI_BAR0, 4) & ~0xFu;
}

static inline uint64_t pf_read(struct pf *f, uint64_t off, unsigned len)
{
	uint8_t b[8] = { 0 };

	bus_dispatch(&f->mmio, f->bar + off, b, len, false);
	return (uint64_t)pci_get32(b + 4) << 32 | pci_get32(b);
}

static inline void pf_write(struct pf *f, uint64_t off, unsigned len, uint64_t v)
{
	uint8_t b[8];

	pci_put32(b, (uint32_t)v);
	pci_put32(b + 4, (uint32_t)(v >> 32));
	bus_dispatch(&f->mmio, f->bar + off, b, len, true);
}

/* Dispatch whatever the loop has ready (queue kicks), without blocking. */
static inline void pf_run(struct pf *f)
{
	struct epoll_event ev[8];
	int n;

	while ((n = epoll_wait(f->loop.epfd, ev, 8, 0)) > 0)
		for (int i = 0; i < n; i++) {
			struct loop_source *src = ev[i].data.ptr;

			src->fn(src, ev[i].events);
		}
}

/* How often MSI-X vector v fired since the last call. */
static inline uint64_t pf_msi_count(struct pf *f, unsigned v)
{
	uint64_t n = 0;

	if (read(f->msi.irqfd[f->vp.msix.vec_id[v]], &n, sizeof(n)) != sizeof(n))
		return 0;
	return n;
}

#endif
