/* input_config.c - the tablet's virtio-input config space (see input_config.h). */
#include "input_config.h"

#include <string.h>

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

/* Set bit in a bitmap of data, and return the bytes up to and including it. */
static uint8_t set_bit(uint8_t *data, unsigned bit)
{
	data[bit / 8] |= (uint8_t)(1u << (bit % 8));
	return (uint8_t)(bit / 8 + 1);
}

/* The data select/subsel name, into data (128 bytes, zeroed); its size. */
static uint8_t vinput_config_data(uint8_t select, uint8_t subsel, uint8_t *data)
{
	switch (select) {
	case VINPUT_CFG_ID_NAME:
		if (subsel)
			return 0;
		memcpy(data, VINPUT_TABLET_NAME, sizeof(VINPUT_TABLET_NAME) - 1);
		return sizeof(VINPUT_TABLET_NAME) - 1;
	case VINPUT_CFG_ID_DEVIDS:
		if (subsel)
			return 0;
		put16(data, VINPUT_BUS_VIRTUAL);
		put16(data + 2, VINPUT_VENDOR_QEMU);
		put16(data + 4, VINPUT_PRODUCT_TAB);
		put16(data + 6, VINPUT_VERSION_TAB);
		return 8;
	case VINPUT_CFG_EV_BITS:
		switch (subsel) {
		case VINPUT_EV_KEY:
			set_bit(data, VINPUT_BTN_LEFT);
			set_bit(data, VINPUT_BTN_RIGHT);
			return set_bit(data, VINPUT_BTN_MIDDLE);
		case VINPUT_EV_REL:
			return set_bit(data, VINPUT_REL_WHEEL);
		case VINPUT_EV_ABS:
			set_bit(data, VINPUT_ABS_X);
			return set_bit(data, VINPUT_ABS_Y);
		default:
			return 0;
		}
	case VINPUT_CFG_ABS_INFO:
		if (subsel != VINPUT_ABS_X && subsel != VINPUT_ABS_Y)
			return 0;
		put32(data, 0);			 /* min */
		put32(data + 4, VINPUT_ABS_MAX); /* max; fuzz, flat and resolution 0 */
		return 20;
	default: /* unset, no serial, no properties, anything else */
		return 0;
	}
}

void vinput_config_read(const struct vinput_config *c, uint32_t off, uint8_t *buf, uint32_t len)
{
	uint8_t space[VINPUT_CONFIG_LEN] = { 0 };

	space[0] = c->select;
	space[1] = c->subsel;
	space[2] = vinput_config_data(c->select, c->subsel, space + VINPUT_CONFIG_DATA);
	memset(buf, 0, len);
	if (off < VINPUT_CONFIG_LEN)
		memcpy(buf, space + off,
		       len < VINPUT_CONFIG_LEN - off ? len : VINPUT_CONFIG_LEN - off);
}

void vinput_config_write(struct vinput_config *c, uint32_t off, const uint8_t *buf, uint32_t len)
{
	for (uint32_t i = 0; i < len && i < 2 && off < 2 - i; i++)
		*(off + i == 0 ? &c->select : &c->subsel) = buf[i];
}
