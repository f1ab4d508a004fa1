/* machine.h - what a device may ask of the machine it sits in, without knowing KVM. */
#ifndef BERTH_VMM_DEV_MACHINE_H
#define BERTH_VMM_DEV_MACHINE_H

enum machine_request {
	MACHINE_POWEROFF, /* the guest powered off */
	MACHINE_RESET,	  /* the guest asked for a reset (reboot) */
	MACHINE_PANIC,	  /* the guest kernel reported a panic */
};

struct machine {
	/* Drive an interrupt line (GSI) to level 0 or 1. */
	void (*set_irq)(struct machine *m, unsigned gsi, int level);
	/* Ask for a lifecycle change; safe from any thread. */
	void (*request)(struct machine *m, enum machine_request req);
};

#endif
