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
	VM_FAILED, /* triple fault, KVM error: the message says which */
	VM_QUIT,   /* console escape */
	VM_KILLED, /* second SIGTERM */
};

struct vcpu_host {
	struct bus *pio, *mmio;
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
};

/* Create vCPU id on vm_fd and map its kvm_run area. */
int vcpu_create(struct vcpu *v, struct vcpu_host *host, int vm_fd, unsigned id, size_t run_size,
		struct berth_error *err);

/* Start the vCPU's thread. */
int vcpu_start(struct vcpu *v, struct berth_error *err);

/* Make the vCPU leave KVM_RUN and its thread end; then join it. */
void vcpu_stop(struct vcpu *v);

/* Release the vCPU's fd and mapping. */
void vcpu_destroy(struct vcpu *v);

/* Install the (empty) signal handler used to kick vCPUs out of KVM_RUN. */
void vcpu_install_kick_handler(void);

#endif
