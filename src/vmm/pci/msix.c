/* msix.c - MSI-X: capability, vector table, pending bits (see msix.h). */
#include "msix.h"

#include <string.h>

#define MSIX_CTRL_ENABLE  (1u << 15)
#define MSIX_CTRL_FMASK	  (1u << 14)
#define MSIX_ENTRY_MASKED 1u

static uint16_t msix_ctrl(const struct msix *m)
{
	return pci_get16(&m->dev->cfg[m->cap + 2]);
}

static bool msix_vector_live(const struct msix *m, unsigned v)
{
	uint16_t ctrl = msix_ctrl(m);

	return (ctrl & MSIX_CTRL_ENABLE) && !(ctrl & MSIX_CTRL_FMASK) &&
	       !(m->table[v].ctrl & MSIX_ENTRY_MASKED);
}

/* Bring vector v's route in line with the table and masks; deliver it if it was pending
 * and is now live. Called with m->lock held. */
static void msix_update(struct msix *m, unsigned v)
{
	const struct msix_entry *e = &m->table[v];
	struct msi_message msg = {
		.addr = (uint64_t)e->addr_hi << 32 | e->addr_lo,
		.data = e->data,
		.valid = msix_vector_live(m, v),
	};

	msi_route(m->router, m->vec_id[v], &msg);
	if (msg.valid && (m->pending >> v & 1)) {
		m->pending &= ~(1ULL << v);
		msi_fire(m->router, m->vec_id[v]);
	}
}

int msix_init(struct msix *m, struct pci_dev *dev, struct msi_router *r, unsigned nvec,
	      unsigned bar, uint32_t table_off, uint32_t pba_off, struct berth_error *err)
{
	uint8_t body[10];

	memset(m, 0, sizeof(*m));
	if (nvec == 0 || nvec > MSIX_MAX_VECTORS || bar >= PCI_NUM_BARS ||
	    (table_off | pba_off) & 7)
		return berr(err, 0, "MSI-X: bad layout (%u vectors)", nvec);
	m->dev = dev;
	m->router = r;
	m->nvec = nvec;
	m->table_off = table_off;
	m->pba_off = pba_off;
	pthread_mutex_init(&m->lock, NULL);
	for (unsigned v = 0; v < nvec; v++)
		if (msi_alloc(r, &m->vec_id[v], err))
			return -1;
	pci_put16(body, (uint16_t)(nvec - 1));
	pci_put32(body + 2, table_off | bar);
	pci_put32(body + 6, pba_off | bar);
	m->cap = pci_add_cap(dev, PCI_CAP_ID_MSIX, body, sizeof(body));
	if (!m->cap)
		return berr(err, 0, "MSI-X: no room in config space");
	dev->wmask[m->cap + 3] = (MSIX_CTRL_ENABLE | MSIX_CTRL_FMASK) >> 8;
	msix_reset(m);
	return 0;
}

void msix_table_access(struct msix *m, uint64_t off, uint8_t *data, uint32_t len, bool is_write)
{
	uint8_t *table = (uint8_t *)m->table;
	uint64_t size = MSIX_TABLE_BYTES(m->nvec);

	if (off >= size || len > size - off) {
		if (!is_write)
			memset(data, 0xFF, len);
		return;
	}
	pthread_mutex_lock(&m->lock);
	if (!is_write) {
		memcpy(data, table + off, len);
	} else {
		unsigned first = (unsigned)(off / 16), last = (unsigned)((off + len - 1) / 16);

		memcpy(table + off, data, len);
		for (unsigned v = first; v <= last; v++)
			msix_update(m, v);
	}
	pthread_mutex_unlock(&m->lock);
}

void msix_pba_access(struct msix *m, uint64_t off, uint8_t *data, uint32_t len, bool is_write)
{
	uint64_t size = MSIX_PBA_BYTES(m->nvec);

	if (is_write)
		return; /* read-only */
	memset(data, 0, len);
	if (off >= size || len > size - off)
		return;
	pthread_mutex_lock(&m->lock);
	for (uint32_t i = 0; i < len && off + i < 8; i++)
		data[i] = (uint8_t)(m->pending >> (8 * (off + i)));
	pthread_mutex_unlock(&m->lock);
}

void msix_config_written(struct msix *m, uint32_t off, uint32_t len)
{
	if (off + len <= m->cap + 2u || off >= m->cap + 4u)
		return; /* message control untouched */
	pthread_mutex_lock(&m->lock);
	for (unsigned v = 0; v < m->nvec; v++)
		msix_update(m, v);
	pthread_mutex_unlock(&m->lock);
}

bool msix_enabled(struct msix *m)
{
	return msix_ctrl(m) & MSIX_CTRL_ENABLE;
}

void msix_notify(struct msix *m, unsigned vector)
{
	if (vector >= m->nvec)
		return;
	pthread_mutex_lock(&m->lock);
	if (msix_vector_live(m, vector))
		msi_fire(m->router, m->vec_id[vector]);
	else
		m->pending |= 1ULL << vector;
	pthread_mutex_unlock(&m->lock);
}

void msix_reset(struct msix *m)
{
	pthread_mutex_lock(&m->lock);
	pci_put16(&m->dev->cfg[m->cap + 2], (uint16_t)(m->nvec - 1));
	m->pending = 0;
	for (unsigned v = 0; v < m->nvec; v++) {
		m->table[v] = (struct msix_entry){ .ctrl = MSIX_ENTRY_MASKED };
		msix_update(m, v);
	}
	pthread_mutex_unlock(&m->lock);
}
