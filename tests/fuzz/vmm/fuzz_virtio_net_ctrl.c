/* fuzz_virtio_net_ctrl.c - libFuzzer target: a hostile driver's control-queue commands
 * against virtio-net's parser (src/vmm/virtio/net_ctrl.c).
 *
 * Input: one byte for the device's queue pairs (1 to 8), one byte whose low two bits are
 * the writable (ack) buffers (0 to 3) and high six bits the readable segments (1 to 64),
 * a cut byte per readable segment but the last (its length, clamped to what is left), then
 * the readable bytes: header and data however split. Sanitizers catch a read or write
 * outside the chain; a command taken that is not exactly a VQ_PAIRS_SET of 1..max pairs,
 * an answer where there was no ack byte, or an ack written anywhere but the first writable
 * byte aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../unit/vmm/virtio/ctrl_chain.h"
#include "vmm/virtio/net_ctrl.h"

#define FUZZ_SEGS 64

static struct virtq_chain c;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned max, nin, nout, i;
	uint8_t ack[3] = { 0xee, 0xee, 0xee }, *body;
	struct net_ctrl_req req = { .ack = 0xee };
	size_t len, cut[FUZZ_SEGS];
	int r;

	if (size < 2)
		return 0;
	max = data[0] % 8 + 1;
	nin = data[1] & 3;
	nout = (data[1] >> 2) + 1;
	if (size < 2 + (nout - 1))
		return 0;
	len = size - 2 - (nout - 1);
	/* A private copy, so a read past the command is a read past an allocation. */
	body = malloc(len ? len : 1);
	if (!body)
		return 0;
	memcpy(body, data + 2 + (nout - 1), len);
	for (i = 0; i + 1 < nout; i++)
		cut[i] = data[2 + i];
	ctrl_chain(&c, body, len, cut, nout, ack, nin);
	r = net_ctrl_parse(&c, max, &req);
	if (r < 0) {
		if (nin || req.ack != 0xee)
			abort();
	} else if (req.ack == VIRTIO_NET_OK) {
		uint8_t b[4];

		if (!nin || c.out_len != 4 || virtq_chain_read(&c, 0, b, 4) != 4 ||
		    b[0] != VIRTIO_NET_CTRL_MQ || b[1] != VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET ||
		    (unsigned)(b[2] | b[3] << 8) != req.pairs || req.pairs < 1 || req.pairs > max)
			abort();
	} else if (req.ack != VIRTIO_NET_ERR || !nin) {
		abort();
	}
	if (r == 0 && (net_ctrl_answer(&c, req.ack) != 1 || ack[0] != req.ack || ack[1] != 0xee ||
		       ack[2] != 0xee))
		abort();
	free(body);
	return 0;
}
