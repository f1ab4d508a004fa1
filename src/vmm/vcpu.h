/* vcpu.h - a vCPU thread: KVM_RUN in a loop, exits handed to the buses. */
#ifndef BERTH_VMM_VCPU_H
#define BERTH_VMM_VCPU_H

#include <pthread.h>
#include <stdbool.h>
#include <linux/kvm.h>

#include "bus.h"
#include "common/error.h"

/* Why a vCPU asks the VM to stop. */
enum vm_stop {
	VM_RUNNING = 0,
	VM_POWEROFF,
	VM_RESET,
	VM_PANIC,
	VM_TRIPLE_FAULT, /* the CPU shut down: a PC resets (the message has the registers) */
	VM_FAILED,	 /* KVM error: the message says which */
	VM_QUIT,	 /* console escape */
	VM_KILLED,	 /* second SIGTERM */
};

/* The pause state of all vCPUs of a VM; it outlives boots (a VM paused across a guest reset
 * comes up paused). Zero-initialise, then set lock and cond to their static initialisers. */
struct vcpu_pause {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool paused;
	unsigned running; /* vCPU threads neither parked nor ended */
};

struct vcpu_host {
	struct bus *pio, *mmio;
	struct vcpu_pause pause;
	bool kvm_is_pvm; /* this host's KVM is kvm_pvm: explain emulation failures */
	/* Ask the VM to stop; the first reason given wins. */
	void (*stop)(struct vcpu_host *h, enum vm_stop why, const char *msg);
};

struct vcpu {
	struct vcpu_host *host;
	unsigned id;
	int fd;
	struct kvm_run *run;
	size_t run_size;
	pthread_t thread;
	bool started;
	bool stopping; /* under host->pause.lock: vcpu_stop() was called */
};

/* Create vCPU id on vm_fd and map its kvm_run area. */
int vcpu_create(struct vcpu *v, struct vcpu_host *host, int vm_fd, unsigned id, size_t run_size,
		struct berth_error *err);

/* Start the vCPU's thread. */
int vcpu_start(struct vcpu *v, struct berth_error *err);

/* Make the vCPU leave KVM_RUN and its thread end; then join it. */
void vcpu_stop(struct vcpu *v);

/* Park the n vCPUs out of KVM_RUN until vcpus_resume(); on a guest reset they stay parked
 * in the next boot. Waits at most timeout_ms for them all (a vCPU can be stuck in the host,
 * e.g. writing to a console nobody reads): then resumes them and fails. 1 paused now,
 * 0 already paused, -1 failed. */
int vcpus_pause(struct vcpu_host *h, struct vcpu *v, unsigned n, unsigned timeout_ms,
		struct berth_error *err);

/* Let parked vCPUs run again: 1 resumed, 0 they were not paused. */
int vcpus_resume(struct vcpu_host *h);

/* Whether the vCPUs are paused. */
bool vcpus_paused(struct vcpu_host *h);

/* Release the vCPU's fd and mapping. */
void vcpu_destroy(struct vcpu *v);

/* Install the (empty) signal handler used to kick vCPUs out of KVM_RUN. */
void vcpu_install_kick_handler(void);

#endif
