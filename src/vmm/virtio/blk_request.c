/* blk_request.c - check a popped virtio-blk chain and take it apart (see blk_request.h).
 *
 * Every number here comes from the guest and may be anything: lengths are checked before
 * any arithmetic, sector ranges are compared by subtraction so nothing can wrap, and the
 * header and discard segments are copied out of guest memory once, then used. */
#include "blk_request.h"

#include <endian.h>
#include <string.h>

/* Copy len bytes from offset skip of iov[0..n) into buf; false if iov holds fewer. */
static bool vblk_iov_read(const struct iovec *iov, unsigned n, uint64_t skip, void *buf,
			  uint64_t len)
{
	uint8_t *out = buf;
	unsigned i;

	for (i = 0; i < n && len; i++) {
		uint64_t take;

		if (skip >= iov[i].iov_len) {
			skip -= iov[i].iov_len;
			continue;
		}
		take = iov[i].iov_len - skip;
		if (take > len)
			take = len;
		memcpy(out, (const uint8_t *)iov[i].iov_base + skip, take);
		out += take;
		len -= take;
		skip = 0;
	}
	return len == 0;
}

/* Point dst at bytes [skip, skip + len) of iov[0..n), which holds them all: the number of
 * entries used, or -1 if that is more than max. */
static int vblk_iov_slice(const struct iovec *iov, unsigned n, uint64_t skip, uint64_t len,
			  struct iovec *dst, unsigned max)
{
	unsigned i, k = 0;

	for (i = 0; i < n && len; i++) {
		uint64_t take;

		if (skip >= iov[i].iov_len) {
			skip -= iov[i].iov_len;
			continue;
		}
		if (k == max)
			return -1;
		take = iov[i].iov_len - skip;
		if (take > len)
			take = len;
		dst[k++] = (struct iovec){ (uint8_t *)iov[i].iov_base + skip, take };
		len -= take;
		skip = 0;
	}
	return (int)k;
}

/* Is [sector, sector + count) inside a disk of capacity sectors? */
static bool vblk_in_disk(uint64_t sector, uint64_t count, uint64_t capacity)
{
	return sector <= capacity && count <= capacity - sector;
}

/* IN or OUT: len data bytes at offset skip of iov[0..n), to or from sector. */
static int vblk_parse_rw(struct vblk_req *r, const struct iovec *iov, unsigned n, uint64_t skip,
			 uint64_t len, uint64_t sector, uint64_t capacity)
{
	int k;

	if (len % VBLK_SECTOR || !vblk_in_disk(sector, len / VBLK_SECTOR, capacity))
		return VIRTIO_BLK_S_IOERR;
	k = vblk_iov_slice(iov, n, skip, len, r->iov, VBLK_SEG_MAX);
	if (k < 0)
		return VIRTIO_BLK_S_IOERR;
	r->niov = (unsigned)k;
	r->off = sector * VBLK_SECTOR; /* cannot wrap: capacity is a file size in sectors */
	r->len = len;
	return VBLK_EXECUTE;
}

/* DISCARD or WRITE_ZEROES: len bytes of segments after the header. */
static int vblk_parse_ranges(struct vblk_req *r, const struct virtq_chain *c, uint64_t len,
			     uint64_t capacity)
{
	bool discard = r->type == VIRTIO_BLK_T_DISCARD;
	struct virtio_blk_discard_write_zeroes seg;
	unsigned i, nsegs;

	if (len == 0 || len % sizeof(seg) || len / sizeof(seg) > VBLK_RANGES_MAX)
		return VIRTIO_BLK_S_IOERR;
	nsegs = (unsigned)(len / sizeof(seg));
	for (i = 0; i < nsegs; i++) {
		uint64_t sector;
		uint32_t count, flags;

		vblk_iov_read(c->iov, c->nout, VBLK_HEADER_BYTES + i * sizeof(seg), &seg,
			      sizeof(seg));
		sector = le64toh(seg.sector);
		count = le32toh(seg.num_sectors);
		flags = le32toh(seg.flags);
		/* The spec: unknown flags, or unmap on a discard, are unsupported. */
		if (flags & ~VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP ||
		    (discard && flags & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP))
			return VIRTIO_BLK_S_UNSUPP;
		if (count > VBLK_RANGE_SECTORS_MAX || !vblk_in_disk(sector, count, capacity))
			return VIRTIO_BLK_S_IOERR;
		if (count == 0)
			continue;
		r->ranges[r->nranges++] = (struct vblk_range){
			.off = sector * VBLK_SECTOR,
			.len = count * VBLK_SECTOR,
			.unmap = flags & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP,
		};
	}
	return VBLK_EXECUTE;
}

int vblk_parse(struct vblk_req *r, const struct virtq_chain *c, uint64_t capacity, bool readonly)
{
	const struct iovec *in = c->iov + c->nout, *last;
	struct virtio_blk_outhdr hdr;
	uint64_t data_out, data_in;
	int k;

	r->head = c->head;
	r->status = NULL;
	r->written = 0;
	r->off = r->len = 0;
	r->niov = r->nranges = 0;
	if (c->nin == 0)
		return VBLK_NO_STATUS;
	last = &in[c->nin - 1];
	r->status = (uint8_t *)last->iov_base + last->iov_len - 1;
	r->written = c->in_len > UINT32_MAX ? UINT32_MAX : (uint32_t)c->in_len;
	if (!vblk_iov_read(c->iov, c->nout, 0, &hdr, sizeof(hdr)))
		return VIRTIO_BLK_S_IOERR;
	r->type = le32toh(hdr.type);
	data_out = c->out_len - VBLK_HEADER_BYTES;
	data_in = c->in_len - 1;

	switch (r->type) {
	case VIRTIO_BLK_T_IN:
		if (data_out)
			return VIRTIO_BLK_S_IOERR;
		return vblk_parse_rw(r, in, c->nin, 0, data_in, le64toh(hdr.sector), capacity);
	case VIRTIO_BLK_T_OUT:
		if (data_in || readonly)
			return VIRTIO_BLK_S_IOERR;
		return vblk_parse_rw(r, c->iov, c->nout, VBLK_HEADER_BYTES, data_out,
				     le64toh(hdr.sector), capacity);
	case VIRTIO_BLK_T_FLUSH:
		return data_out || data_in ? VIRTIO_BLK_S_IOERR : VBLK_EXECUTE;
	case VIRTIO_BLK_T_GET_ID:
		if (data_out)
			return VIRTIO_BLK_S_IOERR;
		r->len = data_in < VIRTIO_BLK_ID_BYTES ? data_in : VIRTIO_BLK_ID_BYTES;
		k = vblk_iov_slice(in, c->nin, 0, r->len, r->iov, VBLK_SEG_MAX);
		r->niov = (unsigned)k; /* at most 20 one-byte buffers: always fits */
		return VBLK_EXECUTE;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		if (data_in || readonly)
			return VIRTIO_BLK_S_IOERR;
		return vblk_parse_ranges(r, c, data_out, capacity);
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}
