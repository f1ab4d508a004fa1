/* device.c - the calls a virtio device makes into its transport. */
#include "device.h"

void virtio_signal(struct virtio_dev *d, unsigned q)
{
	if (q < d->nqueues && virtq_needs_notify(&d->vqs[q]))
		d->transport->interrupt(d, q);
}

void virtio_config_changed(struct virtio_dev *d)
{
	d->transport->config_changed(d);
}

void virtio_requeue(struct virtio_dev *d, unsigned q)
{
	d->transport->requeue(d, q);
}

int virtio_take_kicks(struct virtio_dev *d, unsigned q)
{
	return d->transport->take_kicks ? d->transport->take_kicks(d, q) : -1;
}

void virtio_fail(struct virtio_dev *d, const char *why)
{
	d->failed = true;
	d->transport->failed(d, why);
}
