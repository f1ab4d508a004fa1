/* net_ctrl.h - virtio-net's control queue (virtio 1.x, 5.1.6.5): what one command the
 * driver sent asks for, and the ack byte it gets back.
 *
 * A command is a chain: a 2-byte header (class, command) and its data, device-readable,
 * then at least one device-writable byte for the ack. Only the multiqueue class is
 * implemented (VIRTIO_NET_CTRL_MQ with VQ_PAIRS_SET, a le16 pair count), as the only
 * control feature offered besides the queue itself is VIRTIO_NET_F_MQ: every other class
 * or command, a wrong data length or a pair count outside 1..max is answered
 * VIRTIO_NET_ERR and changes nothing. The chain is the guest's: nothing in it is trusted. */
#ifndef BERTH_VMM_VIRTIO_NET_CTRL_H
#define BERTH_VMM_VIRTIO_NET_CTRL_H

#include <linux/virtio_net.h>
#include <stdint.h>

#include "vmm/virtio/queue.h"

/* What a command asks of the device. */
struct net_ctrl_req {
	uint8_t ack;	/* VIRTIO_NET_OK or VIRTIO_NET_ERR */
	unsigned pairs; /* with ack OK: the queue pairs to use from now on, 1..max_pairs */
};

/* Decide command chain c for a device of max_pairs queue pairs into *req; -1 (and *req
 * untouched) when c has no writable byte for the ack: give it back unanswered. */
int net_ctrl_parse(const struct virtq_chain *c, unsigned max_pairs, struct net_ctrl_req *req);

/* Write the ack into c's first writable byte; the bytes written (1), to push c back with. */
uint32_t net_ctrl_answer(const struct virtq_chain *c, uint8_t ack);

#endif
