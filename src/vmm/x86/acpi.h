/* acpi.h - the ACPI tables berth-vmm gives a guest: RSDP, XSDT, FADT, DSDT, MADT, MCFG.
 *
 * ACPI is how the guest learns its CPUs (MADT; Debian's cloud kernel has no MP-table
 * support), how it powers off (PM1a control, \_S5), how a power-button press reaches
 * it (fixed-feature button on the SCI), where the pvpanic port is, and the PCI host bridge
 * (MCFG for its ECAM; in the DSDT its windows and _PRT). */
#ifndef BERTH_VMM_X86_ACPI_H
#define BERTH_VMM_X86_ACPI_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "vmm/memory.h"

/* SLP_TYP value berth-vmm's \_S5 object hands the guest; writing it with SLP_EN means power off. */
#define ACPI_S5_TYPE 5

/* Where the tables went, for firmware that moves them (etc/table-loader): every table, and
 * every field holding the address of another table. */
#define ACPI_MAX_FIXUPS 8

struct acpi_fixup {
	uint64_t at;  /* guest address */
	uint32_t len; /* a table's length */
	uint8_t size; /* a pointer's width: 4 or 8 */
};

struct acpi_fixups {
	unsigned ntables, npointers;
	struct acpi_fixup tables[ACPI_MAX_FIXUPS], pointers[ACPI_MAX_FIXUPS];
	uint64_t end; /* the tables are [LAYOUT_ACPI_TABLES, end); the RSDP is at LAYOUT_ACPI */
};

/* What the tables describe beyond the CPUs. */
#define ACPI_FIRMWARE 0x1 /* the firmware's machine: PM timer, CMOS clock */
#define ACPI_I8042    0x2 /* a PS/2 keyboard on the i8042 (--display) */

/* Write the tables for ncpus CPUs at LAYOUT_ACPI, for the machine flags (ACPI_*) says; *rsdp
 * gets the RSDP's address; fix (may be NULL) where they went. */
int acpi_build_for(const struct guest_mem *gm, unsigned ncpus, unsigned flags,
		   struct acpi_fixups *fix, uint64_t *rsdp, struct berth_error *err);

/* Write the tables for ncpus CPUs at LAYOUT_ACPI for direct boot (flags: ACPI_I8042 or 0);
 * *rsdp gets the RSDP's address. */
int acpi_build(const struct guest_mem *gm, unsigned ncpus, unsigned flags, uint64_t *rsdp,
	       struct berth_error *err);

#endif
