/* firmware.h - booting by firmware (--firmware): the ROM image and what it is told.
 *
 * The ROM (SeaBIOS's bios.bin by default) is mapped read-only so that it ends at 4 GiB;
 * its last 128 KiB are also copied into RAM at 0xE0000 before each boot, the writable
 * "shadow" that QEMU gives a machine without PAM registers and that SeaBIOS then runs from
 * and relocates itself in. The vCPUs start in the architectural reset state (CS:IP
 * F000:FFF0). fw_cfg tells the firmware the machine: RAM (etc/e820), CPUs, the ACPI tables
 * (etc/table-loader, etc/acpi/rsdp, etc/acpi/tables), the boot order and the serial console. */
#ifndef BERTH_VMM_BOOT_FIRMWARE_H
#define BERTH_VMM_BOOT_FIRMWARE_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "vmm/dev/fw_cfg.h"
#include "vmm/memory.h"

#define FIRMWARE_DEFAULT "/usr/share/seabios/bios.bin"
#define FIRMWARE_ALIGN	 (64u << 10)
#define FIRMWARE_SHADOW	 (128u << 10)
/* Milliseconds SeaBIOS waits after "No bootable device" before it reboots. */
#define FIRMWARE_BOOT_FAIL_WAIT 5000
#define FIRMWARE_OPTION_ROM_MAX (128u << 10) /* what fits below 1 MiB for option ROMs */

struct firmware {
	uint8_t *rom; /* page-aligned copy of the file */
	size_t len;
};

/* Read and check the ROM image at path. */
int firmware_open(struct firmware *fw, const char *path, struct berth_error *err);

/* Map the ROM read-only below 4 GiB as KVM memory slot slot of vm_fd, and copy its shadow
 * into gm at 0xE0000 (each boot: a reboot starts from the ROM's own bytes again). */
int firmware_map(const struct firmware *fw, int vm_fd, unsigned slot, const struct guest_mem *gm,
		 struct berth_error *err);

/* Fill cfg with what the firmware reads for a guest of gm's RAM and ncpus CPUs. */
int firmware_fw_cfg(struct fw_cfg *cfg, const struct guest_mem *gm, unsigned ncpus,
		    struct berth_error *err);

/* Read the option ROM in file path (at most FIRMWARE_OPTION_ROM_MAX bytes) into *rom
 * (malloc'd), its length in *len: a device's expansion ROM. */
int firmware_read_option_rom(const char *path, uint8_t **rom, uint32_t *len,
			     struct berth_error *err);

/* Free the ROM. */
void firmware_close(struct firmware *fw);

#endif
