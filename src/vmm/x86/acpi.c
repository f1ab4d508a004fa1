/* acpi.c - build ACPI tables in guest memory (ACPI 6.x, legacy fixed hardware). */
#include "acpi.h"

#include <stddef.h>
#include <string.h>

#include "aml.h"
#include "layout.h"
#include "vmm/pci/pci.h"

struct acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision, checksum;
	char oem_id[6], oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
} __attribute__((packed));

struct acpi_rsdp {
	char signature[8];
	uint8_t checksum;
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt;
	uint32_t length;
	uint64_t xsdt;
	uint8_t ext_checksum, reserved[3];
} __attribute__((packed));

struct acpi_gas { /* generic address structure */
	uint8_t space, bit_width, bit_offset, access_size;
	uint64_t address;
} __attribute__((packed));

struct acpi_fadt {
	struct acpi_header h;
	uint32_t facs, dsdt;
	uint8_t reserved0, pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	uint32_t pm1a_evt_blk, pm1b_evt_blk, pm1a_cnt_blk, pm1b_cnt_blk, pm2_cnt_blk, pm_tmr_blk;
	uint32_t gpe0_blk, gpe1_blk;
	uint8_t pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len, gpe0_blk_len, gpe1_blk_len;
	uint8_t gpe1_base, cst_cnt;
	uint16_t p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
	uint8_t duty_offset, duty_width, day_alrm, mon_alrm, century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_facs, x_dsdt;
	struct acpi_gas x_pm1a_evt_blk, x_pm1b_evt_blk, x_pm1a_cnt_blk, x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk, x_pm_tmr_blk, x_gpe0_blk, x_gpe1_blk;
	struct acpi_gas sleep_control, sleep_status;
	uint64_t hypervisor_id;
} __attribute__((packed));

_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT layout");
_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP layout");

#define FADT_F_WBINVD	   (1u << 0)
#define FADT_F_SLP_BUTTON  (1u << 5) /* no fixed-feature sleep button */
#define FADT_F_TMR_VAL_EXT (1u << 8) /* the PM timer counts 32 bits */
#define IAPC_8042	   (1u << 1)
#define IAPC_VGA_ABSENT	   (1u << 2)
#define IAPC_NO_CMOS_RTC   (1u << 5)

#define MADT_LAPIC	0
#define MADT_IOAPIC	1
#define MADT_ISO	2
#define MADT_LAPIC_NMI	4
#define MPS_ACTIVE_HIGH 0x1
#define MPS_LEVEL	0xC

static uint8_t acpi_sum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (n--)
		s += *b++;
	return s;
}

static void acpi_header_init(struct acpi_header *h, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(h->signature, sig, 4);
	h->length = len;
	h->revision = rev;
	memcpy(h->oem_id, "BERTH ", 6);
	memcpy(h->oem_table_id, "BERTHVMM", 8);
	h->oem_revision = 1;
	memcpy(h->creator_id, "BRTH", 4);
	h->creator_revision = 1;
}

/* Table writer: places tables one after another, 16-byte aligned, in the ACPI window,
 * noting each table and pointer field for firmware that relocates them (fix may be NULL). */
struct acpi_writer {
	const struct guest_mem *gm;
	uint64_t next;
	int failed;
	unsigned flags; /* ACPI_* */
	struct acpi_fixups *fix;
};

static void acpi_note_pointer(struct acpi_writer *w, uint64_t at, uint8_t size)
{
	if (!w->fix)
		return;
	if (w->fix->npointers == ACPI_MAX_FIXUPS) {
		w->failed = 1;
		return;
	}
	w->fix->pointers[w->fix->npointers++] = (struct acpi_fixup){ .at = at, .size = size };
}

static uint64_t acpi_put(struct acpi_writer *w, void *table, uint32_t len)
{
	struct acpi_header *h = table;
	uint64_t at = w->next;

	h->checksum = 0;
	h->checksum = (uint8_t)-acpi_sum(table, len);
	if (at + len > LAYOUT_ACPI_END || gm_write(w->gm, at, table, len)) {
		w->failed = 1;
		return 0;
	}
	w->next = (at + len + 15) & ~15ULL;
	if (w->fix && w->fix->ntables < ACPI_MAX_FIXUPS)
		w->fix->tables[w->fix->ntables++] = (struct acpi_fixup){ .at = at, .len = len };
	else if (w->fix)
		w->failed = 1;
	return at;
}

/* Device(PCI0): the host bridge of bus 0, its windows and where its INTx lines go. */
static void acpi_dsdt_pci(struct aml *a)
{
	unsigned slot, pin;

	aml_device(a, "PCI0");
	aml_name_decl(a, "_HID");
	aml_string(a, "PNP0A08"); /* PCI Express root bridge: extended config space via MCFG */
	aml_name_decl(a, "_CID");
	aml_string(a, "PNP0A03");
	aml_name_decl(a, "_SEG");
	aml_int(a, 0);
	aml_name_decl(a, "_BBN");
	aml_int(a, 0);
	aml_name_decl(a, "_UID");
	aml_int(a, 0);
	aml_name_decl(a, "_CRS");
	aml_buffer(a);
	aml_res_bus(a, 0, 0);
	aml_res_io(a, PORT_PCI_CONF, 8);
	aml_res_mem_window(a, (uint32_t)LAYOUT_PCI_MMIO, (uint32_t)LAYOUT_PCI_MMIO_SIZE);
	aml_res_mem_window(a, (uint32_t)LAYOUT_PCI_MMIO_HIGH, (uint32_t)LAYOUT_PCI_MMIO_HIGH_SIZE);
	aml_res_end(a);
	aml_end(a); /* buffer */
	/* _PRT: INTA# of slot s is PCI_INTX_GSI(s); INTB#-INTD# rotate on from there, as a
	 * bridge's swizzle would, so the lines of one multi-pin device are spread out. */
	aml_name_decl(a, "_PRT");
	aml_package(a, PCI_MAX_SLOTS * 4);
	for (slot = 0; slot < PCI_MAX_SLOTS; slot++) {
		for (pin = 0; pin < 4; pin++) {
			aml_package(a, 4);
			aml_int(a, (uint64_t)slot << 16 | 0xffff); /* any function of the slot */
			aml_int(a, pin);
			aml_int(a, 0); /* no link device: the last field is the GSI */
			aml_int(a, PCI_INTX_GSI(slot + pin));
			aml_end(a);
		}
	}
	aml_end(a); /* _PRT */
	aml_end(a); /* device */
}

static int acpi_dsdt(struct aml *a)
{
	aml_init(a);
	aml_scope(a, "\\_SB_");
	acpi_dsdt_pci(a);
	/* Motherboard resources: the ECAM area, which Linux uses only once it is reserved here. */
	aml_device(a, "MRES");
	aml_name_decl(a, "_HID");
	aml_string(a, "PNP0C02");
	aml_name_decl(a, "_CRS");
	aml_buffer(a);
	aml_res_mem32(a, (uint32_t)LAYOUT_PCI_ECAM, (uint32_t)LAYOUT_PCI_ECAM_SIZE);
	aml_res_end(a);
	aml_end(a); /* buffer */
	aml_end(a); /* device */
	/* pvpanic: the guest writes 1 to this port when its kernel panics. */
	aml_device(a, "PEVT");
	aml_name_decl(a, "_HID");
	aml_string(a, "QEMU0001");
	aml_name_decl(a, "_CRS");
	aml_buffer(a);
	aml_res_io(a, PORT_PVPANIC, 1);
	aml_res_end(a);
	aml_end(a); /* buffer */
	aml_end(a); /* device */
	aml_end(a); /* scope */
	/* \_S5: the sleep type the guest writes to PM1a_CNT to power off. */
	aml_name_decl(a, "\\_S5_");
	aml_package(a, 4);
	aml_int(a, ACPI_S5_TYPE);
	aml_int(a, ACPI_S5_TYPE);
	aml_int(a, 0);
	aml_int(a, 0);
	aml_end(a);
	return a->overflow ? -1 : 0;
}

static uint64_t acpi_put_dsdt(struct acpi_writer *w)
{
	struct {
		struct acpi_header h;
		uint8_t aml[AML_MAX];
	} __attribute__((packed)) t;
	struct aml a;

	if (acpi_dsdt(&a)) {
		w->failed = 1;
		return 0;
	}
	memset(&t.h, 0, sizeof(t.h));
	acpi_header_init(&t.h, "DSDT", sizeof(t.h) + a.len, 2);
	memcpy(t.aml, a.buf, a.len);
	return acpi_put(w, &t, t.h.length);
}

static uint64_t acpi_put_fadt(struct acpi_writer *w, uint64_t dsdt)
{
	struct acpi_fadt f;
	uint64_t at;

	memset(&f, 0, sizeof(f));
	acpi_header_init(&f.h, "FACP", sizeof(f), 6);
	f.dsdt = (uint32_t)dsdt;
	f.x_dsdt = dsdt;
	f.sci_int = IRQ_SCI;
	f.pm1a_evt_blk = PORT_ACPI_PM;
	f.pm1a_cnt_blk = PORT_ACPI_PM + 4;
	f.pm1_evt_len = 4;
	f.pm1_cnt_len = 2;
	f.x_pm1a_evt_blk =
	    (struct acpi_gas){ .space = 1, .bit_width = 32, .address = PORT_ACPI_PM };
	f.x_pm1a_cnt_blk =
	    (struct acpi_gas){ .space = 1, .bit_width = 16, .address = PORT_ACPI_PM + 4 };
	/* No SMI_CMD: the platform is always in ACPI mode. The power button is fixed-feature. */
	f.flags = FADT_F_WBINVD | FADT_F_SLP_BUTTON;
	/* No i8042 (the reset port alone is modelled), no VGA, no CMOS RTC (kvmclock keeps time).
	 */
	f.iapc_boot_arch = IAPC_VGA_ABSENT | IAPC_NO_CMOS_RTC;
	if (w->flags &
	    ACPI_FIRMWARE) { /* the firmware's machine has the PM timer and the CMOS clock */
		f.pm_tmr_blk = PORT_ACPI_PM + 8;
		f.pm_tmr_len = 4;
		f.x_pm_tmr_blk =
		    (struct acpi_gas){ .space = 1, .bit_width = 32, .address = PORT_ACPI_PM + 8 };
		f.flags |= FADT_F_TMR_VAL_EXT;
		f.iapc_boot_arch = IAPC_VGA_ABSENT;
		f.century = 0x32;
	}
	if (w->flags & ACPI_I8042) /* Linux probes the i8042 only when this says it is there */
		f.iapc_boot_arch |= IAPC_8042;
	f.minor_version = 0;
	at = acpi_put(w, &f, sizeof(f));
	acpi_note_pointer(w, at + offsetof(struct acpi_fadt, dsdt), 4);
	acpi_note_pointer(w, at + offsetof(struct acpi_fadt, x_dsdt), 8);
	return at;
}

static uint64_t acpi_put_madt(struct acpi_writer *w, unsigned ncpus)
{
	uint8_t t[44 + 8 * 256 + 12 + 2 * 10 + 6];
	struct acpi_header *h = (struct acpi_header *)t;
	size_t n = 44;
	unsigned i;

	memset(t, 0, sizeof(t));
	*(uint32_t *)(t + 36) = (uint32_t)LAYOUT_LAPIC;
	*(uint32_t *)(t + 40) = 1; /* PCAT_COMPAT: there are 8259 PICs too */
	for (i = 0; i < ncpus; i++) {
		const uint8_t e[8] = { MADT_LAPIC, 8, (uint8_t)i, (uint8_t)i, 1 /* enabled */ };

		memcpy(t + n, e, sizeof(e));
		n += sizeof(e);
	}
	{
		const uint8_t io[12] = { MADT_IOAPIC,
					 12,
					 0 /* id */,
					 0,
					 (uint8_t)LAYOUT_IOAPIC,
					 (uint8_t)(LAYOUT_IOAPIC >> 8),
					 (uint8_t)(LAYOUT_IOAPIC >> 16),
					 (uint8_t)(LAYOUT_IOAPIC >> 24),
					 0,
					 0,
					 0,
					 0 };
		/* The PIT's IRQ 0 reaches IOAPIC pin 2 in KVM; the SCI is level-triggered. */
		const uint8_t iso0[10] = { MADT_ISO, 10, 0, 0, 2, 0, 0, 0, 0, 0 };
		const uint8_t iso9[10] = {
			MADT_ISO, 10, 0, IRQ_SCI, IRQ_SCI, 0, 0, 0, MPS_ACTIVE_HIGH | MPS_LEVEL, 0
		};
		const uint8_t
		    nmi[6] = { MADT_LAPIC_NMI, 6, 0xff /* all CPUs */, 0, 0, 1 /* LINT1 */ };

		memcpy(t + n, io, sizeof(io));
		n += sizeof(io);
		memcpy(t + n, iso0, sizeof(iso0));
		n += sizeof(iso0);
		memcpy(t + n, iso9, sizeof(iso9));
		n += sizeof(iso9);
		memcpy(t + n, nmi, sizeof(nmi));
		n += sizeof(nmi);
	}
	acpi_header_init(h, "APIC", (uint32_t)n, 5);
	return acpi_put(w, t, (uint32_t)n);
}

/* MCFG: where ECAM lies for segment 0, buses 0-0. */
static uint64_t acpi_put_mcfg(struct acpi_writer *w)
{
	struct {
		struct acpi_header h;
		uint64_t reserved;
		uint64_t base;
		uint16_t segment;
		uint8_t start_bus, end_bus;
		uint32_t reserved1;
	} __attribute__((packed)) t;

	memset(&t, 0, sizeof(t));
	acpi_header_init(&t.h, "MCFG", sizeof(t), 1);
	t.base = LAYOUT_PCI_ECAM;
	t.end_bus = (uint8_t)((LAYOUT_PCI_ECAM_SIZE >> 20) - 1);
	return acpi_put(w, &t, sizeof(t));
}

int acpi_build_for(const struct guest_mem *gm, unsigned ncpus, unsigned flags,
		   struct acpi_fixups *fix, uint64_t *rsdp_addr, struct berth_error *err)
{
	struct acpi_writer w = { .gm = gm, .next = LAYOUT_ACPI_TABLES, .flags = flags, .fix = fix };
	struct {
		struct acpi_header h;
		uint64_t entries[3];
	} __attribute__((packed)) xsdt;
	struct acpi_rsdp rsdp;
	uint64_t dsdt, at;
	unsigned i;

	if (ncpus == 0 || ncpus > 256)
		return berr(err, 0, "ACPI tables: %u CPUs is out of range", ncpus);
	if (fix)
		memset(fix, 0, sizeof(*fix));
	dsdt = acpi_put_dsdt(&w);
	memset(&xsdt, 0, sizeof(xsdt));
	acpi_header_init(&xsdt.h, "XSDT", sizeof(xsdt), 1);
	xsdt.entries[0] = acpi_put_fadt(&w, dsdt);
	xsdt.entries[1] = acpi_put_madt(&w, ncpus);
	xsdt.entries[2] = acpi_put_mcfg(&w);

	memset(&rsdp, 0, sizeof(rsdp));
	memcpy(rsdp.signature, "RSD PTR ", 8);
	memcpy(rsdp.oem_id, "BERTH ", 6);
	rsdp.revision = 2;
	rsdp.length = sizeof(rsdp);
	rsdp.xsdt = at = acpi_put(&w, &xsdt, sizeof(xsdt));
	for (i = 0; i < 3; i++)
		acpi_note_pointer(&w, at + offsetof(typeof(xsdt), entries) + 8 * i, 8);
	rsdp.checksum = (uint8_t)-acpi_sum(&rsdp, 20);
	rsdp.ext_checksum = (uint8_t)-acpi_sum(&rsdp, sizeof(rsdp));
	if (w.failed || gm_write(gm, LAYOUT_ACPI, &rsdp, sizeof(rsdp)))
		return berr(err, 0, "ACPI tables do not fit in guest memory");
	if (fix)
		fix->end = w.next;
	*rsdp_addr = LAYOUT_ACPI;
	return 0;
}

int acpi_build(const struct guest_mem *gm, unsigned ncpus, unsigned flags, uint64_t *rsdp_addr,
	       struct berth_error *err)
{
	return acpi_build_for(gm, ncpus, flags & ~ACPI_FIRMWARE, NULL, rsdp_addr, err);
}
