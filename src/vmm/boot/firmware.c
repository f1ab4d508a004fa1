/* firmware.c - the firmware ROM and its fw_cfg items (see firmware.h). */
#include "firmware.h"

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "vmm/boot/boot_file.h"
#include "vmm/x86/acpi.h"
#include "vmm/x86/layout.h"

int firmware_open(struct firmware *fw, const char *path, struct berth_error *err)
{
	struct boot_file f;
	int rc;

	memset(fw, 0, sizeof(*fw));
	if (boot_file_open(&f, path, "firmware", err))
		return -1;
	if (f.size > LAYOUT_ROM_MAX) {
		rc = berr(err, 0,
			  "firmware '%s' is %llu KiB: larger than the ROM window below 4 GiB "
			  "(%llu KiB)",
			  path, (unsigned long long)f.size >> 10,
			  (unsigned long long)LAYOUT_ROM_MAX >> 10);
		goto out;
	}
	if (f.size % FIRMWARE_ALIGN) {
		rc = berr(err, 0,
			  "firmware '%s' is %llu bytes: not a whole number of 64 KiB (not a ROM "
			  "image?)",
			  path, (unsigned long long)f.size);
		goto out;
	}
	fw->len = (size_t)f.size;
	fw->rom = mmap(NULL, fw->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fw->rom == MAP_FAILED) {
		fw->rom = NULL;
		rc = berr(err, errno, "firmware '%s': cannot map memory for it", path);
		goto out;
	}
	rc = boot_file_read(&f, 0, fw->rom, fw->len, err);
	if (rc)
		firmware_close(fw);
out:
	boot_file_close(&f);
	return rc;
}

int firmware_map(const struct firmware *fw, int vm_fd, unsigned slot, const struct guest_mem *gm,
		 struct berth_error *err)
{
	size_t shadow = fw->len < FIRMWARE_SHADOW ? fw->len : FIRMWARE_SHADOW;
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.flags = KVM_MEM_READONLY,
		.guest_phys_addr = LAYOUT_ROM_END - fw->len,
		.memory_size = fw->len,
		.userspace_addr = (uintptr_t)fw->rom,
	};

	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		return berr(err, errno,
			    "cannot map the firmware ROM (KVM without read-only memory?)");
	if (gm_write(gm, 0x100000 - shadow, fw->rom + fw->len - shadow, shadow))
		return berr(err, 0, "guest RAM too small for the firmware's shadow");
	return 0;
}

int firmware_read_option_rom(const char *path, uint8_t **rom, uint32_t *len,
			     struct berth_error *err)
{
	struct boot_file f;
	uint8_t *buf;

	if (boot_file_open(&f, path, "option ROM", err))
		return err->errnum == ENOENT ? berr(err, ENOENT,
						    "cannot open option ROM '%s' (Debian's seabios "
						    "package has it)",
						    path)
					     : -1;
	if (f.size > FIRMWARE_OPTION_ROM_MAX) {
		boot_file_close(&f);
		return berr(err, 0, "option ROM '%s' is larger than %u KiB", path,
			    FIRMWARE_OPTION_ROM_MAX >> 10);
	}
	buf = malloc((size_t)f.size);
	if (!buf || boot_file_read(&f, 0, buf, (size_t)f.size, err)) {
		if (!buf)
			berr(err, ENOMEM, "option ROM '%s'", path);
		free(buf);
		boot_file_close(&f);
		return -1;
	}
	boot_file_close(&f);
	*rom = buf;
	*len = (uint32_t)f.size;
	return 0;
}

void firmware_close(struct firmware *fw)
{
	if (fw->rom)
		munmap(fw->rom, fw->len);
	fw->rom = NULL;
}

struct e820_entry {
	uint64_t addr, len;
	uint32_t type;
} __attribute__((packed));

#define E820_RAM      1
#define E820_RESERVED 2

static int firmware_e820(struct fw_cfg *cfg, const struct guest_mem *gm, struct berth_error *err)
{
	struct e820_entry e[3];
	unsigned n = 0, i;

	for (i = 0; i < gm->nregions; i++)
		e[n++] = (struct e820_entry){ htole64(gm->regions[i].gpa),
					      htole64(gm->regions[i].size), htole32(E820_RAM) };
	e[n++] = (struct e820_entry){ htole64(LAYOUT_PCI_ECAM), htole64(LAYOUT_PCI_ECAM_SIZE),
				      htole32(E820_RESERVED) };
	return fw_cfg_add_file(cfg, "etc/e820", e, n * sizeof(e[0]), err);
}

/* QEMU's BIOS linker/loader commands (hw/acpi/bios-linker-loader.c), 128 bytes each. */
#define LOADER_ALLOCATE	    1
#define LOADER_ADD_POINTER  2
#define LOADER_ADD_CHECKSUM 3
#define LOADER_ZONE_HIGH    1
#define LOADER_ZONE_FSEG    2
#define LOADER_FILE_RSDP    "etc/acpi/rsdp"
#define LOADER_FILE_TABLES  "etc/acpi/tables"

struct loader_entry {
	uint32_t command;
	union {
		struct {
			char file[FW_CFG_NAME_MAX];
			uint32_t align;
			uint8_t zone;
		} __attribute__((packed)) alloc;
		struct {
			char dest[FW_CFG_NAME_MAX], src[FW_CFG_NAME_MAX];
			uint32_t offset;
			uint8_t size;
		} __attribute__((packed)) pointer;
		struct {
			char file[FW_CFG_NAME_MAX];
			uint32_t offset, start, length;
		} __attribute__((packed)) checksum;
		uint8_t pad[124];
	};
} __attribute__((packed));

_Static_assert(sizeof(struct loader_entry) == 128, "loader entry layout");

#define LOADER_MAX (2 + 2 * ACPI_MAX_FIXUPS + 2)

static void loader_checksum(struct loader_entry *e, const char *file, uint32_t offset,
			    uint32_t start, uint32_t length)
{
	e->command = htole32(LOADER_ADD_CHECKSUM);
	strcpy(e->checksum.file, file);
	e->checksum.offset = htole32(offset);
	e->checksum.start = htole32(start);
	e->checksum.length = htole32(length);
}

/* The tables Berth builds for direct boot, handed over to be placed by the firmware: they
 * are built at their usual addresses in a scratch buffer, then every pointer becomes an
 * offset into etc/acpi/tables that the loader adds the tables' new address to. */
static int firmware_acpi(struct fw_cfg *cfg, unsigned ncpus, struct berth_error *err)
{
	static struct loader_entry l[LOADER_MAX];
	struct acpi_fixups fix;
	struct guest_mem scratch;
	uint8_t *buf = calloc(1, LAYOUT_ACPI_END);
	uint64_t rsdp, base = LAYOUT_ACPI_TABLES;
	unsigned i, n = 0;
	int r = -1;

	if (!buf)
		return berr(err, ENOMEM, "ACPI tables");
	gm_init_from(&scratch, buf, LAYOUT_ACPI_END);
	if (acpi_build_for(&scratch, ncpus, true, &fix, &rsdp, err))
		goto out;
	memset(l, 0, sizeof(l));
	l[n].command = htole32(LOADER_ALLOCATE);
	strcpy(l[n].alloc.file, LOADER_FILE_RSDP);
	l[n].alloc.align = htole32(16);
	l[n++].alloc.zone = LOADER_ZONE_FSEG;
	l[n].command = htole32(LOADER_ALLOCATE);
	strcpy(l[n].alloc.file, LOADER_FILE_TABLES);
	l[n].alloc.align = htole32(64);
	l[n++].alloc.zone = LOADER_ZONE_HIGH;
	for (i = 0; i < fix.npointers; i++) {
		const struct acpi_fixup *p = &fix.pointers[i];
		uint64_t v = 0;

		memcpy(&v, buf + p->at, p->size);
		v -= base;
		memcpy(buf + p->at, &v, p->size);
		l[n].command = htole32(LOADER_ADD_POINTER);
		strcpy(l[n].pointer.dest, LOADER_FILE_TABLES);
		strcpy(l[n].pointer.src, LOADER_FILE_TABLES);
		l[n].pointer.offset = htole32((uint32_t)(p->at - base));
		l[n++].pointer.size = p->size;
	}
	/* The RSDP's XSDT address (offset 24), then every checksum. */
	{
		uint64_t xsdt;

		memcpy(&xsdt, buf + rsdp + 24, 8);
		xsdt -= base;
		memcpy(buf + rsdp + 24, &xsdt, 8);
		l[n].command = htole32(LOADER_ADD_POINTER);
		strcpy(l[n].pointer.dest, LOADER_FILE_RSDP);
		strcpy(l[n].pointer.src, LOADER_FILE_TABLES);
		l[n].pointer.offset = htole32(24);
		l[n++].pointer.size = 8;
	}
	for (i = 0; i < fix.ntables; i++)
		loader_checksum(&l[n++], LOADER_FILE_TABLES,
				(uint32_t)(fix.tables[i].at - base + 9),
				(uint32_t)(fix.tables[i].at - base), fix.tables[i].len);
	loader_checksum(&l[n++], LOADER_FILE_RSDP, 8, 0, 20);
	loader_checksum(&l[n++], LOADER_FILE_RSDP, 32, 0, 36);
	r = fw_cfg_add_file(cfg, LOADER_FILE_RSDP, buf + rsdp, 36, err) ||
		    fw_cfg_add_file(cfg, LOADER_FILE_TABLES, buf + base, (uint32_t)(fix.end - base),
				    err) ||
		    fw_cfg_add_file(cfg, "etc/table-loader", l, n * sizeof(l[0]), err)
		? -1
		: 0;
out:
	free(buf);
	return r;
}

int firmware_fw_cfg(struct fw_cfg *cfg, const struct guest_mem *gm, unsigned ncpus,
		    struct berth_error *err)
{
	uint16_t cpus = htole16((uint16_t)ncpus), nographic = htole16(1), no = 0;
	uint64_t ram = htole64(gm->size), zero = 0;
	uint16_t sercon = htole16(PORT_COM1);
	uint32_t fail_wait = htole32(FIRMWARE_BOOT_FAIL_WAIT);
	/* The first PCI device, 00:01.0, is the first disk: virtio-blk 0. */
	static const char bootorder[] = "/pci@i0cf8/*@1\n";

	if (fw_cfg_add(cfg, FW_CFG_NB_CPUS, &cpus, 2, err) ||
	    fw_cfg_add(cfg, FW_CFG_MAX_CPUS, &cpus, 2, err) ||
	    fw_cfg_add(cfg, FW_CFG_RAM_SIZE, &ram, 8, err) ||
	    fw_cfg_add(cfg, FW_CFG_NOGRAPHIC, &nographic, 2, err) ||
	    fw_cfg_add(cfg, FW_CFG_BOOT_MENU, &no, 2, err) ||
	    fw_cfg_add(cfg, FW_CFG_NUMA, &zero, 8, err) || firmware_e820(cfg, gm, err) ||
	    fw_cfg_add_file(cfg, "etc/sercon-port", &sercon, 2, err) ||
	    fw_cfg_add_file(cfg, "etc/boot-fail-wait", &fail_wait, 4, err) ||
	    fw_cfg_add_file(cfg, "bootorder", bootorder, sizeof(bootorder), err) ||
	    firmware_acpi(cfg, ncpus, err))
		return -1;
	return 0;
}
