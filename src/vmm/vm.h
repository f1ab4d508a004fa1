/* vm.h - one KVM virtual machine: its lifecycle from first boot to exit. */
#ifndef BERTH_VMM_VM_H
#define BERTH_VMM_VM_H

#include "config.h"

/* Exit statuses of berth-vmm. */
#define VM_EXIT_OK     0   /* guest powered off, or rebooted with --no-reboot, or Ctrl-A x */
#define VM_EXIT_GUEST  1   /* guest failed: panic, triple fault, KVM error */
#define VM_EXIT_SETUP  2   /* bad usage or the VM could not be set up */
#define VM_EXIT_KILLED 143 /* stopped by a second SIGTERM */

/* Boot and run the VM described by cfg until it ends; returns the process exit status. */
int vm_run(const struct vm_config *cfg);

#endif
