/* input.c - virtio-input as a tablet (see input.h): the config space is input_config.c's,
 * the events and their bounded ring input_events.c's; this file moves them through the
 * queues. Each event goes into one buffer of the event queue as the 8-byte struct
 * virtio_input_event; events wait in the ring while the guest has no buffers (the oldest
 * dropped when it is full). The status queue's buffers are given back unread. */
#include "input.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/virtio/input_config.h"
#include "vmm/virtio/input_events.h"

#define INPUT_QUEUE_SIZE 64
#define INPUT_EVENT_LEN	 8

struct virtio_input {
	struct virtio_dev dev;
	struct vinput_config cfg;
	struct vinput_tablet tablet;
	struct vinput_ring ring;
	bool running; /* between start and reset */
	struct virtq_chain chain;
};

static struct virtio_input *input_of(struct virtio_dev *d)
{
	return (struct virtio_input *)d;
}

static void input_config_read(struct virtio_dev *d, uint32_t off, uint8_t *buf, uint32_t len)
{
	vinput_config_read(&input_of(d)->cfg, off, buf, len);
}

static void input_config_write(struct virtio_dev *d, uint32_t off, const uint8_t *buf, uint32_t len)
{
	vinput_config_write(&input_of(d)->cfg, off, buf, len);
}

/* Write e into c's device-writable buffers: 8 bytes, or 0 when they are too small (the
 * event then waits for the next buffer). */
static uint32_t input_write_event(const struct virtq_chain *c, const struct vinput_event *e)
{
	uint8_t b[INPUT_EVENT_LEN] = {
		(uint8_t)e->type,	   (uint8_t)(e->type >> 8),   (uint8_t)e->code,
		(uint8_t)(e->code >> 8),   (uint8_t)e->value,	      (uint8_t)(e->value >> 8),
		(uint8_t)(e->value >> 16), (uint8_t)(e->value >> 24),
	};
	uint32_t done = 0;

	if (c->in_len < sizeof(b))
		return 0;
	for (unsigned i = c->nout; i < c->nout + c->nin && done < sizeof(b); i++) {
		size_t n =
		    c->iov[i].iov_len < sizeof(b) - done ? c->iov[i].iov_len : sizeof(b) - done;

		memcpy(c->iov[i].iov_base, b + done, n);
		done += (uint32_t)n;
	}
	return done;
}

/* Hand waiting events to the event queue's buffers, within one turn's budget. */
static void input_deliver(struct virtio_input *in)
{
	struct virtio_dev *d = &in->dev;
	struct virtq *vq = &d->vqs[VIRTIO_INPUT_EVENTQ];
	struct virtio_budget budget;

	if (!in->running || d->failed || !d->vq_enabled[VIRTIO_INPUT_EVENTQ])
		return;
	budget = virtio_budget(vq);
	while (vinput_ring_peek(&in->ring) && virtio_budget_take(&budget, vq) &&
	       virtq_pop(vq, &in->chain) == 1) {
		uint32_t written = input_write_event(&in->chain, vinput_ring_peek(&in->ring));

		if (written)
			vinput_ring_pop(&in->ring);
		if (virtq_push(vq, &in->chain, written) < 0)
			break;
	}
	if (vinput_ring_peek(&in->ring) && virtio_budget_spent(&budget, vq))
		virtio_requeue(d, VIRTIO_INPUT_EVENTQ);
	if (vq->broken)
		virtio_fail(d, vq->broken);
	else
		virtio_signal(d, VIRTIO_INPUT_EVENTQ);
}

/* Give the status queue's buffers back unread, within one turn's budget. */
static void input_drain_status(struct virtio_input *in)
{
	struct virtio_dev *d = &in->dev;
	struct virtq *vq = &d->vqs[VIRTIO_INPUT_STATUSQ];
	struct virtio_budget budget = virtio_budget(vq);

	while (virtio_budget_take(&budget, vq) && virtq_pop(vq, &in->chain) == 1)
		if (virtq_push(vq, &in->chain, 0) < 0)
			break;
	if (!vq->broken && virtio_budget_spent(&budget, vq))
		virtio_requeue(d, VIRTIO_INPUT_STATUSQ);
	if (vq->broken)
		virtio_fail(d, vq->broken);
	else
		virtio_signal(d, VIRTIO_INPUT_STATUSQ);
}

static int input_start(struct virtio_dev *d)
{
	input_of(d)->running = true;
	return 0;
}

static void input_notify(struct virtio_dev *d, unsigned q)
{
	if (d->failed || !input_of(d)->running || q >= d->nqueues || !d->vq_enabled[q])
		return;
	if (q == VIRTIO_INPUT_EVENTQ)
		input_deliver(input_of(d));
	else if (q == VIRTIO_INPUT_STATUSQ)
		input_drain_status(input_of(d));
}

static void input_reset(struct virtio_dev *d)
{
	struct virtio_input *in = input_of(d);

	/* Nothing in flight: every chain is pushed back within the call that popped it. */
	in->running = false;
	in->cfg = (struct vinput_config){ 0 };
	in->tablet = (struct vinput_tablet){ 0 };
	vinput_ring_clear(&in->ring);
}

static void input_destroy(struct virtio_dev *d)
{
	pthread_mutex_destroy(&d->lock);
	free(d);
}

static const struct virtio_dev_ops input_ops = {
	.config_read = input_config_read,
	.config_write = input_config_write,
	.start = input_start,
	.notify = input_notify,
	.reset = input_reset,
	.destroy = input_destroy,
};

void virtio_input_pointer(struct virtio_dev *d, uint32_t x, uint32_t y, uint32_t width,
			  uint32_t height, uint8_t buttons)
{
	struct virtio_input *in = input_of(d);
	struct vinput_event ev[VINPUT_PACKET_MAX];
	unsigned n;

	pthread_mutex_lock(&d->lock);
	if (vinput_ring_make_room(&in->ring, VINPUT_PACKET_MAX))
		in->tablet.known = false; /* the next packet says everything */
	n = vinput_tablet_encode(&in->tablet, vinput_scale(x, width), vinput_scale(y, height),
				 buttons, ev);
	vinput_ring_put(&in->ring, ev, n);
	input_deliver(in);
	pthread_mutex_unlock(&d->lock);
}

int virtio_input_tablet_create(struct virtio_dev **out, const struct guest_mem *gm,
			       struct loop *loop, struct berth_error *err)
{
	struct virtio_input *in = calloc(1, sizeof(*in));

	if (!in)
		return berr(err, ENOMEM, "virtio-input");
	in->dev = (struct virtio_dev){
		.ops = &input_ops,
		.name = "virtio-tablet",
		.device_id = VIRTIO_ID_INPUT,
		.features = 1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTQ_F_EVENT_IDX |
			    1ULL << VIRTQ_F_INDIRECT_DESC,
		.nqueues = 2,
		.queue_max = INPUT_QUEUE_SIZE,
		.config_len = VINPUT_CONFIG_LEN,
		.gm = gm,
		.loop = loop,
	};
	pthread_mutex_init(&in->dev.lock, NULL);
	*out = &in->dev;
	return 0;
}
