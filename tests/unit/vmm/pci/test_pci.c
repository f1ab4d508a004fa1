/* Unit tests for src/vmm/pci: config space through conf1 and ECAM as a hostile guest drives
 * them, BAR sizing, moving and decoding, capabilities, shared INTx lines, a full window. */
#include "testlib.h"

#include "vmm/pci/pci.h"
#include "vmm/x86/layout.h"

struct fake_machine {
	struct machine m;
	int level[24];
	unsigned calls, resets;
};

static void fake_request(struct machine *m, enum machine_request req)
{
	assert_int_equal(req, MACHINE_RESET);
	((struct fake_machine *)m)->resets++;
}

static void fake_set_irq(struct machine *m, unsigned gsi, int level)
{
	struct fake_machine *f = (struct fake_machine *)m;

	assert_true(gsi < 24);
	f->level[gsi] = level;
	f->calls++;
}

struct tdev {
	struct pci_dev pci;
	uint64_t mapped[PCI_NUM_BARS]; /* last bar_mapped address per BAR */
	unsigned nmapped, accesses, written;
	unsigned last_bar;
	uint64_t last_off;
	uint32_t last_len;
};

static void tdev_bar_access(struct pci_dev *d, unsigned bar, uint64_t off, uint8_t *data,
			    uint32_t len, bool is_write)
{
	struct tdev *t = (struct tdev *)d;
	uint32_t i;

	assert_true(bar < PCI_NUM_BARS);
	assert_true(off + len <= d->bar_size[bar]);
	t->accesses++;
	t->last_bar = bar;
	t->last_off = off;
	t->last_len = len;
	for (i = 0; !is_write && i < len; i++)
		data[i] = (uint8_t)(bar << 4 | ((off + i) & 0xf));
}

static void tdev_bar_mapped(struct pci_dev *d, unsigned bar, uint64_t addr)
{
	struct tdev *t = (struct tdev *)d;

	t->mapped[bar] = addr;
	t->nmapped++;
}

static void tdev_config_written(struct pci_dev *d, uint32_t off, uint32_t len)
{
	(void)off;
	(void)len;
	((struct tdev *)d)->written++;
}

static const struct pci_dev_ops tdev_ops = {
	.bar_access = tdev_bar_access,
	.config_written = tdev_config_written,
	.bar_mapped = tdev_bar_mapped,
};

struct rig {
	struct fake_machine fm;
	struct pci_bus pci;
	struct bus pio, mmio;
};

static void rig_init(struct rig *r)
{
	struct berth_error err;

	memset(r, 0, sizeof(*r));
	r->fm.m.set_irq = fake_set_irq;
	r->fm.m.request = fake_request;
	pci_bus_init(&r->pci, &r->fm.m);
	bus_init(&r->pio, "port");
	bus_init(&r->mmio, "mmio");
	assert_int_equal(pci_bus_register(&r->pci, &r->pio, &r->mmio, &err), 0);
}

static void tdev_init(struct tdev *t, uint32_t bar0, uint32_t bar2)
{
	memset(t, 0, sizeof(*t));
	pci_dev_init(&t->pci, &tdev_ops, 0x1af4, 0x1042, 0x018000, 0x1af4, 0x0002);
	pci_dev_set_bar(&t->pci, 0, bar0);
	pci_dev_set_bar(&t->pci, 2, bar2);
}

static void add(struct rig *r, struct tdev *t)
{
	struct berth_error err;

	assert_int_equal(pci_bus_add(&r->pci, &t->pci, &err), 0);
}

static uint32_t io(struct bus *bus, uint64_t addr, uint32_t len, bool is_write, uint32_t v)
{
	uint8_t data[8];
	uint32_t r = 0, i;

	memset(data, 0xaa, sizeof(data));
	pci_put32(data, v);

	assert_true(bus_dispatch(bus, addr, data, len, is_write));
	for (i = 0; i < len && i < 4; i++)
		r |= (uint32_t)data[i] << 8 * i;
	return r;
}

static void conf1_select(struct rig *r, unsigned busno, unsigned slot, unsigned fn, unsigned reg)
{
	io(&r->pio, 0xCF8, 4, true,
	   0x80000000u | busno << 16 | slot << 11 | fn << 8 | (reg & 0xfc));
}

static uint32_t conf1_read(struct rig *r, unsigned slot, unsigned reg, uint32_t len)
{
	conf1_select(r, 0, slot, 0, reg);
	return io(&r->pio, 0xCFC + (reg & 3), len, false, 0);
}

static void conf1_write(struct rig *r, unsigned slot, unsigned reg, uint32_t len, uint32_t v)
{
	conf1_select(r, 0, slot, 0, reg);
	io(&r->pio, 0xCFC + (reg & 3), len, true, v);
}

static uint64_t ecam(unsigned slot, unsigned fn, unsigned reg)
{
	return LAYOUT_PCI_ECAM + ((uint64_t)slot << 15 | fn << 12 | reg);
}

static uint32_t ecam_read(struct rig *r, unsigned slot, unsigned reg, uint32_t len)
{
	return io(&r->mmio, ecam(slot, 0, reg), len, false, 0);
}

static void ecam_write(struct rig *r, unsigned slot, unsigned reg, uint32_t len, uint32_t v)
{
	io(&r->mmio, ecam(slot, 0, reg), len, true, v);
}

static uint32_t ones(uint32_t len)
{
	return len == 4 ? 0xffffffffu : (1u << 8 * len) - 1;
}

/* Every size at every offset of the host bridge's space, through both mechanisms. */
static void every_size_and_offset(void **state)
{
	static struct rig r;
	const uint8_t *cfg;
	unsigned reg, len, i;

	(void)state;
	rig_init(&r);
	cfg = r.pci.host.cfg;
	assert_int_equal(conf1_read(&r, 0, PCI_VENDOR_ID, 4),
			 PCI_HOST_DEVICE << 16 | PCI_HOST_VENDOR);
	assert_int_equal(ecam_read(&r, 0, PCI_VENDOR_ID, 4),
			 PCI_HOST_DEVICE << 16 | PCI_HOST_VENDOR);
	assert_int_equal(conf1_read(&r, 0, 0x08, 4) >> 8, 0x060000);
	assert_int_equal(conf1_read(&r, 0, PCI_HEADER_TYPE, 1), 0);
	for (reg = 0; reg < PCI_CFG_SIZE; reg++) {
		for (len = 1; len <= 4; len++) {
			uint32_t want = 0;

			if (len == 3)
				continue;
			if ((reg & 3) + len > 4) {
				want = ones(len); /* crosses a dword */
			} else {
				for (i = 0; i < len; i++)
					want |= (uint32_t)cfg[reg + i] << 8 * i;
			}
			assert_int_equal(conf1_read(&r, 0, reg, len), want);
			assert_int_equal(ecam_read(&r, 0, reg, len), want);
		}
	}
	/* Three-byte and eight-byte accesses are not config cycles. */
	assert_int_equal(conf1_read(&r, 0, 0, 3), 0xffffff);
	assert_int_equal(io(&r.mmio, ecam(0, 0, 0), 8, false, 0), 0xffffffffu);
	pci_bus_destroy(&r.pci);
}

static void conf1_address_register(void **state)
{
	static struct rig r;

	(void)state;
	rig_init(&r);
	io(&r.pio, 0xCF8, 4, true, 0x80000000u);
	assert_int_equal(io(&r.pio, 0xCF8, 4, false, 0), 0x80000000u);
	io(&r.pio, 0xCF8, 4, true, 0xffffffffu);
	assert_int_equal(io(&r.pio, 0xCF8, 4, false, 0), 0x80fffffcu);
	/* Byte and word accesses to the address register reach nothing (Linux's type 2 probe). */
	io(&r.pio, 0xCFB, 1, true, 0);
	io(&r.pio, 0xCF8, 2, true, 0);
	assert_int_equal(io(&r.pio, 0xCF8, 4, false, 0), 0x80fffffcu);
	assert_int_equal(io(&r.pio, 0xCFA, 1, false, 0), 0xff);
	assert_int_equal(io(&r.pio, 0xCF9, 2, false, 0), 0xffff);
	/* Enable bit off: the data port reads all ones and writes go nowhere. */
	io(&r.pio, 0xCF8, 4, true, 0x00000004u);
	assert_int_equal(io(&r.pio, 0xCFC, 4, false, 0), 0xffffffffu);
	io(&r.pio, 0xCFC, 2, true, PCI_COMMAND_MEMORY);
	assert_int_equal(conf1_read(&r, 0, PCI_COMMAND, 2), 0);
	/* Other buses, other functions, empty slots. */
	conf1_select(&r, 1, 0, 0, 0);
	assert_int_equal(io(&r.pio, 0xCFC, 4, false, 0), 0xffffffffu);
	conf1_select(&r, 0, 0, 1, 0);
	assert_int_equal(io(&r.pio, 0xCFC, 4, false, 0), 0xffffffffu);
	assert_int_equal(conf1_read(&r, 5, 0, 4), 0xffffffffu);
	assert_int_equal(conf1_read(&r, 31, 0, 2), 0xffff);
	/* A dword at 0xCFE runs past the data port; one at 0xCF6 starts before it. */
	conf1_select(&r, 0, 0, 0, 0);
	assert_int_equal(io(&r.pio, 0xCFE, 4, false, 0), 0xffffffffu);
	assert_int_equal(io(&r.pio, 0xCFC, 8, false, 0), 0xffffffffu);
	pci_bus_destroy(&r.pci);
}

static void ecam_out_of_range(void **state)
{
	static struct rig r;
	unsigned fn;

	(void)state;
	rig_init(&r);
	for (fn = 1; fn < 8; fn++)
		assert_int_equal(io(&r.mmio, ecam(0, fn, 0), 4, false, 0), 0xffffffffu);
	assert_int_equal(io(&r.mmio, ecam(7, 0, 0), 4, false, 0), 0xffffffffu);
	/* Extended space of the conventional host bridge reads zero: no extended capabilities. */
	assert_int_equal(ecam_read(&r, 0, 0x100, 4), 0);
	assert_int_equal(ecam_read(&r, 0, 0xffc, 4), 0);
	ecam_write(&r, 0, 0x100, 4, 0x12345678);
	/* The last bytes of the ECAM area, and an access running past it. */
	assert_int_equal(io(&r.mmio, LAYOUT_PCI_ECAM + LAYOUT_PCI_ECAM_SIZE - 4, 4, false, 0),
			 0xffffffffu);
	assert_int_equal(io(&r.mmio, LAYOUT_PCI_ECAM + LAYOUT_PCI_ECAM_SIZE - 2, 4, false, 0),
			 0xffffffffu);
	pci_bus_destroy(&r.pci);
}

static void writes_are_masked(void **state)
{
	static struct rig r;
	static struct tdev t;
	uint32_t before;

	(void)state;
	rig_init(&r);
	tdev_init(&t, 4096, 0);
	add(&r, &t);
	assert_int_equal(t.pci.slot, 1);
	before = conf1_read(&r, 1, 0, 4);
	conf1_write(&r, 1, 0, 4, 0);
	ecam_write(&r, 1, 0x08, 4, 0);
	assert_int_equal(conf1_read(&r, 1, 0, 4), before);
	assert_int_equal(conf1_read(&r, 1, 0x0A, 2), 0x0180);
	/* Only memory, bus master and interrupt disable stick in the command register. */
	conf1_write(&r, 1, PCI_COMMAND, 2, 0xffff);
	assert_int_equal(conf1_read(&r, 1, PCI_COMMAND, 2),
			 PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_OFF);
	conf1_write(&r, 1, PCI_STATUS, 2, 0xffff);
	assert_int_equal(conf1_read(&r, 1, PCI_STATUS, 2), 0);
	/* The interrupt line is the guest's scratch register; the pin is the device's. */
	assert_int_equal(conf1_read(&r, 1, PCI_INTERRUPT_LINE, 1), PCI_INTX_GSI(1));
	conf1_write(&r, 1, PCI_INTERRUPT_LINE, 2, 0x0505);
	assert_int_equal(conf1_read(&r, 1, PCI_INTERRUPT_LINE, 2), 0x0105);
	assert_true(t.written > 0);
	pci_bus_destroy(&r.pci);
}

static void bar_sizing_and_moving(void **state)
{
	static struct rig r;
	static struct tdev t;
	uint32_t bar0, bar2, moved;

	(void)state;
	rig_init(&r);
	tdev_init(&t, 4096, 64 << 10);
	add(&r, &t);
	bar0 = conf1_read(&r, 1, PCI_BAR0, 4);
	bar2 = conf1_read(&r, 1, PCI_BAR0 + 8, 4);
	assert_int_equal(bar0, LAYOUT_PCI_MMIO);
	assert_int_equal(bar2 % (64 << 10), 0);
	assert_true(bar2 >= bar0 + 4096 &&
		    bar2 + (64 << 10) <= LAYOUT_PCI_MMIO + LAYOUT_PCI_MMIO_SIZE);
	assert_int_equal(conf1_read(&r, 1, PCI_BAR0 + 4, 4), 0); /* no BAR 1 */
	/* Decoding is off until the guest turns it on. */
	assert_int_equal(t.nmapped, 0);
	assert_int_equal(io(&r.mmio, bar0, 4, false, 0), 0xffffffffu);
	assert_int_equal(t.accesses, 0);
	conf1_write(&r, 1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_int_equal(t.mapped[0], bar0);
	assert_int_equal(t.mapped[2], bar2);
	assert_int_equal(io(&r.mmio, bar2 + 0x13, 1, false, 0), 0x23);
	assert_int_equal(t.last_bar, 2);
	assert_int_equal(t.last_off, 0x13);
	io(&r.mmio, bar0 + 8, 8, true, 0);
	assert_int_equal(t.last_len, 8);
	/* Sizing: all ones reads back the size mask, and nothing decodes meanwhile. */
	conf1_write(&r, 1, PCI_BAR0, 4, 0xffffffffu);
	assert_int_equal(conf1_read(&r, 1, PCI_BAR0, 4), 0xfffff000u);
	assert_int_equal(t.mapped[0], 0);
	ecam_write(&r, 1, PCI_BAR0 + 8, 4, 0xffffffffu);
	assert_int_equal(ecam_read(&r, 1, PCI_BAR0 + 8, 4), 0xffff0000u);
	/* Moving: the low bits are read-only zeros; the old address no longer decodes. */
	moved = (uint32_t)LAYOUT_PCI_MMIO + 0x100000;
	conf1_write(&r, 1, PCI_BAR0 + 8, 4, moved | 0xfff);
	conf1_write(&r, 1, PCI_BAR0, 4, bar0);
	assert_int_equal(conf1_read(&r, 1, PCI_BAR0 + 8, 4), moved);
	assert_int_equal(t.mapped[2], moved);
	assert_int_equal(t.mapped[0], bar0);
	assert_int_equal(io(&r.mmio, bar2, 4, false, 0), 0xffffffffu);
	assert_int_equal(io(&r.mmio, moved + 4, 1, false, 0), 0x24);
	/* A byte write into the middle of a BAR moves it too. */
	conf1_write(&r, 1, PCI_BAR0 + 8 + 2, 1, 0x20);
	assert_int_equal(t.mapped[2], (moved & 0xff00ffffu) | 0x200000);
	/* Memory decoding off: every BAR stops decoding. */
	conf1_write(&r, 1, PCI_COMMAND, 2, 0);
	assert_int_equal(t.mapped[0], 0);
	assert_int_equal(t.mapped[2], 0);
	assert_int_equal(t.pci.bar_addr[0], 0);
	assert_int_equal(io(&r.mmio, bar0, 4, false, 0), 0xffffffffu);
	pci_bus_destroy(&r.pci);
}

static void hostile_bar_values(void **state)
{
	static struct rig r;
	static struct tdev a, b;
	uint32_t abar, bbar, accesses;

	(void)state;
	rig_init(&r);
	tdev_init(&a, 64 << 10, 0);
	tdev_init(&b, 4096, 0);
	add(&r, &a);
	add(&r, &b);
	abar = conf1_read(&r, 1, PCI_BAR0, 4);
	bbar = conf1_read(&r, 2, PCI_BAR0, 4);
	conf1_write(&r, 1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	conf1_write(&r, 2, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	/* Outside the window (guest RAM, the ECAM area, the window's last page plus one): no
	 * decode. */
	conf1_write(&r, 2, PCI_BAR0, 4, 0x1000);
	assert_int_equal(b.mapped[0], 0);
	conf1_write(&r, 2, PCI_BAR0, 4, (uint32_t)LAYOUT_PCI_ECAM);
	assert_int_equal(b.mapped[0], 0);
	assert_int_equal(ecam_read(&r, 0, 0, 2), PCI_HOST_VENDOR);
	conf1_write(&r, 1, PCI_BAR0, 4, (uint32_t)(LAYOUT_PCI_ECAM - 0x8000));
	assert_int_equal(conf1_read(&r, 1, PCI_BAR0, 4), LAYOUT_PCI_ECAM - 0x10000);
	assert_int_equal(a.mapped[0], LAYOUT_PCI_ECAM - 0x10000); /* the window's last 64 KiB */
	/* Overlapping BARs: the lower slot decodes; the other device gets nothing. */
	conf1_write(&r, 1, PCI_BAR0, 4, abar);
	conf1_write(&r, 2, PCI_BAR0, 4, abar + 0x2000);
	assert_int_equal(b.mapped[0], abar + 0x2000);
	accesses = b.accesses;
	io(&r.mmio, abar + 0x2000, 4, false, 0);
	assert_int_equal(b.accesses, accesses);
	assert_int_equal(a.last_off, 0x2000);
	/* An access straddling a BAR's end reaches nobody. */
	conf1_write(&r, 2, PCI_BAR0, 4, bbar);
	accesses = b.accesses;
	assert_int_equal(io(&r.mmio, bbar + 4094, 4, false, 0), 0xffffffffu);
	io(&r.mmio, bbar + 4092, 8, true, 0);
	assert_int_equal(b.accesses, accesses);
	io(&r.mmio, bbar + 4088, 8, true, 0);
	assert_int_equal(b.accesses, accesses + 1);
	/* Where SeaBIOS puts BARs, top down from the IOAPIC: the high window decodes them; the
	 * IOAPIC's page and beyond do not. */
	conf1_write(&r, 2, PCI_BAR0, 4, 0xfebff000u);
	assert_int_equal(b.mapped[0], 0xfebff000u);
	accesses = b.accesses;
	io(&r.mmio, 0xfebff000u + 8, 4, false, 0);
	assert_int_equal(b.accesses, accesses + 1);
	conf1_write(&r, 2, PCI_BAR0, 4, (uint32_t)LAYOUT_IOAPIC);
	assert_int_equal(b.mapped[0], 0);
	conf1_write(&r, 2, PCI_BAR0, 4, (uint32_t)LAYOUT_PCI_MMIO_HIGH);
	assert_int_equal(b.mapped[0], LAYOUT_PCI_MMIO_HIGH);
	conf1_write(&r, 2, PCI_BAR0, 4, bbar);
	/* 0xCF9: the reset control register inside conf1's address dword. */
	assert_int_equal(r.fm.resets, 0);
	io(&r.pio, PORT_PCI_CONF + 1, 1, true, 0x02);
	assert_int_equal(r.fm.resets, 0);
	io(&r.pio, PORT_PCI_CONF + 1, 1, true, 0x06);
	assert_int_equal(r.fm.resets, 1);
	/* Unclaimed window addresses read all ones. */
	assert_int_equal(io(&r.mmio, LAYOUT_PCI_MMIO + LAYOUT_PCI_MMIO_SIZE - 4, 4, false, 0),
			 0xffffffffu);
	pci_bus_destroy(&r.pci);
}

static void capability_list(void **state)
{
	static struct rig r;
	static struct tdev t;
	const uint8_t body1[] = { 1, 2, 3 }, body2[14] = { 0x0e };
	uint8_t big[250] = { 0 };
	unsigned at, n = 0;
	uint8_t c1, c2;

	(void)state;
	rig_init(&r);
	tdev_init(&t, 4096, 0);
	assert_int_equal(pci_get16(t.pci.cfg + PCI_STATUS) & PCI_STATUS_CAP_LIST, 0);
	c1 = pci_add_cap(&t.pci, PCI_CAP_ID_VNDR, body1, sizeof(body1));
	c2 = pci_add_cap(&t.pci, PCI_CAP_ID_MSIX, body2, sizeof(body2));
	assert_int_equal(c1, 0x40);
	assert_int_equal(c2, 0x48);
	assert_int_equal(pci_add_cap(&t.pci, PCI_CAP_ID_VNDR, big, sizeof(big)), 0);
	t.pci.wmask[c2 + 3] = 0xc0;
	add(&r, &t);
	assert_true(conf1_read(&r, 1, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	for (at = conf1_read(&r, 1, PCI_CAP_PTR, 1); at; at = ecam_read(&r, 1, at + 1, 1)) {
		assert_int_equal(at % 4, 0);
		assert_int_equal(ecam_read(&r, 1, at, 1),
				 n == 0 ? PCI_CAP_ID_VNDR : PCI_CAP_ID_MSIX);
		n++;
		assert_true(n <= 2);
	}
	assert_int_equal(n, 2);
	assert_int_equal(conf1_read(&r, 1, c1 + 2, 2), 0x0201);
	/* The guest may write only what the device's write mask allows. */
	conf1_write(&r, 1, c2, 4, 0xffffffffu);
	assert_int_equal(conf1_read(&r, 1, c2, 4), 0xc0000000u | 0x0e << 16 | PCI_CAP_ID_MSIX);
	pci_bus_destroy(&r.pci);
}

/* Slots 1 and 9 share GSI 17: the line stays up while either asserts INTA#. */
static void intx_sharing(void **state)
{
	static struct rig r;
	static struct tdev t[9];
	struct pci_dev *d1 = &t[0].pci, *d9 = &t[8].pci;
	unsigned i, gsi = PCI_INTX_GSI(1);

	(void)state;
	rig_init(&r);
	for (i = 0; i < 9; i++) {
		tdev_init(&t[i], 4096, 0);
		add(&r, &t[i]);
	}
	assert_int_equal(d9->slot, 9);
	assert_int_equal(d1->intx_gsi, gsi);
	assert_int_equal(d9->intx_gsi, gsi);
	assert_int_equal(conf1_read(&r, 1, PCI_INTERRUPT_PIN, 1), 1);
	pci_set_intx(d1, true);
	assert_int_equal(r.fm.level[gsi], 1);
	assert_true(conf1_read(&r, 1, PCI_STATUS, 2) & PCI_STATUS_INTX);
	pci_set_intx(d9, true);
	pci_set_intx(d1, true); /* again: still one assertion */
	pci_set_intx(d1, false);
	assert_int_equal(r.fm.level[gsi], 1);
	assert_false(conf1_read(&r, 1, PCI_STATUS, 2) & PCI_STATUS_INTX);
	pci_set_intx(d9, false);
	assert_int_equal(r.fm.level[gsi], 0);
	/* Interrupt disable masks the line but not the status bit, and unmasking restores it. */
	pci_set_intx(d1, true);
	conf1_write(&r, 1, PCI_COMMAND, 2, PCI_COMMAND_INTX_OFF);
	assert_int_equal(r.fm.level[gsi], 0);
	assert_true(conf1_read(&r, 1, PCI_STATUS, 2) & PCI_STATUS_INTX);
	conf1_write(&r, 1, PCI_COMMAND, 2, PCI_COMMAND_INTX_OFF); /* masked twice */
	pci_set_intx(d9, true);
	assert_int_equal(r.fm.level[gsi], 1);
	pci_set_intx(d9, false);
	assert_int_equal(r.fm.level[gsi], 0);
	conf1_write(&r, 1, PCI_COMMAND, 2, 0);
	assert_int_equal(r.fm.level[gsi], 1);
	/* A reset drops every line's count: the next boot starts with all lines low. */
	pci_bus_reset(&r.pci);
	assert_int_equal(r.pci.intx_count[gsi - PCI_INTX_GSI_BASE], 0);
	assert_false(conf1_read(&r, 1, PCI_STATUS, 2) & PCI_STATUS_INTX);
	r.fm.level[gsi] = 0;
	pci_set_intx(d9, true);
	assert_int_equal(r.fm.level[gsi], 1);
	pci_bus_destroy(&r.pci);
}

static void window_and_bus_full(void **state)
{
	static struct rig r;
	static struct tdev big[3], small[PCI_MAX_SLOTS];
	struct berth_error err;
	unsigned i;

	(void)state;
	rig_init(&r);
	/* A bad size is refused, not placed. */
	tdev_init(&small[0], 4096, 0);
	small[0].pci.bar_size[1] = 6000;
	assert_int_equal(pci_bus_add(&r.pci, &small[0].pci, &err), -1);
	assert_contains(err.msg, "power of two");
	for (i = 0; i < 3; i++)
		tdev_init(&big[i], 1u << 28, 0); /* the window holds two */
	add(&r, &big[0]);
	add(&r, &big[1]);
	assert_int_equal(pci_bus_add(&r.pci, &big[2].pci, &err), -1);
	assert_contains(err.msg, "window");
	assert_null(r.pci.slots[3]);
	/* Devices without BARs fill the remaining slots, then the bus is full. */
	for (i = 3; i < PCI_MAX_SLOTS; i++) {
		tdev_init(&small[i], 0, 0);
		add(&r, &small[i]);
	}
	tdev_init(&small[0], 0, 0);
	assert_int_equal(pci_bus_add(&r.pci, &small[0].pci, &err), -1);
	assert_contains(err.msg, "full");
	/* Same-GSI slots 8 apart. */
	assert_int_equal(small[24].pci.intx_gsi, PCI_INTX_GSI(24));
	assert_int_equal(PCI_INTX_GSI(24), PCI_INTX_GSI_BASE);
	pci_bus_destroy(&r.pci);
}

static void reset_restores_power_on(void **state)
{
	static struct rig r;
	static struct tdev t;
	uint32_t bar0;

	(void)state;
	rig_init(&r);
	tdev_init(&t, 4096, 0);
	add(&r, &t);
	bar0 = conf1_read(&r, 1, PCI_BAR0, 4);
	conf1_write(&r, 1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	conf1_write(&r, 1, PCI_BAR0, 4, bar0 + 0x10000);
	conf1_write(&r, 1, PCI_INTERRUPT_LINE, 1, 3);
	assert_int_equal(t.mapped[0], bar0 + 0x10000);
	pci_bus_reset(&r.pci);
	assert_int_equal(io(&r.pio, 0xCF8, 4, false, 0), 0);
	assert_int_equal(conf1_read(&r, 1, PCI_COMMAND, 2), 0);
	assert_int_equal(conf1_read(&r, 1, PCI_BAR0, 4), bar0);
	assert_int_equal(conf1_read(&r, 1, PCI_INTERRUPT_LINE, 1), PCI_INTX_GSI(1));
	assert_int_equal(conf1_read(&r, 1, PCI_VENDOR_ID, 2), 0x1af4);
	assert_int_equal(t.mapped[0], 0);
	pci_bus_destroy(&r.pci);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_size_and_offset), cmocka_unit_test(conf1_address_register),
		cmocka_unit_test(ecam_out_of_range),	 cmocka_unit_test(writes_are_masked),
		cmocka_unit_test(bar_sizing_and_moving), cmocka_unit_test(hostile_bar_values),
		cmocka_unit_test(capability_list),	 cmocka_unit_test(intx_sharing),
		cmocka_unit_test(window_and_bus_full),	 cmocka_unit_test(reset_restores_power_on),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
