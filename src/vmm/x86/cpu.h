/* cpu.h - x86 vCPU state for a 64-bit Linux entry or a 32-bit PVH entry: tables in guest memory,
 * registers, CPUID. */
#ifndef BERTH_VMM_X86_CPU_H
#define BERTH_VMM_X86_CPU_H

#include <stdint.h>
#include <linux/kvm.h>

#include "common/error.h"
#include "vmm/memory.h"

/* Write the GDT and an identity map of the first 4 GiB (2 MiB pages) into guest memory. */
int cpu_write_boot_tables(const struct guest_mem *gm, struct berth_error *err);

/* The CPUID table every vCPU starts from: KVM's supported entries, adjusted (caller frees). */
struct kvm_cpuid2 *cpu_guest_cpuid(int kvm_fd, struct berth_error *err);

/* Give a vCPU its CPUID (APIC ID, hypervisor bit), MSRs, FPU and LAPIC LINT wiring. */
int cpu_init(int vcpu_fd, unsigned id, const struct kvm_cpuid2 *supported, struct berth_error *err);

/* Put the boot CPU in 64-bit mode at entry with rsi pointing at the zero page. */
int cpu_init_boot_regs(int vcpu_fd, uint64_t entry, uint64_t zero_page, struct berth_error *err);

/* Put the boot CPU in 32-bit protected mode, paging off, at a PVH entry with ebx pointing at
 * hvm_start_info (Xen's docs/misc/pvh.pandoc). */
int cpu_init_pvh_regs(int vcpu_fd, uint32_t entry, uint32_t start_info, struct berth_error *err);

#endif
