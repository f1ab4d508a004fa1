/* ctrl_chain.h - a virtio-net control command's chain as a driver lays it out, for the
 * net_ctrl unit test and fuzz target: out as nout readable segments of the lengths in cut
 * (each clamped to what is left; the last takes the rest), then nin writable buffers of
 * one byte each at ack. */
#ifndef BERTH_TESTS_CTRL_CHAIN_H
#define BERTH_TESTS_CTRL_CHAIN_H

#include <string.h>

#include "vmm/virtio/queue.h"

static inline void ctrl_chain(struct virtq_chain *c, const uint8_t *out, size_t len,
			      const size_t *cut, unsigned nout, uint8_t *ack, unsigned nin)
{
	size_t off = 0;
	unsigned i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < nout; i++) {
		size_t n = i + 1 < nout && cut[i] < len - off ? cut[i] : len - off;

		c->iov[i] = (struct iovec){ (uint8_t *)out + off, n };
		off += n;
	}
	c->nout = nout;
	c->out_len = off;
	for (i = 0; i < nin; i++)
		c->iov[nout + i] = (struct iovec){ ack + i, 1 };
	c->nin = nin;
	c->in_len = nin;
}

#endif
