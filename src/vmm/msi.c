/* msi.c - GSI routing and irqfds for MSI vectors (see msi.h). */
#include "msi.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "common/ratelog.h"

#define IOAPIC_PINS 24
#define PIC_IRQS    16

void msi_router_init(struct msi_router *r)
{
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	r->vm_fd = -1;
}

void msi_router_destroy(struct msi_router *r)
{
	for (unsigned i = 0; i < r->n; i++)
		close(r->irqfd[i]);
	r->n = 0;
	pthread_mutex_destroy(&r->lock);
}

int msi_alloc(struct msi_router *r, unsigned *id, struct berth_error *err)
{
	int fd;

	if (r->n == MSI_MAX)
		return berr(err, 0, "too many interrupt vectors (at most %d in a VM)", MSI_MAX);
	fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fd < 0)
		return berr(err, errno, "eventfd for an interrupt vector");
	r->irqfd[r->n] = fd;
	r->msg[r->n] = (struct msi_message){ 0 };
	*id = r->n++;
	return 0;
}

/* Give KVM the whole table: the routes KVM_CREATE_IRQCHIP set up, then our valid messages. */
static int msi_commit(struct msi_router *r)
{
	size_t max = PIC_IRQS + IOAPIC_PINS + r->n;
	struct kvm_irq_routing *t = calloc(1, sizeof(*t) + max * sizeof(t->entries[0]));
	unsigned n = 0;
	int rc;

	if (!t)
		return -1;
	for (unsigned gsi = 0; gsi < IOAPIC_PINS; gsi++) {
		if (gsi < PIC_IRQS)
			t->entries[n++] = (struct kvm_irq_routing_entry){
				.gsi = gsi,
				.type = KVM_IRQ_ROUTING_IRQCHIP,
				.u.irqchip = { .irqchip = gsi < 8 ? KVM_IRQCHIP_PIC_MASTER
								  : KVM_IRQCHIP_PIC_SLAVE,
					       .pin = gsi % 8 },
			};
		t->entries[n++] = (struct kvm_irq_routing_entry){
			.gsi = gsi,
			.type = KVM_IRQ_ROUTING_IRQCHIP,
			.u.irqchip = { .irqchip = KVM_IRQCHIP_IOAPIC, .pin = gsi },
		};
	}
	for (unsigned i = 0; i < r->n; i++) {
		if (!r->msg[i].valid)
			continue;
		t->entries[n++] = (struct kvm_irq_routing_entry){
			.gsi = MSI_GSI_BASE + i,
			.type = KVM_IRQ_ROUTING_MSI,
			.u.msi = { .address_lo = (uint32_t)r->msg[i].addr,
				   .address_hi = (uint32_t)(r->msg[i].addr >> 32),
				   .data = r->msg[i].data },
		};
	}
	t->nr = n;
	rc = ioctl(r->vm_fd, KVM_SET_GSI_ROUTING, t);
	free(t);
	return rc;
}

int msi_attach(struct msi_router *r, int vm_fd, struct berth_error *err)
{
	int rc = 0;

	pthread_mutex_lock(&r->lock);
	r->vm_fd = vm_fd;
	if (vm_fd < 0)
		goto out;
	if (msi_commit(r) < 0) {
		rc = berr(err, errno, "cannot set the VM's interrupt routes");
		goto out;
	}
	for (unsigned i = 0; i < r->n; i++) {
		struct kvm_irqfd f = { .fd = (uint32_t)r->irqfd[i], .gsi = MSI_GSI_BASE + i };

		if (ioctl(vm_fd, KVM_IRQFD, &f) < 0) {
			rc = berr(err, errno, "cannot bind an interrupt vector to KVM (KVM_IRQFD)");
			goto out;
		}
	}
out:
	pthread_mutex_unlock(&r->lock);
	return rc;
}

void msi_route(struct msi_router *r, unsigned id, const struct msi_message *m)
{
	static struct ratelog rl = RATELOG_INIT; /* on every MSI-X table write the guest makes */

	pthread_mutex_lock(&r->lock);
	if (id < r->n && (r->msg[id].valid != m->valid || r->msg[id].addr != m->addr ||
			  r->msg[id].data != m->data)) {
		r->msg[id] = *m;
		if (r->vm_fd >= 0 && msi_commit(r) < 0)
			ratelog_printf(&rl, stderr, "berth-vmm: KVM_SET_GSI_ROUTING: %s",
				       strerror(errno));
	}
	pthread_mutex_unlock(&r->lock);
}

void msi_fire(struct msi_router *r, unsigned id)
{
	uint64_t one = 1;

	/* Unlocked: the eventfd lives as long as the router; a vector without a route is ignored by
	 * KVM. */
	if (id < r->n && write(r->irqfd[id], &one, sizeof(one)) < 0 && errno != EAGAIN)
		perror("berth-vmm: interrupt eventfd");
}
