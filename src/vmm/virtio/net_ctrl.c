/* net_ctrl.c - virtio-net's control commands (see net_ctrl.h). */
#include "net_ctrl.h"

/* Header and data of the one command understood: class, command, le16 pairs. */
#define CTRL_MQ_LEN 4u

int net_ctrl_parse(const struct virtq_chain *c, unsigned max_pairs, struct net_ctrl_req *req)
{
	uint8_t b[CTRL_MQ_LEN];
	uint16_t pairs;

	if (c->in_len == 0)
		return -1;
	*req = (struct net_ctrl_req){ .ack = VIRTIO_NET_ERR };
	/* Anything but exactly a VQ_PAIRS_SET of 2 data bytes is refused before it is read. */
	if (c->out_len != CTRL_MQ_LEN || virtq_chain_read(c, 0, b, sizeof(b)) != sizeof(b))
		return 0;
	if (b[0] != VIRTIO_NET_CTRL_MQ || b[1] != VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET)
		return 0;
	pairs = (uint16_t)(b[2] | b[3] << 8);
	if (pairs < VIRTIO_NET_CTRL_MQ_VQ_PAIRS_MIN || pairs > max_pairs)
		return 0;
	req->ack = VIRTIO_NET_OK;
	req->pairs = pairs;
	return 0;
}

uint32_t net_ctrl_answer(const struct virtq_chain *c, uint8_t ack)
{
	return (uint32_t)virtq_chain_write(c, &ack, 1);
}
