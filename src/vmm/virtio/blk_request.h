/* blk_request.h - a virtio-blk request (virtio 1.x, 5.2.6) checked and taken apart.
 *
 * The driver lays a request out as a 16-byte header, the data, and a status byte, split
 * over descriptors however it likes (ANY_LAYOUT is part of virtio 1.x): the header is the
 * first 16 device-readable bytes, the status the last device-writable byte. vblk_parse()
 * reads a popped chain that way, checks everything the guest controls, and either says
 * the request is to be executed, with its data as host iovecs and disk byte ranges, or
 * gives the status to report at once. It touches no file: blk.c does the I/O. */
#ifndef BERTH_VMM_VIRTIO_BLK_REQUEST_H
#define BERTH_VMM_VIRTIO_BLK_REQUEST_H

#include <linux/virtio_blk.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "vmm/virtio/queue.h"

#define VBLK_SECTOR	  512ULL
#define VBLK_HEADER_BYTES 16 /* struct virtio_blk_outhdr */

/* Limits the device advertises in its config space, and enforces. */
#define VBLK_SEG_MAX	       254	  /* data buffers per request (header, status apart) */
#define VBLK_RANGES_MAX	       16	  /* discard / write-zeroes segments per request */
#define VBLK_RANGE_SECTORS_MAX (1u << 22) /* sectors per such segment (2 GiB) */

/* What vblk_parse() says beyond the spec's VIRTIO_BLK_S_* statuses. */
#define VBLK_EXECUTE   (-1) /* valid: carry it out */
#define VBLK_NO_STATUS (-2) /* no device-writable byte to report a status in */

/* A byte range of the disk to discard or zero. */
struct vblk_range {
	uint64_t off, len;
	bool unmap; /* write zeroes may deallocate */
};

struct vblk_req {
	uint16_t head;	  /* the chain to give back */
	uint32_t type;	  /* VIRTIO_BLK_T_* */
	uint8_t *status;  /* host address of the status byte, NULL when there is none */
	uint32_t written; /* used length to report: all of the writable part, status included */
	uint64_t off;	  /* IN, OUT: byte offset in the disk */
	uint64_t len;	  /* IN, OUT, GET_ID: data bytes */
	unsigned niov;	  /* IN, OUT, GET_ID: the data as host iovecs into guest RAM */
	struct iovec iov[VBLK_SEG_MAX];
	unsigned nranges; /* DISCARD, WRITE_ZEROES */
	struct vblk_range ranges[VBLK_RANGES_MAX];
};

/* Check chain c as a request to a disk of capacity sectors and fill r from it: VBLK_EXECUTE,
 * VBLK_NO_STATUS, or the VIRTIO_BLK_S_* status to report without doing anything. */
int vblk_parse(struct vblk_req *r, const struct virtq_chain *c, uint64_t capacity, bool readonly);

#endif
