/* cpu.c - vCPU registers, CPUID and the boot-time GDT and page tables. */
#include "cpu.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "layout.h"

#define CR0_PE	       (1ULL << 0)
#define CR0_NW	       (1ULL << 29)
#define CR0_CD	       (1ULL << 30)
#define CR0_PG	       (1ULL << 31)
#define CR4_PAE	       (1ULL << 5)
#define EFER_LME       (1ULL << 8)
#define EFER_LMA       (1ULL << 10)
#define PTE_PRESENT_RW 0x3ULL
#define PTE_HUGE       0x80ULL

#define MSR_IA32_MISC_ENABLE	0x1a0
#define MISC_ENABLE_FAST_STRING 1ULL

#define CPUID1_ECX_VMX		(1u << 5)
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID_80000001_ECX_SVM	(1u << 2)

#define APIC_LVT0	 0x350
#define APIC_LVT1	 0x360
#define APIC_MODE_NMI	 0x4
#define APIC_MODE_EXTINT 0x7

/* Boot protocol selectors: __BOOT_CS = 0x10, __BOOT_DS = 0x18; a TSS at 0x20; a 32-bit code
 * segment at 0x08 for a PVH entry. */
#define SEL_CODE32 0x08
#define SEL_CODE   0x10
#define SEL_DATA   0x18
#define SEL_TSS	   0x20

/* A GDT descriptor from flags (access byte + flags nibble), base and limit. */
#define GDT_ENTRY(flags, base, limit)                                                              \
	((((uint64_t)(base)&0xff000000ULL) << 32) | (((uint64_t)(flags)&0xf0ffULL) << 40) |        \
	 (((uint64_t)(limit)&0x000f0000ULL) << 32) | (((uint64_t)(base)&0x00ffffffULL) << 16) |    \
	 ((uint64_t)(limit)&0x0000ffffULL))

static const uint64_t boot_gdt[] = {
	0,
	GDT_ENTRY(0xc09b, 0, 0xfffff), /* 32-bit code */
	GDT_ENTRY(0xa09b, 0, 0xfffff), /* 64-bit code */
	GDT_ENTRY(0xc093, 0, 0xfffff), /* data */
	GDT_ENTRY(0x808b, 0, 0xfffff), /* TSS */
};

int cpu_write_boot_tables(const struct guest_mem *gm, struct berth_error *err)
{
	uint64_t pml4 = LAYOUT_PDPT | PTE_PRESENT_RW, pdpt[4], pd[512];
	unsigned i, j;

	if (gm_write(gm, LAYOUT_GDT, boot_gdt, sizeof(boot_gdt)) ||
	    gm_write(gm, LAYOUT_PML4, &pml4, 8))
		return berr(err, 0, "guest RAM too small for boot tables");
	for (i = 0; i < 4; i++) {
		pdpt[i] = (LAYOUT_PD + i * 4096) | PTE_PRESENT_RW;
		for (j = 0; j < 512; j++)
			pd[j] =
			    (((uint64_t)i << 30) + ((uint64_t)j << 21)) | PTE_PRESENT_RW | PTE_HUGE;
		if (gm_write(gm, LAYOUT_PD + i * 4096, pd, sizeof(pd)))
			return berr(err, 0, "guest RAM too small for page tables");
	}
	if (gm_write(gm, LAYOUT_PDPT, pdpt, sizeof(pdpt)))
		return berr(err, 0, "guest RAM too small for page tables");
	return 0;
}

static struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *c, uint32_t function, uint32_t index)
{
	unsigned i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == function && c->entries[i].index == index)
			return &c->entries[i];
	return NULL;
}

/* What KVM supports but leaves to the VMM to offer, and what a guest is not given. */
static void cpuid_adjust(int kvm_fd, struct kvm_cpuid2 *c)
{
	struct kvm_cpuid_entry2 *l1 = cpuid_find(c, 1, 0), *ext = cpuid_find(c, 0x80000001, 0);

	/* KVM emulates the TSC-deadline timer but does not list it; without it Linux calibrates
	 * the LAPIC timer against the PIT, which fails under nested emulation. */
	if (l1 && ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER) > 0)
		l1->ecx |= CPUID1_ECX_TSC_DEADLINE;
	/* No nested virtualisation for guests: less attack surface, and a guest that sees
	 * SVM/VMX touches their MSRs on every reboot. */
	if (l1)
		l1->ecx &= ~CPUID1_ECX_VMX;
	if (ext)
		ext->ecx &= ~CPUID_80000001_ECX_SVM;
}

struct kvm_cpuid2 *cpu_guest_cpuid(int kvm_fd, struct berth_error *err)
{
	unsigned n = 128;

	for (;;) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));

		if (!c) {
			berr(err, ENOMEM, "CPUID table");
			return NULL;
		}
		c->nent = n;
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
			cpuid_adjust(kvm_fd, c);
			return c;
		}
		free(c);
		if (errno != E2BIG || n >= 4096) {
			berr(err, errno, "KVM_GET_SUPPORTED_CPUID");
			return NULL;
		}
		n *= 2;
	}
}

static int cpu_set_cpuid(int vcpu_fd, unsigned id, const struct kvm_cpuid2 *supported,
			 struct berth_error *err)
{
	size_t size = sizeof(*supported) + supported->nent * sizeof(supported->entries[0]);
	struct kvm_cpuid2 *c = malloc(size);
	unsigned i;
	int r;

	if (!c)
		return berr(err, ENOMEM, "CPUID table");
	memcpy(c, supported, size);
	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		switch (e->function) {
		case 1:
			e->ebx = (e->ebx & 0x00ffffff) | (id << 24); /* initial APIC ID */
			e->ecx |= 1u << 31; /* running under a hypervisor */
			break;
		case 0xb:
		case 0x1f:
			e->edx = id; /* x2APIC ID */
			break;
		}
	}
	r = ioctl(vcpu_fd, KVM_SET_CPUID2, c);
	free(c);
	if (r < 0)
		return berr(err, errno, "KVM_SET_CPUID2 on vCPU %u", id);
	return 0;
}

static int cpu_set_lint(int vcpu_fd, unsigned id, struct berth_error *err)
{
	struct kvm_lapic_state lapic;
	uint32_t *lvt0 = (uint32_t *)&lapic.regs[APIC_LVT0],
		 *lvt1 = (uint32_t *)&lapic.regs[APIC_LVT1];

	if (ioctl(vcpu_fd, KVM_GET_LAPIC, &lapic) < 0)
		return berr(err, errno, "KVM_GET_LAPIC on vCPU %u", id);
	/* LINT0 takes the 8259's interrupts (ExtINT), LINT1 is the NMI line, as on a PC. */
	*lvt0 = (*lvt0 & ~0x700u) | (APIC_MODE_EXTINT << 8);
	*lvt1 = (*lvt1 & ~0x700u) | (APIC_MODE_NMI << 8);
	if (ioctl(vcpu_fd, KVM_SET_LAPIC, &lapic) < 0)
		return berr(err, errno, "KVM_SET_LAPIC on vCPU %u", id);
	return 0;
}

int cpu_init(int vcpu_fd, unsigned id, const struct kvm_cpuid2 *supported, struct berth_error *err)
{
	union {
		struct kvm_msrs hdr;
		uint8_t bytes[sizeof(struct kvm_msrs) + sizeof(struct kvm_msr_entry)];
	} msrs = { .hdr.nmsrs = 1 };
	struct kvm_fpu fpu = { .fcw = 0x37f, .mxcsr = 0x1f80 };

	msrs.hdr.entries[0] = (struct kvm_msr_entry){ .index = MSR_IA32_MISC_ENABLE,
						      .data = MISC_ENABLE_FAST_STRING };
	if (cpu_set_cpuid(vcpu_fd, id, supported, err))
		return -1;
	if (ioctl(vcpu_fd, KVM_SET_MSRS, &msrs) != 1)
		return berr(err, errno, "KVM_SET_MSRS on vCPU %u", id);
	if (ioctl(vcpu_fd, KVM_SET_FPU, &fpu) < 0)
		return berr(err, errno, "KVM_SET_FPU on vCPU %u", id);
	return cpu_set_lint(vcpu_fd, id, err);
}

static void seg_flat(struct kvm_segment *s, uint16_t sel, uint8_t type, int code64)
{
	*s = (struct kvm_segment){ .base = 0,
				   .limit = 0xffffffff,
				   .selector = sel,
				   .type = type,
				   .present = 1,
				   .s = 1,
				   .g = 1,
				   .l = code64,
				   .db = !code64 };
}

/* Flat data segments, the TSS and the GDT, common to both entries; cs is set by the caller. */
static void sregs_flat(struct kvm_sregs *sregs)
{
	seg_flat(&sregs->ds, SEL_DATA, 0x3, 0);
	sregs->es = sregs->fs = sregs->gs = sregs->ss = sregs->ds;
	sregs->tr = (struct kvm_segment){
		.base = 0, .limit = 0xfffff, .selector = SEL_TSS, .type = 0xb, .present = 1
	};
	sregs->gdt.base = LAYOUT_GDT;
	sregs->gdt.limit = sizeof(boot_gdt) - 1;
	sregs->idt.base = 0;
	sregs->idt.limit = 0;
	sregs->cr0 &= ~(CR0_CD | CR0_NW);
}

static int set_regs(int vcpu_fd, const struct kvm_sregs *sregs, const struct kvm_regs *regs,
		    struct berth_error *err)
{
	if (ioctl(vcpu_fd, KVM_SET_SREGS, sregs) < 0)
		return berr(err, errno, "KVM_SET_SREGS");
	if (ioctl(vcpu_fd, KVM_SET_REGS, regs) < 0)
		return berr(err, errno, "KVM_SET_REGS");
	return 0;
}

int cpu_init_boot_regs(int vcpu_fd, uint64_t entry, uint64_t zero_page, struct berth_error *err)
{
	struct kvm_regs regs = { .rflags = 2, .rip = entry, .rsi = zero_page };
	struct kvm_sregs sregs;

	if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		return berr(err, errno, "KVM_GET_SREGS");
	sregs_flat(&sregs);
	seg_flat(&sregs.cs, SEL_CODE, 0xb, 1);
	sregs.cr0 |= CR0_PE | CR0_PG;
	sregs.cr3 = LAYOUT_PML4;
	sregs.cr4 |= CR4_PAE;
	sregs.efer |= EFER_LME | EFER_LMA;
	return set_regs(vcpu_fd, &sregs, &regs, err);
}

int cpu_init_pvh_regs(int vcpu_fd, uint32_t entry, uint32_t start_info, struct berth_error *err)
{
	struct kvm_regs regs = { .rflags = 2, .rip = entry, .rbx = start_info };
	struct kvm_sregs sregs;

	if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		return berr(err, errno, "KVM_GET_SREGS");
	sregs_flat(&sregs);
	seg_flat(&sregs.cs, SEL_CODE32, 0xb, 0);
	sregs.cr0 = (sregs.cr0 | CR0_PE) & ~CR0_PG;
	sregs.cr4 = 0;
	sregs.efer &= ~(EFER_LME | EFER_LMA);
	return set_regs(vcpu_fd, &sregs, &regs, err);
}
