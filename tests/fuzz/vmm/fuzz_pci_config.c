/* fuzz_pci_config.c - libFuzzer target: a hostile guest's config and BAR accesses on bus 0.
 *
 * The bus holds the host bridge and two devices with BARs and capabilities. The input is a
 * list of 8-byte operations: a conf1 port access, an ECAM access, a BAR-window access, a
 * device changing its INTx level, or a bus reset. After each one the bus must hold its
 * promises: devices see BAR accesses only inside their BARs, BARs decode only inside the
 * windows, and each INTx line is up exactly while some unmasked device asserts it. */
#include <stdlib.h>
#include <string.h>

#include "vmm/pci/pci.h"
#include "vmm/x86/layout.h"

#define FUZZ_OP	     8
#define FUZZ_MAX_OPS 512
#define FUZZ_NDEVS   2

struct fuzz_machine {
	struct machine m;
	int level[PCI_INTX_GSI_BASE + PCI_INTX_GSIS];
};

static struct fuzz_machine fm;

static void fuzz_set_irq(struct machine *m, unsigned gsi, int level)
{
	struct fuzz_machine *f = (struct fuzz_machine *)m;

	if (gsi < PCI_INTX_GSI_BASE || gsi >= PCI_INTX_GSI_BASE + PCI_INTX_GSIS ||
	    f->level[gsi] == level)
		abort(); /* a line driven that is not PCI's, or to the level it already has */
	f->level[gsi] = level;
}

static void fuzz_request(struct machine *m, enum machine_request req)
{
	if (m != &fm.m || req != MACHINE_RESET)
		abort(); /* only 0xCF9's reset bit asks anything of the machine */
}

static void fuzz_bar_access(struct pci_dev *d, unsigned bar, uint64_t off, uint8_t *data,
			    uint32_t len, bool is_write)
{
	if (bar >= PCI_NUM_BARS || !d->bar_size[bar] || len == 0 || len > 8 ||
	    off + len > d->bar_size[bar])
		abort();
	if (!is_write)
		memset(data, (int)off, len);
}

static void fuzz_bar_mapped(struct pci_dev *d, unsigned bar, uint64_t addr)
{
	if (bar >= PCI_NUM_BARS || !d->bar_size[bar] || addr % d->bar_size[bar])
		abort();
	if (addr &&
	    (addr < LAYOUT_PCI_MMIO ||
	     addr + d->bar_size[bar] > LAYOUT_PCI_MMIO + LAYOUT_PCI_MMIO_SIZE) &&
	    (addr < LAYOUT_PCI_MMIO_HIGH ||
	     addr + d->bar_size[bar] > LAYOUT_PCI_MMIO_HIGH + LAYOUT_PCI_MMIO_HIGH_SIZE))
		abort();
}

static const struct pci_dev_ops fuzz_ops = {
	.bar_access = fuzz_bar_access,
	.bar_mapped = fuzz_bar_mapped,
};

/* The bus must keep each line up exactly while an unmasked device asserts it. */
static void fuzz_check_lines(struct pci_dev *const *devs)
{
	unsigned g, i, want;

	for (g = 0; g < PCI_INTX_GSIS; g++) {
		for (want = 0, i = 0; i < FUZZ_NDEVS; i++)
			want |= devs[i]->intx_gsi == PCI_INTX_GSI_BASE + g && devs[i]->intx_level &&
				!(pci_get16(devs[i]->cfg + PCI_COMMAND) & PCI_COMMAND_INTX_OFF);
		if ((unsigned)fm.level[PCI_INTX_GSI_BASE + g] != want)
			abort();
	}
}

static void fuzz_op(struct pci_bus *pci, struct bus *pio, struct bus *mmio,
		    struct pci_dev *const *devs, const uint8_t *op)
{
	static const uint32_t lens[] = { 1, 2, 4, 8, 3, 1, 2, 4 };
	uint32_t len = lens[op[1] & 7], off = pci_get32(op + 2);
	bool is_write = op[1] & 8;
	uint8_t data[8];

	memcpy(data, op + 2, 6);
	memcpy(data + 6, op, 2);
	switch (op[0] % 6) {
	case 0: /* the address register, mostly as a driver writes it */
		pci_put32(data, 0x80000000u | (off & 0x7fffffff));
		bus_dispatch(pio, PORT_PCI_CONF, data, 4, true);
		break;
	case 1:
		bus_dispatch(pio, PORT_PCI_CONF + (op[1] >> 4) % 8, data, len, is_write);
		break;
	case 2:
		bus_dispatch(mmio, LAYOUT_PCI_ECAM + off % LAYOUT_PCI_ECAM_SIZE, data, len,
			     is_write);
		break;
	case 3:
		bus_dispatch(mmio, LAYOUT_PCI_MMIO + off % LAYOUT_PCI_MMIO_SIZE, data, len,
			     is_write);
		break;
	case 4:
		pci_set_intx(devs[op[1] % FUZZ_NDEVS], op[2] & 1);
		break;
	default:
		if (op[1] == 0xff) { /* rarely: a guest reset; the next boot's lines start low */
			pci_bus_reset(pci);
			memset(fm.level, 0, sizeof(fm.level));
		}
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pci_bus pci;
	static struct pci_dev a, b;
	static struct bus pio, mmio;
	struct pci_dev *const devs[FUZZ_NDEVS] = { &a, &b };
	const uint8_t vndr[6] = { 1, 2, 3, 4, 5, 6 }, msix[10] = { 0 };
	struct berth_error err;
	size_t i;

	memset(&fm, 0, sizeof(fm));
	fm.m.set_irq = fuzz_set_irq;
	fm.m.request = fuzz_request;
	pci_bus_init(&pci, &fm.m);
	bus_init(&pio, "port");
	bus_init(&mmio, "mmio");
	mmio.nlogged = BUS_MAX_LOGGED + 1; /* past the log's limit: window misses stay quiet */
	pci_dev_init(&a, &fuzz_ops, 0x1af4, 0x1041, 0x020000, 0x1af4, 1);
	pci_dev_set_bar(&a, 0, 4096);
	pci_dev_set_bar(&a, 4, 1u << 20);
	pci_dev_init(&b, &fuzz_ops, 0x1af4, 0x1042, 0x018000, 0x1af4, 2);
	pci_dev_set_bar(&b, 1, 64 << 10);
	b.wmask[pci_add_cap(&b, PCI_CAP_ID_VNDR, vndr, sizeof(vndr)) + 3] = 0xff;
	b.wmask[pci_add_cap(&b, PCI_CAP_ID_MSIX, msix, sizeof(msix)) + 3] = 0xc0;
	if (pci_bus_add(&pci, &a, &err) || pci_bus_add(&pci, &b, &err) ||
	    pci_bus_register(&pci, &pio, &mmio, &err))
		abort();
	pci_bus_reset(&pci);
	for (i = 0; i + FUZZ_OP <= size && i < FUZZ_MAX_OPS * FUZZ_OP; i += FUZZ_OP) {
		fuzz_op(&pci, &pio, &mmio, devs, data + i);
		fuzz_check_lines(devs);
	}
	pci_bus_destroy(&pci);
	pthread_mutex_destroy(&pio.log_lock);
	pthread_mutex_destroy(&mmio.log_lock);
	return 0;
}
