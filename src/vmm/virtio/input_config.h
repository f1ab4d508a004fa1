/* input_config.h - virtio-input's device config space (virtio 1.x, 5.8.4) as a tablet
 * answers it: the driver writes select and subsel, then reads size and the data they name.
 *
 * The tablet is QEMU's virtio-tablet, as Linux's virtio_input and user space know it: name
 * "QEMU Virtio Tablet", BUS_VIRTUAL 0627:0003 version 2, buttons BTN_LEFT/RIGHT/MIDDLE, the
 * wheel as REL_WHEEL, ABS_X and ABS_Y from 0 to VINPUT_ABS_MAX. Both bytes the driver may
 * write are plain numbers that only choose what a read returns, so any value is harmless:
 * a selection with nothing behind it reads size 0. */
#ifndef BERTH_VMM_VIRTIO_INPUT_CONFIG_H
#define BERTH_VMM_VIRTIO_INPUT_CONFIG_H

#include <stdint.h>

/* What select names (5.8.4). */
#define VINPUT_CFG_UNSET     0x00
#define VINPUT_CFG_ID_NAME   0x01
#define VINPUT_CFG_ID_SERIAL 0x02
#define VINPUT_CFG_ID_DEVIDS 0x03
#define VINPUT_CFG_PROP_BITS 0x10
#define VINPUT_CFG_EV_BITS   0x11
#define VINPUT_CFG_ABS_INFO  0x12

/* select, subsel, size, 5 reserved bytes, then 128 bytes of data. */
#define VINPUT_CONFIG_LEN  136
#define VINPUT_CONFIG_DATA 8

/* Linux's event types and codes (linux/input-event-codes.h), as the wire carries them. */
#define VINPUT_EV_SYN	   0x00
#define VINPUT_EV_KEY	   0x01
#define VINPUT_EV_REL	   0x02
#define VINPUT_EV_ABS	   0x03
#define VINPUT_SYN_REPORT  0
#define VINPUT_BTN_LEFT	   0x110
#define VINPUT_BTN_RIGHT   0x111
#define VINPUT_BTN_MIDDLE  0x112
#define VINPUT_REL_WHEEL   0x08
#define VINPUT_ABS_X	   0x00
#define VINPUT_ABS_Y	   0x01
#define VINPUT_ABS_MAX	   0x7FFF
#define VINPUT_TABLET_NAME "QEMU Virtio Tablet"
#define VINPUT_BUS_VIRTUAL 0x06
#define VINPUT_VENDOR_QEMU 0x0627
#define VINPUT_PRODUCT_TAB 0x0003
#define VINPUT_VERSION_TAB 0x0002

struct vinput_config {
	uint8_t select, subsel; /* as the driver last wrote them */
};

/* Copy len bytes of the config space at off into buf (bytes past it read zero). */
void vinput_config_read(const struct vinput_config *c, uint32_t off, uint8_t *buf, uint32_t len);

/* The driver writes len bytes at off: select and subsel take theirs, the rest is read-only. */
void vinput_config_write(struct vinput_config *c, uint32_t off, const uint8_t *buf, uint32_t len);

#endif
