/* Unit tests for src/vmm/virtio/net_ctrl.c: which control commands a hostile driver may
 * send are taken, however the chain splits them, and where the ack goes. */
#include "testlib.h"

#include "ctrl_chain.h"
#include "vmm/virtio/net_ctrl.h"

static struct virtq_chain c;

static int parse(const uint8_t *out, size_t len, unsigned max, struct net_ctrl_req *req)
{
	uint8_t ack[1];

	ctrl_chain(&c, out, len, NULL, 1, ack, 1);
	return net_ctrl_parse(&c, max, req);
}

static void pairs_set_taken(void **state)
{
	const uint8_t cmd[] = { VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 3, 0 };
	struct net_ctrl_req req;

	(void)state;
	assert_int_equal(parse(cmd, sizeof(cmd), 8, &req), 0);
	assert_int_equal(req.ack, VIRTIO_NET_OK);
	assert_int_equal(req.pairs, 3);
	assert_int_equal(parse(cmd, sizeof(cmd), 3, &req), 0); /* max itself */
	assert_int_equal(req.ack, VIRTIO_NET_OK);
}

/* Header and data split anyhow (Linux: header, data, ack; one byte each here). */
static void split_chain(void **state)
{
	const uint8_t cmd[] = { VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 2, 0 };
	const size_t cut[] = { 1, 1, 1 };
	struct net_ctrl_req req;
	uint8_t ack[3] = { 0xee, 0xee, 0xee };

	(void)state;
	ctrl_chain(&c, cmd, sizeof(cmd), cut, 4, ack, 3);
	assert_int_equal(net_ctrl_parse(&c, 2, &req), 0);
	assert_int_equal(req.ack, VIRTIO_NET_OK);
	assert_int_equal(req.pairs, 2);
	assert_int_equal(net_ctrl_answer(&c, req.ack), 1);
	assert_int_equal(ack[0], VIRTIO_NET_OK);
	assert_int_equal(ack[1], 0xee); /* only the first writable byte */
}

static void refused(const uint8_t *cmd, size_t len, unsigned max)
{
	struct net_ctrl_req req = { .ack = VIRTIO_NET_OK, .pairs = 99 };

	assert_int_equal(parse(cmd, len, max, &req), 0);
	assert_int_equal(req.ack, VIRTIO_NET_ERR);
	assert_int_equal(req.pairs, 0);
}

static void hostile_commands(void **state)
{
	const uint8_t mq = VIRTIO_NET_CTRL_MQ, set = VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET;

	(void)state;
	refused((uint8_t[]){ mq, set, 0, 0 }, 4, 8);	/* no pairs */
	refused((uint8_t[]){ mq, set, 9, 0 }, 4, 8);	/* past max */
	refused((uint8_t[]){ mq, set, 2, 1 }, 4, 8);	/* 258 */
	refused((uint8_t[]){ mq, set, 0, 0x80 }, 4, 8); /* the spec's max, not ours */
	refused((uint8_t[]){ mq, set, 2, 0 }, 4, 1);	/* a driver without MQ */
	refused((uint8_t[]){ mq, set, 2 }, 3, 8);	/* short data */
	refused((uint8_t[]){ mq, set, 2, 0, 0 }, 5, 8); /* long data */
	refused((uint8_t[]){ mq, set }, 2, 8);		/* none */
	refused((uint8_t[]){ mq }, 1, 8);		/* half a header */
	refused((uint8_t[]){ 0 }, 0, 8);		/* nothing */
	refused((uint8_t[]){ mq, VIRTIO_NET_CTRL_MQ_RSS_CONFIG, 2, 0 }, 4, 8);
	refused((uint8_t[]){ VIRTIO_NET_CTRL_RX, 0, 1, 0 }, 4, 8); /* not offered */
	refused((uint8_t[]){ VIRTIO_NET_CTRL_MAC, 1, 2, 0 }, 4, 8);
	refused((uint8_t[]){ 0xff, 0xff, 2, 0 }, 4, 8);
}

/* Nowhere to write the ack: no answer at all. */
static void no_ack_byte(void **state)
{
	const uint8_t cmd[] = { VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 2, 0 };
	struct net_ctrl_req req = { .ack = 7 };

	(void)state;
	ctrl_chain(&c, cmd, sizeof(cmd), NULL, 1, NULL, 0);
	assert_int_equal(net_ctrl_parse(&c, 8, &req), -1);
	assert_int_equal(req.ack, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pairs_set_taken),
		cmocka_unit_test(split_chain),
		cmocka_unit_test(hostile_commands),
		cmocka_unit_test(no_ack_byte),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
