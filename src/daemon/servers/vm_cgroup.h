/* vm_cgroup.h - the cgroup of each VMM berthd starts (docs/berthd-drivers.md, "cgroups"):
 * below berthd's own cgroup, STATE-HASH/NAME, with CPU bandwidth equal to the VM's vCPUs,
 * memory limited to its RAM plus the VMM's overhead, PIDs bounded, and the host CPUs it holds
 * alone (a plan's dedicated_cpus) as its cpuset. The VMM enters it
 * before its execve, so the guest never runs a single instruction outside it. */
#ifndef BERTH_DAEMON_VM_CGROUP_H
#define BERTH_DAEMON_VM_CGROUP_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "daemon/servers/driver.h"
#include "daemon/servers/server.h"

#define VM_CPU_PERIOD_US 100000 /* cfs period; quota = vCPUs x period */
#define VM_PIDS_BASE	 256 /* pids.max = this + vCPUs: event loop, libslirp, io_uring workers */
/* What berth-vmm takes beyond guest RAM, measured (docs/berthd-drivers.md, "cgroups"): a
 * fixed part (its binary, heap, KVM's structures, the files it reads) and a part that grows
 * with RAM (page tables of guest memory, KVM's shadow/EPT tables). The ledger reserves it. */
#define VM_OVERHEAD_FIXED   (48ull << 20)
#define VM_OVERHEAD_RAM_DIV 64 /* plus RAM / this */
#define VM_CGROUP_MAX_FDS   16 /* one cgroup.procs per v1 hierarchy */

/* The memory a VM of memory bytes of RAM is charged for in all: RAM plus the VMM's overhead. */
uint64_t vm_memory_charged(uint64_t memory);

/* The cgroup.procs files of a VMM's cgroup, for its child to write itself into. */
struct vm_cgroup_fds {
	int fd[VM_CGROUP_MAX_FDS];
	size_t n;
};

/* Make server s's cgroup with its limits and open its cgroup.procs files into out (to be
 * closed with vm_cgroup_fds_close). A host that lacks a controller is an error naming it. */
int vm_cgroup_prepare(const struct server *s, const struct driver_env *e, struct vm_cgroup_fds *out,
		      struct berth_error *err);

/* Close what vm_cgroup_prepare opened. */
void vm_cgroup_fds_close(struct vm_cgroup_fds *f);

/* Remove server s's cgroup once nothing runs in it (a cgroup still in use stays). */
void vm_cgroup_remove(const struct server *s, const struct driver_env *e);

/* Remove every empty VM cgroup of this berthd: those of VMs that ended while it was down. */
void vm_cgroup_prune(const struct driver_env *e);

#endif
