/* acpi.h - the ACPI tables berth-vmm gives a guest: RSDP, XSDT, FADT, DSDT, MADT, MCFG.
 *
 * ACPI is how the guest learns its CPUs (MADT; Debian's cloud kernel has no MP-table
 * support), how it powers off (PM1a control, \_S5), how a power-button press reaches
 * it (fixed-feature button on the SCI), where the pvpanic port is, and the PCI host bridge
 * (MCFG for its ECAM; in the DSDT its windows and _PRT). */
#ifndef BERTH_VMM_X86_ACPI_H
#define BERTH_VMM_X86_ACPI_H

#include <stdint.h>

#include "common/error.h"
#include "vmm/memory.h"

/* SLP_TYP value berth-vmm's \_S5 object hands the guest; writing it with SLP_EN means power off. */
#define ACPI_S5_TYPE 5

/* Write the tables for ncpus CPUs at LAYOUT_ACPI; *rsdp gets the RSDP's address. */
int acpi_build(const struct guest_mem *gm, unsigned ncpus, uint64_t *rsdp, struct berth_error *err);

#endif
