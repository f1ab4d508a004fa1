/* msi.h - message-signalled interrupts into the guest through KVM: GSI routes and irqfds.
 *
 * Each MSI-X vector of each device gets a GSI of its own (from MSI_GSI_BASE, above the
 * IOAPIC's pins) and an eventfd bound to it with KVM_IRQFD. Firing the vector is a write
 * to that eventfd from the event loop; KVM delivers the message the guest programmed,
 * which this file keeps in the VM's GSI routing table (KVM_SET_GSI_ROUTING replaces the
 * whole table, so it carries the default IOAPIC and PIC routes too). The eventfds and
 * messages live across guest reboots; msi_attach binds them to each new KVM VM. */
#ifndef BERTH_VMM_MSI_H
#define BERTH_VMM_MSI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

#define MSI_GSI_BASE 24	 /* after the IOAPIC's 24 pins */
#define MSI_MAX	     256 /* vectors in the whole VM */

struct msi_message {
	uint64_t addr;
	uint32_t data;
	bool valid; /* false: no route (the vector is masked or unprogrammed) */
};

struct msi_router {
	pthread_mutex_t lock;
	int vm_fd; /* -1 between boots */
	unsigned n;
	struct msi_message msg[MSI_MAX];
	int irqfd[MSI_MAX];
};

/* Prepare an empty router. */
void msi_router_init(struct msi_router *r);

/* Close every eventfd; the router is unusable afterwards. */
void msi_router_destroy(struct msi_router *r);

/* Reserve a vector: *id names it in the calls below. */
int msi_alloc(struct msi_router *r, unsigned *id, struct berth_error *err);

/* Bind every vector to a new KVM VM (its routes and irqfds), or unbind with vm_fd -1. */
int msi_attach(struct msi_router *r, int vm_fd, struct berth_error *err);

/* Set (valid) or clear the message vector id delivers, and update KVM's routes. */
void msi_route(struct msi_router *r, unsigned id, const struct msi_message *m);

/* Deliver vector id's message now; nothing happens while it has no valid route. */
void msi_fire(struct msi_router *r, unsigned id);

#endif
