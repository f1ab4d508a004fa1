/* rng.c - virtio-rng (virtio 1.x, 5.4): one queue of device-writable buffers, filled with
 * bytes from getrandom(). The host's pool never blocks once it is initialised (long
 * before a VM starts); a failed call returns the buffer empty, which the driver retries. */
#include "rng.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>

#include "vmm/virtio/ring.h"

#define RNG_QUEUE_SIZE 64
/* At most this much per request, so one greedy driver cannot hold the event loop. */
#define RNG_MAX_REQUEST 65536

struct virtio_rng {
	struct virtio_dev dev;
	struct virtq_chain chain;
};

static void rng_config_read(struct virtio_dev *d, uint32_t off, uint8_t *buf, uint32_t len)
{
	(void)d, (void)off, (void)buf, (void)len; /* no config space */
}

static int rng_start(struct virtio_dev *d)
{
	(void)d;
	return 0;
}

static uint32_t rng_fill(const struct virtq_chain *c)
{
	uint32_t written = 0;

	for (unsigned i = c->nout; i < c->nout + c->nin && written < RNG_MAX_REQUEST; i++) {
		size_t want = c->iov[i].iov_len;
		ssize_t n;

		if (want > RNG_MAX_REQUEST - written)
			want = RNG_MAX_REQUEST - written;
		n = getrandom(c->iov[i].iov_base, want, GRND_NONBLOCK);
		if (n <= 0)
			break;
		written += (uint32_t)n;
		if ((size_t)n < want)
			break;
	}
	return written;
}

static void rng_notify(struct virtio_dev *d, unsigned q)
{
	struct virtio_rng *r = (struct virtio_rng *)d;
	struct virtq *vq = &d->vqs[q];
	struct virtio_budget budget = virtio_budget(vq);
	int got = 0;

	/* Until the queue is empty with notifications back on (enable_notify re-checks, so a
	 * chain the driver adds meanwhile is not left waiting for a kick that never comes),
	 * or the budget is spent. */
	do {
		while (virtio_budget_take(&budget, vq) && (got = virtq_pop(vq, &r->chain)) == 1)
			if (virtq_push(vq, &r->chain, rng_fill(&r->chain)) < 0)
				break;
		if (virtio_budget_spent(&budget, vq)) {
			virtio_requeue(d, q);
			break;
		}
	} while (got == 0 && virtq_enable_notify(vq));
	if (vq->broken)
		virtio_fail(d, vq->broken);
	else
		virtio_signal(d, q);
}

static void rng_reset(struct virtio_dev *d)
{
	(void)d; /* nothing in flight: every request completes inside rng_notify */
}

static void rng_destroy(struct virtio_dev *d)
{
	pthread_mutex_destroy(&d->lock);
	free(d);
}

static const struct virtio_dev_ops rng_ops = {
	.config_read = rng_config_read,
	.start = rng_start,
	.notify = rng_notify,
	.reset = rng_reset,
	.destroy = rng_destroy,
};

int virtio_rng_create(struct virtio_dev **out, const struct guest_mem *gm, struct loop *loop,
		      struct berth_error *err)
{
	struct virtio_rng *r = calloc(1, sizeof(*r));

	if (!r)
		return berr(err, ENOMEM, "virtio-rng");
	r->dev = (struct virtio_dev){
		.ops = &rng_ops,
		.name = "virtio-rng",
		.device_id = VIRTIO_ID_RNG,
		.features = 1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTQ_F_EVENT_IDX |
			    1ULL << VIRTQ_F_INDIRECT_DESC,
		.nqueues = 1,
		.queue_max = RNG_QUEUE_SIZE,
		.gm = gm,
		.loop = loop,
	};
	pthread_mutex_init(&r->dev.lock, NULL);
	*out = &r->dev;
	return 0;
}
