/* layout.h - where berth-vmm puts things in a new x86 guest's memory and address space.
 *
 *   0x00500  GDT              0x06000  hvm_start_info, its module list and memory map (PVH)
 *   0x07000  boot_params (zero page, bzImage)
 *   0x09000  PML4             0x0A000  PDPT, then 4 page directories: identity map of 4 GiB
 *   0x20000  command line     0xE0000  ACPI tables (RSDP first), reserved in the e820 map
 *   0x100000 kernel (protected-mode part of the bzImage; a vmlinux's segments lie where its
 *            program headers say, above here); initrd at the top of low RAM
 */
#ifndef BERTH_VMM_X86_LAYOUT_H
#define BERTH_VMM_X86_LAYOUT_H

#define LAYOUT_GDT	   0x500ULL
#define LAYOUT_PVH_INFO	   0x6000ULL /* up to LAYOUT_ZERO_PAGE */
#define LAYOUT_ZERO_PAGE   0x7000ULL
#define LAYOUT_PML4	   0x9000ULL
#define LAYOUT_PDPT	   0xA000ULL
#define LAYOUT_PD	   0xB000ULL /* 4 pages */
#define LAYOUT_CMDLINE	   0x20000ULL
#define LAYOUT_CMDLINE_MAX 0x10000ULL
#define LAYOUT_EBDA	   0x9FC00ULL /* RAM below 1 MiB ends here */
#define LAYOUT_ACPI	   0xE0000ULL
#define LAYOUT_ACPI_TABLES 0xE0040ULL /* after the RSDP */
#define LAYOUT_ACPI_END	   0x100000ULL
#define LAYOUT_KERNEL	   0x100000ULL

/* The 32-bit device hole from GM_HOLE_START (3 GiB): PCI BARs, then ECAM for bus 0. */
#define LAYOUT_PCI_MMIO	     0xC0000000ULL
#define LAYOUT_PCI_MMIO_SIZE 0x20000000ULL
#define LAYOUT_PCI_ECAM	     0xE0000000ULL
#define LAYOUT_PCI_ECAM_SIZE 0x100000ULL /* bus 0 only */
/* Above ECAM up to the IOAPIC: a second BAR window, where SeaBIOS puts BARs (top down from
 * 0xFEC00000 on a host bridge it does not know). */
#define LAYOUT_PCI_MMIO_HIGH	  (LAYOUT_PCI_ECAM + LAYOUT_PCI_ECAM_SIZE)
#define LAYOUT_PCI_MMIO_HIGH_SIZE (0xFEC00000ULL - LAYOUT_PCI_MMIO_HIGH)

/* The firmware ROM's window, up to 4 GiB: at most 256 KiB, below which KVM's TSS pages lie. */
#define LAYOUT_ROM_END 0x100000000ULL
#define LAYOUT_ROM_MAX 0x40000ULL

/* Fixed platform addresses. */
#define LAYOUT_IOAPIC 0xFEC00000ULL
#define LAYOUT_LAPIC  0xFEE00000ULL

/* Ports of the devices berth-vmm models. */
#define PORT_COM1     0x3F8
#define PORT_I8042    0x60  /* 0x60 data, 0x64 command/status */
#define PORT_ACPI_PM  0x600 /* PM1a event block (4 bytes), then PM1a control at +4 (2 bytes) */
#define PORT_PVPANIC  0x505
#define PORT_PCI_CONF 0xCF8 /* 0xCF8 address, 0xCFC-0xCFF data */

/* Legacy interrupt lines (ISA IRQ = GSI on the IOAPIC). */
#define IRQ_COM1 4
#define IRQ_SCI	 9

#endif
