/* ring.h - the split virtqueue as the guest lays it out in its memory (virtio 1.x, 2.7).
 *
 * Three areas per queue, all little-endian and written by a driver we do not trust:
 * the descriptor table (buffers), the available ring (driver -> device) and the used
 * ring (device -> driver). queue.c is the only reader of these layouts. */
#ifndef BERTH_VMM_VIRTIO_RING_H
#define BERTH_VMM_VIRTIO_RING_H

#include <stdint.h>

/* Feature bits that change the ring layout or its rules. */
#define VIRTQ_F_INDIRECT_DESC 28
#define VIRTQ_F_EVENT_IDX     29

/* The largest queue a split ring may have; sizes are powers of two. */
#define VIRTQ_MAX_SIZE 32768

#define VIRTQ_DESC_F_NEXT     1 /* the chain continues at next */
#define VIRTQ_DESC_F_WRITE    2 /* device-writable (else device-readable) */
#define VIRTQ_DESC_F_INDIRECT 4 /* addr/len hold a table of descriptors */

#define VIRTQ_AVAIL_F_NO_INTERRUPT 1 /* driver: do not interrupt me (without event idx) */
#define VIRTQ_USED_F_NO_NOTIFY	   1 /* device: do not notify me (without event idx) */

/* Alignment each area must have, in bytes. */
#define VIRTQ_DESC_ALIGN  16
#define VIRTQ_AVAIL_ALIGN 2
#define VIRTQ_USED_ALIGN  4

struct virtq_desc {
	uint64_t addr;	/* guest-physical */
	uint32_t len;	/* bytes */
	uint16_t flags; /* VIRTQ_DESC_F_* */
	uint16_t next;	/* index of the next descriptor in the same table */
};

struct virtq_avail {
	uint16_t flags;	 /* VIRTQ_AVAIL_F_* */
	uint16_t idx;	 /* free-running count of heads the driver has made available */
	uint16_t ring[]; /* [size] heads, then used_event (with event idx) */
};

struct virtq_used_elem {
	uint32_t id;  /* head of the chain given back */
	uint32_t len; /* bytes the device wrote into it */
};

struct virtq_used {
	uint16_t flags;		       /* VIRTQ_USED_F_* */
	uint16_t idx;		       /* free-running count of chains given back */
	struct virtq_used_elem ring[]; /* [size], then avail_event (with event idx) */
};

/* Bytes of each area for a queue of size entries (the spec counts the event fields always). */
#define VIRTQ_DESC_BYTES(size)	(16ULL * (size))
#define VIRTQ_AVAIL_BYTES(size) (6ULL + 2ULL * (size))
#define VIRTQ_USED_BYTES(size)	(6ULL + 8ULL * (size))

#endif
