/* seccomp.h - berth-vmm's system-call allow-lists, one per kind of thread.
 *
 * The filters are compiled at build time (rules.c, programs.h) and picked for a VM's
 * configuration before any thread starts; each thread then installs its own before it
 * touches anything a guest controls. A call outside its list
 * logs "berth-vmm: seccomp: ..." with the call's name and kills the process with SIGSYS.
 * docs/berth-vmm.md (seccomp) says what each list holds and why. */
#ifndef BERTH_VMM_SECCOMP_H
#define BERTH_VMM_SECCOMP_H

#include "common/error.h"
#include "vmm/config.h"

enum vmm_thread {
	VMM_THREAD_MAIN,  /* the event loop, the API socket, and each boot (a guest reset) */
	VMM_THREAD_VCPU,  /* KVM_RUN and the device exits it hands to the buses */
	VMM_THREAD_SLIRP, /* libslirp's sockets to the host (--net user) */
	VMM_THREAD_KINDS,
};

/* The kind's name in messages (one table for the build's tool and berth-vmm). */
static inline const char *vmm_thread_name(enum vmm_thread kind)
{
	static const char *const names[VMM_THREAD_KINDS] = {
		[VMM_THREAD_MAIN] = "main (event loop)",
		[VMM_THREAD_VCPU] = "vCPU",
		[VMM_THREAD_SLIRP] = "slirp",
	};

	return (unsigned)kind < VMM_THREAD_KINDS ? names[kind] : "unknown";
}

/* Pick the filters for what cfg needs and install the SIGSYS handler that names a
 * forbidden call; until this is called, vmm_seccomp_enter() does nothing. */
int vmm_seccomp_prepare(const struct vm_config *cfg, struct berth_error *err);

/* Install kind's filter on the calling thread (no_new_privs first); a no-op when
 * vmm_seccomp_prepare() was not called. Threads it starts later inherit the filter. */
int vmm_seccomp_enter(enum vmm_thread kind, struct berth_error *err);

#endif
