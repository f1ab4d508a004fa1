/* pci_transport.c - virtio-pci, modern (see pci_transport.h). */
#include "pci_transport.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "common/ratelog.h"

/* BAR 0 layout. */
#define VP_BAR_SIZE    0x8000u
#define VP_COMMON      0x0000u
#define VP_COMMON_LEN  0x38u
#define VP_ISR	       0x1000u
#define VP_ISR_LEN     4u
#define VP_DEVICE      0x2000u
#define VP_DEVICE_MAX  0x1000u
#define VP_NOTIFY      0x3000u
#define VP_NOTIFY_MULT 4u
#define VP_MSIX_TABLE  0x4000u
#define VP_MSIX_PBA    0x5000u

/* Capability types (4.1.4). */
#define VP_CAP_COMMON 1
#define VP_CAP_NOTIFY 2
#define VP_CAP_ISR    3
#define VP_CAP_DEVICE 4

/* Device status bits (2.1). */
#define VS_ACKNOWLEDGE 1
#define VS_DRIVER      2
#define VS_DRIVER_OK   4
#define VS_FEATURES_OK 8
#define VS_NEEDS_RESET 0x40

#define VP_ISR_QUEUE  1
#define VP_ISR_CONFIG 2

#define VIRTIO_PCI_VENDOR      0x1AF4
#define VIRTIO_PCI_DEVICE_BASE 0x1040 /* + device ID: modern, non-transitional */
#define VIRTIO_PCI_SUBSYS      0x1100

static struct virtio_pci *vp_of(struct pci_dev *d)
{
	return (struct virtio_pci *)((char *)d - offsetof(struct virtio_pci, pci));
}

static void vp_raise(struct virtio_pci *vp, uint8_t isr_bit, uint16_t vector)
{
	if (msix_enabled(&vp->msix)) {
		if (vector != MSIX_NO_VECTOR)
			msix_notify(&vp->msix, vector);
		return;
	}
	pthread_mutex_lock(&vp->isr_lock);
	vp->isr |= isr_bit;
	pci_set_intx(&vp->pci, true);
	pthread_mutex_unlock(&vp->isr_lock);
}

/* Take the ISR bits and lower INTx (reading the ISR, a reset). */
static uint8_t vp_isr_take(struct virtio_pci *vp)
{
	uint8_t isr;

	pthread_mutex_lock(&vp->isr_lock);
	isr = vp->isr;
	vp->isr = 0;
	if (isr)
		pci_set_intx(&vp->pci, false);
	pthread_mutex_unlock(&vp->isr_lock);
	return isr;
}

/* Maybe without d->lock (a queue whose kicks the device took): the vector is read once. */
static void vp_interrupt(struct virtio_dev *d, unsigned q)
{
	struct virtio_pci *vp = d->transport_ctx;

	if (q < d->nqueues)
		vp_raise(vp, VP_ISR_QUEUE,
			 __atomic_load_n(&vp->q[q].msix_vector, __ATOMIC_RELAXED));
}

static void vp_config_changed(struct virtio_dev *d)
{
	struct virtio_pci *vp = d->transport_ctx;

	/* The generation tells a driver reading the config space that it changed under it;
	 * the interrupt goes only to a driver that runs (one still probing reads it anew). */
	vp->config_generation++;
	if (vp->status & VS_DRIVER_OK)
		vp_raise(vp, VP_ISR_CONFIG, vp->msix_config);
}

static void vp_failed(struct virtio_dev *d, const char *why)
{
	struct virtio_pci *vp = d->transport_ctx;

	/* A guest can break and reset its devices in a loop: these lines are rate-limited. */
	static struct ratelog rl = RATELOG_INIT;

	if (vp->status & VS_NEEDS_RESET)
		return;
	ratelog_printf(&rl, stderr,
		       "berth-vmm: %s: the guest driver broke the device (%s); it needs a reset",
		       d->name, why);
	vp->started = false;
	vp->status |= VS_NEEDS_RESET;
	vp_raise(vp, VP_ISR_CONFIG, vp->msix_config);
}

static void vp_kick(struct virtio_pci *vp, unsigned q);

static void vp_requeue(struct virtio_dev *d, unsigned q)
{
	vp_kick(d->transport_ctx, q);
}

static int vp_take_kicks(struct virtio_dev *d, unsigned q)
{
	struct virtio_pci *vp = d->transport_ctx;

	if (q >= d->nqueues || vp->kick_fd[q] < 0)
		return -1;
	if (!vp->kick_taken[q])
		loop_del(vp->loop, &vp->kick_src[q]);
	vp->kick_taken[q] = true;
	return vp->kick_fd[q];
}

static const struct virtio_transport_ops vp_transport_ops = {
	.interrupt = vp_interrupt,
	.config_changed = vp_config_changed,
	.failed = vp_failed,
	.requeue = vp_requeue,
	.take_kicks = vp_take_kicks,
};

/* Back to the state after power-on; d->lock held. */
static void vp_reset_locked(struct virtio_pci *vp)
{
	struct virtio_dev *d = vp->dev;

	d->ops->reset(d);
	d->negotiated = 0;
	d->failed = false;
	vp->started = false;
	vp->status = 0;
	vp->dfselect = vp->gfselect = 0;
	vp->driver_features = 0;
	vp->queue_select = 0;
	vp->msix_config = MSIX_NO_VECTOR;
	for (unsigned i = 0; i < d->nqueues; i++) {
		d->vq_enabled[i] = false;
		vp->q[i] = (struct virtio_pci_queue){ .size = d->queue_max,
						      .msix_vector = MSIX_NO_VECTOR };
	}
	vp_isr_take(vp);
}

/* The driver set DRIVER_OK: set up its queues and start the device; d->lock held. */
static void vp_start(struct virtio_pci *vp)
{
	struct virtio_dev *d = vp->dev;
	struct berth_error err = { 0 };

	d->negotiated = vp->driver_features;
	for (unsigned i = 0; i < d->nqueues; i++) {
		const struct virtio_pci_queue *q = &vp->q[i];

		d->vq_enabled[i] = q->enable;
		if (q->enable && virtq_init(&d->vqs[i], d->gm, q->size, q->desc, q->avail, q->used,
					    d->negotiated, &err)) {
			vp_failed(d, err.msg);
			return;
		}
	}
	if (d->ops->start(d)) {
		vp_failed(d, "the device could not start");
		return;
	}
	vp->started = true;
	/* Kicks that came before DRIVER_OK were ignored: have the event loop look at every
	 * queue once. Never here: this is a vCPU thread, and a queue another vCPU keeps
	 * refilling would hold it (and the MMIO write) for as long as the guest likes. */
	for (unsigned i = 0; i < d->nqueues; i++)
		if (d->vq_enabled[i])
			vp_kick(vp, i);
}

static void vp_write_status(struct virtio_pci *vp, uint8_t v)
{
	struct virtio_dev *d = vp->dev;

	if (v == 0) {
		vp_reset_locked(vp);
		return;
	}
	/* FEATURES_OK sticks only for a subset of what we offer that includes VERSION_1. */
	if ((v & VS_FEATURES_OK) && !(vp->status & VS_FEATURES_OK) &&
	    ((vp->driver_features & ~d->features) ||
	     !(vp->driver_features >> VIRTIO_F_VERSION_1 & 1)))
		v &= (uint8_t)~VS_FEATURES_OK;
	if ((v & VS_DRIVER_OK) && !(v & VS_FEATURES_OK))
		v &= (uint8_t)~VS_DRIVER_OK;
	v = (uint8_t)((v & ~VS_NEEDS_RESET) | (vp->status & VS_NEEDS_RESET));
	/* A device that needs a reset serves nothing until it gets one (writing 0): clearing
	 * and setting DRIVER_OK again does not start it. */
	if ((v & VS_DRIVER_OK) && !(vp->status & VS_DRIVER_OK) && !(v & VS_NEEDS_RESET)) {
		vp->status = v;
		vp_start(vp);
		return;
	}
	vp->status = v;
}

static void vp_common_read(struct virtio_pci *vp, uint64_t off, uint8_t *data, uint32_t len)
{
	struct virtio_dev *d = vp->dev;
	uint8_t r[VP_COMMON_LEN] = { 0 };
	const struct virtio_pci_queue *q =
	    vp->queue_select < d->nqueues ? &vp->q[vp->queue_select] : NULL;

	pci_put32(r + 0x00, vp->dfselect);
	if (vp->dfselect < 2)
		pci_put32(r + 0x04, (uint32_t)(d->features >> (32 * vp->dfselect)));
	pci_put32(r + 0x08, vp->gfselect);
	if (vp->gfselect < 2)
		pci_put32(r + 0x0C, (uint32_t)(vp->driver_features >> (32 * vp->gfselect)));
	pci_put16(r + 0x10, vp->msix_config);
	pci_put16(r + 0x12, (uint16_t)d->nqueues);
	r[0x14] = vp->status;
	r[0x15] = vp->config_generation;
	pci_put16(r + 0x16, vp->queue_select);
	if (q) {
		pci_put16(r + 0x18, q->size);
		pci_put16(r + 0x1A, q->msix_vector);
		pci_put16(r + 0x1C, q->enable);
		pci_put16(r + 0x1E, vp->queue_select); /* notify slot = queue index */
		pci_put32(r + 0x20, (uint32_t)q->desc);
		pci_put32(r + 0x24, (uint32_t)(q->desc >> 32));
		pci_put32(r + 0x28, (uint32_t)q->avail);
		pci_put32(r + 0x2C, (uint32_t)(q->avail >> 32));
		pci_put32(r + 0x30, (uint32_t)q->used);
		pci_put32(r + 0x34, (uint32_t)(q->used >> 32));
	}
	memcpy(data, r + off, len);
}

/* Write half (hi or lo) of a 64-bit queue address. */
static void vp_put_half(uint64_t *field, bool hi, uint32_t v)
{
	*field = hi ? (*field & 0xFFFFFFFFULL) | (uint64_t)v << 32 : (*field & ~0xFFFFFFFFULL) | v;
}

static uint16_t vp_vector(const struct virtio_pci *vp, uint16_t v)
{
	return v < vp->msix.nvec ? v : MSIX_NO_VECTOR; /* read back as "could not map" */
}

static void vp_common_write(struct virtio_pci *vp, uint64_t off, const uint8_t *data, uint32_t len)
{
	struct virtio_dev *d = vp->dev;
	struct virtio_pci_queue *q =
	    vp->queue_select < d->nqueues ? &vp->q[vp->queue_select] : NULL;
	/* Queue set-up is frozen once the driver is running. */
	bool q_ok = q && !(vp->status & VS_DRIVER_OK);
	uint32_t v = len == 4 ? pci_get32(data) : len == 2 ? pci_get16(data) : data[0];

	if (len == 8 && (off == 0x20 || off == 0x28 || off == 0x30)) {
		if (q_ok) {
			uint64_t *field = off == 0x20	? &q->desc
					  : off == 0x28 ? &q->avail
							: &q->used;

			*field = (uint64_t)pci_get32(data + 4) << 32 | pci_get32(data);
		}
		return;
	}
	switch (off << 4 | len) {
	case 0x00 << 4 | 4:
		vp->dfselect = v;
		break;
	case 0x08 << 4 | 4:
		vp->gfselect = v;
		break;
	case 0x0C << 4 | 4:
		if (vp->gfselect < 2 && !(vp->status & VS_FEATURES_OK))
			vp->driver_features =
			    vp->gfselect ? (vp->driver_features & 0xFFFFFFFFULL) | (uint64_t)v << 32
					 : (vp->driver_features & ~0xFFFFFFFFULL) | v;
		break;
	case 0x10 << 4 | 2:
		vp->msix_config = vp_vector(vp, (uint16_t)v);
		break;
	case 0x14 << 4 | 1:
		vp_write_status(vp, (uint8_t)v);
		break;
	case 0x16 << 4 | 2:
		vp->queue_select = (uint16_t)v;
		break;
	case 0x18 << 4 | 2:
		if (q_ok) /* checked by virtq_init at DRIVER_OK: a power of two up to queue_max */
			q->size = (uint16_t)(v <= d->queue_max ? v : 0);
		break;
	case 0x1A << 4 | 2:
		if (q) /* read by vp_interrupt, maybe on a thread without d->lock */
			__atomic_store_n(&q->msix_vector, vp_vector(vp, (uint16_t)v),
					 __ATOMIC_RELAXED);
		break;
	case 0x1C << 4 | 2:
		if (q_ok)
			q->enable = v == 1;
		break;
	case 0x20 << 4 | 4:
	case 0x24 << 4 | 4:
		if (q_ok)
			vp_put_half(&q->desc, off == 0x24, v);
		break;
	case 0x28 << 4 | 4:
	case 0x2C << 4 | 4:
		if (q_ok)
			vp_put_half(&q->avail, off == 0x2C, v);
		break;
	case 0x30 << 4 | 4:
	case 0x34 << 4 | 4:
		if (q_ok)
			vp_put_half(&q->used, off == 0x34, v);
		break;
	default:
		break; /* read-only fields and odd widths are ignored */
	}
}

static void vp_kick(struct virtio_pci *vp, unsigned q)
{
	static struct ratelog rl = RATELOG_INIT;
	uint64_t one = 1;

	if (q < vp->dev->nqueues && write(vp->kick_fd[q], &one, sizeof(one)) < 0 && errno != EAGAIN)
		ratelog_printf(&rl, stderr, "berth-vmm: queue eventfd: %s", strerror(errno));
}

/* Every guest access to BAR 0, on a vCPU thread. */
static void vp_bar_access(struct pci_dev *pd, unsigned bar, uint64_t off, uint8_t *data,
			  uint32_t len, bool is_write)
{
	struct virtio_pci *vp = vp_of(pd);
	struct virtio_dev *d = vp->dev;

	if (!is_write)
		memset(data, 0, len);
	if (bar != 0 || len == 0 || len > 8)
		return;
	if (off >= VP_MSIX_TABLE && off < VP_MSIX_TABLE + MSIX_TABLE_BYTES(vp->msix.nvec)) {
		msix_table_access(&vp->msix, off - VP_MSIX_TABLE, data, len, is_write);
	} else if (off >= VP_MSIX_PBA && off < VP_MSIX_PBA + MSIX_PBA_BYTES(vp->msix.nvec)) {
		msix_pba_access(&vp->msix, off - VP_MSIX_PBA, data, len, is_write);
	} else if (off >= VP_NOTIFY && off < VP_NOTIFY + VP_NOTIFY_MULT * d->nqueues) {
		if (is_write) /* only when the ioeventfd did not catch it (other width, none bound)
			       */
			vp_kick(vp, (unsigned)((off - VP_NOTIFY) / VP_NOTIFY_MULT));
	} else {
		pthread_mutex_lock(&d->lock);
		if (off + len <= VP_COMMON_LEN) {
			if (is_write)
				vp_common_write(vp, off, data, len);
			else
				vp_common_read(vp, off, data, len);
		} else if (off == VP_ISR && !is_write) {
			/* Reading the ISR acknowledges it and lowers INTx. */
			data[0] = vp_isr_take(vp);
		} else if (off >= VP_DEVICE && off - VP_DEVICE + len <= d->config_len) {
			if (!is_write)
				d->ops->config_read(d, (uint32_t)(off - VP_DEVICE), data, len);
			else if (d->ops->config_write)
				d->ops->config_write(d, (uint32_t)(off - VP_DEVICE), data, len);
		}
		pthread_mutex_unlock(&d->lock);
	}
}

/* Bind (or with unbind, release) the queues' notify slots at vp->notify_addr to their eventfds. */
static void vp_ioeventfds(struct virtio_pci *vp, bool unbind)
{
	/* Fails whenever the guest moves one BAR onto another, as often as it likes. */
	static struct ratelog rl = RATELOG_INIT;

	for (unsigned i = 0; i < vp->dev->nqueues; i++) {
		struct kvm_ioeventfd e = {
			.addr = vp->notify_addr + VP_NOTIFY + VP_NOTIFY_MULT * i,
			.len = 2, /* the driver writes the 16-bit queue index */
			.fd = vp->kick_fd[i],
			.flags = unbind ? KVM_IOEVENTFD_FLAG_DEASSIGN : 0,
		};

		/* Without it kicks still work, by an exit through vp_bar_access: slower, not wrong.
		 */
		if (ioctl(vp->vm_fd, KVM_IOEVENTFD, &e) < 0 && !unbind)
			ratelog_printf(&rl, stderr, "berth-vmm: %s: KVM_IOEVENTFD: %s",
				       vp->dev->name, strerror(errno));
	}
}

/* Follow BAR 0 to where it decodes now; called with the bus's config lock held. */
static void vp_rebind(struct virtio_pci *vp)
{
	uint64_t want = vp->vm_fd >= 0 ? vp->bar_addr : 0;

	if (want == vp->notify_addr)
		return;
	if (vp->notify_addr)
		vp_ioeventfds(vp, true);
	vp->notify_addr = want;
	if (want)
		vp_ioeventfds(vp, false);
}

static void vp_bar_mapped(struct pci_dev *pd, unsigned bar, uint64_t addr)
{
	struct virtio_pci *vp = vp_of(pd);

	if (bar != 0)
		return;
	vp->bar_addr = addr;
	vp_rebind(vp);
}

static void vp_config_written(struct pci_dev *pd, uint32_t off, uint32_t len)
{
	msix_config_written(&vp_of(pd)->msix, off, len);
}

static const struct pci_dev_ops vp_pci_ops = {
	.bar_access = vp_bar_access,
	.config_written = vp_config_written,
	.bar_mapped = vp_bar_mapped,
};

static void vp_on_kick(struct loop_source *src, uint32_t events)
{
	struct virtio_pci *vp = src->opaque;
	unsigned q = (unsigned)(src - vp->kick_src);
	struct virtio_dev *d = vp->dev;
	uint64_t n;

	(void)events;
	if (read(src->fd, &n, sizeof(n)) < 0)
		return;
	pthread_mutex_lock(&d->lock);
	if (vp->started && d->vq_enabled[q])
		d->ops->notify(d, q);
	pthread_mutex_unlock(&d->lock);
}

static void vp_add_cap(struct virtio_pci *vp, uint8_t type, uint32_t off, uint32_t len, bool notify)
{
	uint8_t body[18] = { 0 };
	uint8_t n = notify ? 18 : 14;

	body[0] = (uint8_t)(n + 2); /* cap_len counts the id and next bytes */
	body[1] = type;
	body[2] = 0; /* BAR */
	pci_put32(body + 6, off);
	pci_put32(body + 10, len);
	if (notify)
		pci_put32(body + 14, VP_NOTIFY_MULT);
	pci_add_cap(&vp->pci, PCI_CAP_ID_VNDR, body, n);
}

static uint32_t vp_class(uint16_t device_id)
{
	switch (device_id) {
	case VIRTIO_ID_NET:
		return 0x020000; /* network controller, Ethernet */
	case VIRTIO_ID_BLK:
		return 0x018000; /* mass storage, other */
	case VIRTIO_ID_INPUT:
		return 0x098000; /* input device controller, other (as QEMU's) */
	default:
		return 0xFF0000; /* unclassified */
	}
}

int virtio_pci_init(struct virtio_pci *vp, struct virtio_dev *dev, struct pci_bus *bus,
		    struct msi_router *router, struct loop *loop, struct berth_error *err)
{
	unsigned i;

	memset(vp, 0, sizeof(*vp));
	vp->dev = dev;
	vp->loop = loop;
	vp->vm_fd = -1;
	pthread_mutex_init(&vp->isr_lock, NULL);
	for (i = 0; i < VIRTIO_MAX_QUEUES; i++)
		vp->kick_fd[i] = -1;
	dev->transport = &vp_transport_ops;
	dev->transport_ctx = vp;
	if (dev->nqueues == 0 || dev->nqueues > VIRTIO_MAX_QUEUES ||
	    dev->config_len > VP_DEVICE_MAX)
		return berr(err, 0, "%s: unsupported queue count or config size", dev->name);
	pci_dev_init(&vp->pci, &vp_pci_ops, VIRTIO_PCI_VENDOR,
		     (uint16_t)(VIRTIO_PCI_DEVICE_BASE + dev->device_id), vp_class(dev->device_id),
		     VIRTIO_PCI_VENDOR, VIRTIO_PCI_SUBSYS);
	vp->pci.cfg[PCI_REVISION_ID] = 1; /* modern devices have revision 1 or more */
	pci_dev_set_bar(&vp->pci, 0, VP_BAR_SIZE);
	vp_add_cap(vp, VP_CAP_COMMON, VP_COMMON, VP_COMMON_LEN, false);
	vp_add_cap(vp, VP_CAP_NOTIFY, VP_NOTIFY, VP_NOTIFY_MULT * dev->nqueues, true);
	vp_add_cap(vp, VP_CAP_ISR, VP_ISR, VP_ISR_LEN, false);
	if (dev->config_len)
		vp_add_cap(vp, VP_CAP_DEVICE, VP_DEVICE, dev->config_len, false);
	if (msix_init(&vp->msix, &vp->pci, router, dev->nqueues + 1, 0, VP_MSIX_TABLE, VP_MSIX_PBA,
		      err))
		return -1;
	for (i = 0; i < dev->nqueues; i++) {
		vp->kick_fd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (vp->kick_fd[i] < 0)
			return berr(err, errno, "%s: eventfd", dev->name);
		vp->kick_src[i] =
		    (struct loop_source){ .fd = vp->kick_fd[i], .fn = vp_on_kick, .opaque = vp };
		if (loop_add(loop, &vp->kick_src[i], err))
			return -1;
	}
	pthread_mutex_lock(&dev->lock);
	vp_reset_locked(vp);
	pthread_mutex_unlock(&dev->lock);
	return pci_bus_add(bus, &vp->pci, err);
}

int virtio_pci_attach(struct virtio_pci *vp, int vm_fd, struct berth_error *err)
{
	(void)err;
	pthread_mutex_lock(&vp->pci.bus->lock);
	if (vm_fd < 0)
		vp->notify_addr = 0; /* the old VM and its ioeventfds are going away with it */
	vp->vm_fd = vm_fd;
	vp_rebind(vp);
	pthread_mutex_unlock(&vp->pci.bus->lock);
	return 0;
}

void virtio_pci_reset(struct virtio_pci *vp)
{
	pthread_mutex_lock(&vp->dev->lock);
	vp_reset_locked(vp);
	pthread_mutex_unlock(&vp->dev->lock);
	msix_reset(&vp->msix);
}

void virtio_pci_destroy(struct virtio_pci *vp)
{
	if (!vp->dev)
		return;
	virtio_pci_reset(vp);
	for (unsigned i = 0; i < VIRTIO_MAX_QUEUES; i++) {
		if (vp->kick_fd[i] < 0)
			continue;
		if (!vp->kick_taken[i])
			loop_del(vp->loop, &vp->kick_src[i]);
		close(vp->kick_fd[i]);
	}
	vp->dev->ops->destroy(vp->dev);
	vp->dev = NULL;
	pthread_mutex_destroy(&vp->isr_lock);
}
