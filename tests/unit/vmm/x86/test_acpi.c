/* Unit tests for src/vmm/x86/acpi.c and aml.c: tables a guest's ACPI driver will accept. */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "vmm/x86/acpi.h"
#include "vmm/x86/aml.h"
#include "vmm/x86/layout.h"

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

static const uint8_t *table(const struct guest_mem *gm, uint64_t addr, const char *sig)
{
	const uint8_t *t = gm_ptr(gm, addr, 36);
	uint32_t len;

	assert_non_null(t);
	assert_memory_equal(t, sig, 4);
	memcpy(&len, t + 4, 4);
	assert_non_null(gm_ptr(gm, addr, len));
	assert_int_equal(sum(t, len), 0);
	return t;
}

static const uint8_t *find(const uint8_t *hay, size_t n, const void *needle, size_t m)
{
	size_t i;

	for (i = 0; i + m <= n; i++)
		if (!memcmp(hay + i, needle, m))
			return hay + i;
	return NULL;
}

static void tables_for(unsigned ncpus)
{
	struct berth_error err;
	struct guest_mem gm;
	uint8_t *ram = calloc(1, 2 << 20);
	const uint8_t *rsdp, *xsdt, *fadt, *madt, *dsdt, *mcfg;
	uint64_t rsdp_addr, x, e0, e1, e2, ecam;
	uint32_t dsdt32, len, pm1a_cnt;
	unsigned i, lapics = 0;
	static const uint8_t s5[] = { 0x08, 0x5c, '_',	'S',  '5',  '_',  0x12, 0x08,
				      0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00 };

	gm_init_from(&gm, ram, 2 << 20);
	assert_int_equal(acpi_build(&gm, ncpus, 0, &rsdp_addr, &err), 0);
	assert_int_equal(rsdp_addr, LAYOUT_ACPI);
	rsdp = gm_ptr(&gm, rsdp_addr, 36);
	assert_memory_equal(rsdp, "RSD PTR ", 8);
	assert_int_equal(sum(rsdp, 20), 0);
	assert_int_equal(sum(rsdp, 36), 0);
	assert_int_equal(rsdp[15], 2);
	memcpy(&x, rsdp + 24, 8);
	xsdt = table(&gm, x, "XSDT");
	memcpy(&e0, xsdt + 36, 8);
	memcpy(&e1, xsdt + 44, 8);
	memcpy(&e2, xsdt + 52, 8);
	memcpy(&len, xsdt + 4, 4);
	assert_int_equal(len, 36 + 3 * 8);
	fadt = table(&gm, e0, "FACP");
	madt = table(&gm, e1, "APIC");
	memcpy(&dsdt32, fadt + 40, 4);
	memcpy(&x, fadt + 140, 8);
	assert_int_equal(dsdt32, x);
	dsdt = table(&gm, x, "DSDT");
	memcpy(&len, dsdt + 4, 4);
	assert_non_null(find(dsdt, len, s5, sizeof(s5)));
	assert_non_null(find(dsdt, len, "QEMU0001", 8));
	assert_non_null(find(dsdt, len, "PNP0A08", 8));
	assert_non_null(find(dsdt, len, "PNP0C02", 8));
	/* MCFG: one allocation, ECAM for segment 0, buses 0-0. */
	mcfg = table(&gm, e2, "MCFG");
	memcpy(&len, mcfg + 4, 4);
	assert_int_equal(len, 44 + 16);
	memcpy(&ecam, mcfg + 44, 8);
	assert_int_equal(ecam, LAYOUT_PCI_ECAM);
	assert_int_equal(mcfg[52] | mcfg[53] << 8, 0);
	assert_int_equal(mcfg[54], 0);
	assert_int_equal(mcfg[55], 0);
	memcpy(&pm1a_cnt, fadt + 64, 4);
	assert_int_equal(pm1a_cnt, PORT_ACPI_PM + 4);
	assert_int_equal(fadt[46], IRQ_SCI);
	/* One enabled local APIC per CPU, with ids 0..n-1. */
	memcpy(&len, madt + 4, 4);
	for (i = 44; i < len; i += madt[i + 1]) {
		assert_true(madt[i + 1] >= 2);
		if (madt[i] == 0) {
			assert_int_equal(madt[i + 3], lapics);
			assert_int_equal(madt[i + 4] & 1, 1);
			lapics++;
		}
	}
	assert_int_equal(i, len);
	assert_int_equal(lapics, ncpus);
	free(ram);
}

static void one_cpu(void **state)
{
	(void)state;
	tables_for(1);
}

static void many_cpus(void **state)
{
	(void)state;
	tables_for(2);
	tables_for(255);
}

static void bad_cpu_count(void **state)
{
	struct berth_error err;
	struct guest_mem gm;
	uint8_t *ram = calloc(1, 2 << 20);
	uint64_t r;

	(void)state;
	gm_init_from(&gm, ram, 2 << 20);
	assert_int_equal(acpi_build(&gm, 0, 0, &r, &err), -1);
	assert_int_equal(acpi_build(&gm, 300, 0, &r, &err), -1);
	gm_init_from(&gm, ram, 512 << 10); /* no room for the ACPI window */
	assert_int_equal(acpi_build(&gm, 1, 0, &r, &err), -1);
	assert_contains(err.msg, "do not fit");
	free(ram);
}

static void aml_package_lengths(void **state)
{
	struct aml a;
	unsigned i;

	(void)state;
	aml_init(&a);
	aml_package(&a, 40);
	for (i = 0; i < 40; i++)
		aml_int(&a, 0x1234); /* 3 bytes each: 121 bytes inside, a 2-byte PkgLength */
	aml_end(&a);
	assert_false(a.overflow);
	assert_int_equal(a.buf[0], 0x12);
	assert_int_equal(a.len, 1 + 2 + 1 + 120);
	assert_int_equal(a.buf[1], 0x40 | ((123) & 0xf));
	assert_int_equal(a.buf[2], 123 >> 4);
	aml_init(&a);
	aml_name(&a, "\\_SB_.PCI0.S08_");
	assert_int_equal(a.buf[0], 0x5c);
	assert_int_equal(a.buf[1], 0x2f);
	assert_int_equal(a.buf[2], 3);
	assert_memory_equal(a.buf + 3, "_SB_PCI0S08_", 12);
	aml_init(&a);
	aml_end(&a); /* nothing open */
	assert_true(a.overflow);
}

/* Write the table at addr to dir/name. */
static void dump(const struct guest_mem *gm, uint64_t addr, const char *dir, const char *name)
{
	char path[256];
	uint32_t len;
	FILE *f;

	memcpy(&len, gm_ptr(gm, addr, 8) + 4, 4);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(gm_ptr(gm, addr, len), 1, len, f), len);
	fclose(f);
}

/* Whether file dir/name contains needle. */
static int file_has(const char *dir, const char *name, const char *needle)
{
	static char text[1 << 17];
	char path[256];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = 0;
	return strstr(text, needle) != NULL;
}

/* ACPICA's disassembler (acpica-tools) reads the DSDT and MCFG back as what they should say,
 * and its compiler accepts the disassembly without a warning. */
static void iasl_reads_tables(void **state)
{
	static const char *const dsdt_says[] = {
		"Device (PCI0)",
		"\"PNP0A08\"",
		"\"PNP0A03\"",
		"Name (_SEG, Zero)",
		"Name (_BBN, Zero)",
		"WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode",
		"0x0CF8,             // Range Minimum",
		"0xC0000000,         // Range Minimum",
		"0xDFFFFFFF,         // Range Maximum",
		"Name (_PRT, Package (0x80)",
		"0x001FFFFF",
		"Device (MRES)",
		"\"PNP0C02\"",
		"Memory32Fixed (ReadWrite,\n                    0xE0000000",
		"Name (\\_S5, Package (0x04)",
	};
	char dir[] = "/tmp/berth-acpi.XXXXXX", cmd[512];
	struct berth_error err;
	struct guest_mem gm;
	uint8_t *ram = calloc(1, 2 << 20);
	uint64_t rsdp, xsdt, fadt, madt, mcfg;
	uint32_t dsdt;
	unsigned i;

	(void)state;
	if (system("command -v iasl >/dev/null") != 0) {
		free(ram);
		skip(); /* scripts/packages/tests.txt installs it */
	}
	gm_init_from(&gm, ram, 2 << 20);
	assert_int_equal(acpi_build(&gm, 2, 0, &rsdp, &err), 0);
	memcpy(&xsdt, ram + rsdp + 24, 8);
	memcpy(&fadt, ram + xsdt + 36, 8);
	memcpy(&madt, ram + xsdt + 44, 8);
	memcpy(&mcfg, ram + xsdt + 52, 8);
	memcpy(&dsdt, ram + fadt + 40, 4);
	assert_non_null(mkdtemp(dir));
	dump(&gm, dsdt, dir, "dsdt.dat");
	dump(&gm, mcfg, dir, "mcfg.dat");
	dump(&gm, madt, dir, "apic.dat");
	snprintf(
	    cmd, sizeof(cmd),
	    "cd %s && iasl -d dsdt.dat mcfg.dat apic.dat >log 2>&1 && iasl dsdt.dsl >>log 2>&1",
	    dir);
	assert_int_equal(system(cmd), 0);
	assert_true(file_has(dir, "log", "0 Errors, 0 Warnings"));
	for (i = 0; i < sizeof(dsdt_says) / sizeof(dsdt_says[0]); i++)
		if (!file_has(dir, "dsdt.dsl", dsdt_says[i]))
			fail_msg("disassembled DSDT in %s lacks: %s", dir, dsdt_says[i]);
	assert_true(file_has(dir, "mcfg.dsl", "Base Address : 00000000E0000000"));
	assert_true(file_has(dir, "mcfg.dsl", "End Bus Number : 00"));
	assert_true(file_has(dir, "apic.dsl", "Processor Local APIC"));
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	free(ram);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_cpu),	     cmocka_unit_test(many_cpus),
		cmocka_unit_test(bad_cpu_count),     cmocka_unit_test(aml_package_lengths),
		cmocka_unit_test(iasl_reads_tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
