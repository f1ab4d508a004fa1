/* fw_cfg.c - the firmware configuration device (see fw_cfg.h). */
#include "fw_cfg.h"

#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FW_CFG_ID_TRADITIONAL 0x01
#define FW_CFG_ID_DMA	      0x02
#define FW_CFG_DMA_SIGNATURE  0x51454d5520434647ULL /* "QEMU CFG", read at 0x514 */

struct fw_cfg_dma {
	uint32_t control, length; /* big-endian */
	uint64_t address;
} __attribute__((packed));

struct fw_cfg_file { /* a directory entry, big-endian */
	uint32_t size;
	uint16_t select, reserved;
	char name[FW_CFG_NAME_MAX];
} __attribute__((packed));

static struct fw_cfg_item *fw_cfg_find(struct fw_cfg *fw, uint16_t key)
{
	unsigned i;

	for (i = 0; i < fw->nitems; i++)
		if (fw->items[i].key == key)
			return &fw->items[i];
	return NULL;
}

/* Set item key to a copy of data, adding it if new. */
static int fw_cfg_put(struct fw_cfg *fw, uint16_t key, const char *name, const void *data,
		      uint32_t len, struct berth_error *err)
{
	struct fw_cfg_item *it = fw_cfg_find(fw, key);
	uint8_t *copy;

	if (len > FW_CFG_MAX_ITEM_LEN)
		return berr(err, 0, "fw_cfg item '%s' is too big (%u bytes)", name, len);
	if (!it && fw->nitems == FW_CFG_MAX_ITEMS)
		return berr(err, 0, "fw_cfg: more than %d items", FW_CFG_MAX_ITEMS);
	copy = malloc(len ? len : 1);
	if (!copy)
		return berr(err, 0, "fw_cfg: out of memory");
	memcpy(copy, data, len);
	if (!it) {
		it = &fw->items[fw->nitems++];
		it->key = key;
	} else {
		free(it->data);
	}
	it->data = copy;
	it->len = len;
	snprintf(it->name, sizeof(it->name), "%s", name);
	return 0;
}

int fw_cfg_init(struct fw_cfg *fw, const struct guest_mem *gm, struct berth_error *err)
{
	uint32_t id = htole32(FW_CFG_ID_TRADITIONAL | FW_CFG_ID_DMA), ndir = 0;

	memset(fw, 0, sizeof(*fw));
	pthread_mutex_init(&fw->lock, NULL);
	fw->gm = gm;
	return fw_cfg_put(fw, FW_CFG_SIGNATURE, "", "QEMU", 4, err) ||
		       fw_cfg_put(fw, FW_CFG_ID, "", &id, sizeof(id), err) ||
		       fw_cfg_put(fw, FW_CFG_FILE_DIR, "", &ndir, sizeof(ndir), err)
		   ? -1
		   : 0;
}

int fw_cfg_add(struct fw_cfg *fw, uint16_t key, const void *data, uint32_t len,
	       struct berth_error *err)
{
	return fw_cfg_put(fw, key, "", data, len, err);
}

int fw_cfg_add_file(struct fw_cfg *fw, const char *name, const void *data, uint32_t len,
		    struct berth_error *err)
{
	struct fw_cfg_file dir[FW_CFG_MAX_ITEMS];
	uint32_t count;
	unsigned i, n = 0;

	if (strlen(name) >= FW_CFG_NAME_MAX)
		return berr(err, 0, "fw_cfg file name '%s' is too long", name);
	if (fw_cfg_put(fw, (uint16_t)(FW_CFG_FILE_FIRST + fw->nfiles), name, data, len, err))
		return -1;
	fw->nfiles++;
	/* The directory: a big-endian count, then the files sorted as QEMU lists them. */
	memset(dir, 0, sizeof(dir));
	for (i = 0; i < fw->nitems; i++) {
		const struct fw_cfg_item *it = &fw->items[i];

		if (!it->name[0])
			continue;
		dir[n].size = htobe32(it->len);
		dir[n].select = htobe16(it->key);
		memcpy(dir[n].name, it->name, sizeof(dir[n].name));
		n++;
	}
	{
		uint8_t buf[4 + sizeof(dir)];

		count = htobe32(n);
		memcpy(buf, &count, 4);
		memcpy(buf + 4, dir, n * sizeof(dir[0]));
		return fw_cfg_put(fw, FW_CFG_FILE_DIR, "", buf, 4 + n * sizeof(dir[0]), err);
	}
}

void fw_cfg_reset(struct fw_cfg *fw)
{
	pthread_mutex_lock(&fw->lock);
	fw->cur = NULL;
	fw->offset = 0;
	fw->dma_addr = 0;
	pthread_mutex_unlock(&fw->lock);
}

void fw_cfg_destroy(struct fw_cfg *fw)
{
	unsigned i;

	for (i = 0; i < fw->nitems; i++)
		free(fw->items[i].data);
	fw->nitems = 0;
	pthread_mutex_destroy(&fw->lock);
}

static void fw_cfg_select(struct fw_cfg *fw, uint16_t key)
{
	fw->cur = fw_cfg_find(fw, key);
	fw->offset = 0;
}

/* One DMA transfer whose descriptor is at addr; lock held. Reads past the item's end give
 * zeroes (as QEMU's do); writes are refused (no item is writable). */
static void fw_cfg_dma(struct fw_cfg *fw, uint64_t addr)
{
	struct fw_cfg_dma d;
	uint32_t control, length, left, n;
	uint64_t dest;
	uint8_t *p;

	if (gm_read(fw->gm, addr, &d, sizeof(d)))
		return; /* no descriptor to report an error in */
	control = be32toh(d.control);
	length = be32toh(d.length);
	dest = be64toh(d.address);
	if (control & FW_CFG_DMA_SELECT)
		fw_cfg_select(fw, (uint16_t)(control >> 16));
	left = fw->cur && fw->offset < fw->cur->len ? fw->cur->len - fw->offset : 0;
	n = length < left ? length : left;
	if (control & FW_CFG_DMA_WRITE) {
		control = FW_CFG_DMA_ERROR;
	} else if (control & FW_CFG_DMA_READ) {
		p = gm_ptr(fw->gm, dest, length);
		if (!p) {
			control = FW_CFG_DMA_ERROR;
		} else {
			if (n)
				memcpy(p, fw->cur->data + fw->offset, n);
			memset(p + n, 0, length - n);
			fw->offset += n;
			control = 0;
		}
	} else if (control & FW_CFG_DMA_SKIP) {
		fw->offset += n;
		control = 0;
	} else {
		control = 0; /* a select alone */
	}
	control = htobe32(control);
	gm_write(fw->gm, addr, &control, sizeof(control));
}

void fw_cfg_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct fw_cfg *fw = opaque;
	uint64_t sig = htobe64(FW_CFG_DMA_SIGNATURE);
	uint32_t v;

	pthread_mutex_lock(&fw->lock);
	if (offset == 0 && len == 2 && is_write) {
		fw_cfg_select(fw, (uint16_t)(data[0] | data[1] << 8));
	} else if (offset == 1 && len == 1 && !is_write) {
		data[0] = fw->cur && fw->offset < fw->cur->len ? fw->cur->data[fw->offset++] : 0;
	} else if ((offset == 4 || offset == 8) && len == 4 && is_write) {
		memcpy(&v, data, 4);
		if (offset == 4) {
			fw->dma_addr = (uint64_t)be32toh(v) << 32;
		} else {
			fw_cfg_dma(fw, fw->dma_addr | be32toh(v));
			fw->dma_addr = 0;
		}
	} else if (offset >= 4 && offset + len <= 12 && !is_write) {
		memcpy(data, (uint8_t *)&sig + (offset - 4), len);
	} else if (!is_write) {
		memset(data, 0, len); /* other widths and offsets: nothing there */
	}
	pthread_mutex_unlock(&fw->lock);
}
