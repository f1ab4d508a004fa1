/* fw_cfg.h - QEMU's firmware configuration device, as SeaBIOS reads it (QEMU's
 * docs/specs/fw_cfg.rst): a selector at port 0x510, a data byte at 0x511, and the DMA
 * interface at 0x514 (an 8-byte big-endian descriptor address; writing its low half at
 * 0x518 runs the transfer).
 *
 * Items are read-only blobs keyed by a 16-bit selector; named ones ("files") are listed in
 * the directory at FW_CFG_FILE_DIR. Every selector, offset and DMA descriptor comes from
 * the guest: guest memory is reached only through gm_ptr(), lengths are bounded by the item
 * and by RAM, and a transfer that cannot be done sets the descriptor's error bit.
 * tests/fuzz/vmm/fuzz_fw_cfg.c drives it. */
#ifndef BERTH_VMM_DEV_FW_CFG_H
#define BERTH_VMM_DEV_FW_CFG_H

#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>

#include "common/error.h"
#include "vmm/memory.h"

#define FW_CFG_PORT  0x510
#define FW_CFG_PORTS 12 /* 0x510 selector, 0x511 data, 0x514-0x51B DMA address */

/* Selectors (QEMU's include/standard-headers/linux/qemu_fw_cfg.h). */
#define FW_CFG_SIGNATURE  0x00
#define FW_CFG_ID	  0x01
#define FW_CFG_RAM_SIZE	  0x03
#define FW_CFG_NOGRAPHIC  0x04
#define FW_CFG_NB_CPUS	  0x05
#define FW_CFG_NUMA	  0x0d
#define FW_CFG_BOOT_MENU  0x0e
#define FW_CFG_MAX_CPUS	  0x0f
#define FW_CFG_FILE_DIR	  0x19
#define FW_CFG_FILE_FIRST 0x20

/* DMA control bits. */
#define FW_CFG_DMA_ERROR  0x01
#define FW_CFG_DMA_READ	  0x02
#define FW_CFG_DMA_SKIP	  0x04
#define FW_CFG_DMA_SELECT 0x08
#define FW_CFG_DMA_WRITE  0x10

#define FW_CFG_MAX_ITEMS    32
#define FW_CFG_NAME_MAX	    56
#define FW_CFG_MAX_ITEM_LEN (1u << 20)

struct fw_cfg_item {
	uint16_t key;
	uint32_t len;
	uint8_t *data;		    /* owned */
	char name[FW_CFG_NAME_MAX]; /* "" for numbered items */
};

struct fw_cfg {
	pthread_mutex_t lock;
	const struct guest_mem *gm;
	unsigned nitems, nfiles;
	struct fw_cfg_item items[FW_CFG_MAX_ITEMS];
	const struct fw_cfg_item *cur; /* selected item, NULL: none */
	uint32_t offset;	       /* read position in it */
	uint64_t dma_addr;	       /* descriptor address being written */
};

/* An empty device whose DMA reaches gm, with the signature, ID and directory items. */
int fw_cfg_init(struct fw_cfg *fw, const struct guest_mem *gm, struct berth_error *err);

/* Add a numbered item (a copy of len bytes of data). */
int fw_cfg_add(struct fw_cfg *fw, uint16_t key, const void *data, uint32_t len,
	       struct berth_error *err);

/* Add a named item (a file in the directory; a copy of data). */
int fw_cfg_add_file(struct fw_cfg *fw, const char *name, const void *data, uint32_t len,
		    struct berth_error *err);

/* Back to power-on state: nothing selected (on guest reset). */
void fw_cfg_reset(struct fw_cfg *fw);

/* Free the items. */
void fw_cfg_destroy(struct fw_cfg *fw);

/* Bus handler for the FW_CFG_PORTS ports from FW_CFG_PORT. */
void fw_cfg_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

#endif
