/* cmos.c - RTC and CMOS memory (see cmos.h; register map as QEMU's hw/rtc/mc146818rtc.c and
 * hw/i386/pc.c fill it). */
#include "cmos.h"

#include <string.h>
#include <time.h>

#define RTC_SECONDS	0x00
#define RTC_MINUTES	0x02
#define RTC_HOURS	0x04
#define RTC_DAY_OF_WEEK 0x06
#define RTC_DAY		0x07
#define RTC_MONTH	0x08
#define RTC_YEAR	0x09
#define RTC_REG_A	0x0a
#define RTC_REG_B	0x0b
#define RTC_REG_C	0x0c
#define RTC_REG_D	0x0d
#define RTC_B_24H	0x02
#define RTC_B_BINARY	0x04
#define RTC_D_VALID	0x80
#define CMOS_EXTMEM	0x17 /* RAM from 1 MiB to 64 MiB, in KiB (also at 0x30) */
#define CMOS_EXTMEM2	0x34 /* RAM from 16 MiB to the hole, in 64 KiB units */
#define CMOS_HIGHMEM	0x5b /* RAM above 4 GiB, in 64 KiB units, 3 bytes */
#define CMOS_SMP_COUNT	0x5f /* CPUs - 1 */
#define CMOS_CENTURY	0x32

static void put16(uint8_t *p, uint64_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void cmos_init(struct cmos *c, uint64_t low_ram, uint64_t high_ram, unsigned ncpus)
{
	uint64_t ext = low_ram > (1 << 20) ? (low_ram - (1 << 20)) >> 10 : 0;
	uint64_t ext2 = low_ram > (16 << 20) ? (low_ram - (16 << 20)) >> 16 : 0;
	uint64_t high = high_ram >> 16;

	/* glibc reads the time zone (/etc/localtime) on its first time conversion, gmtime_r's
	 * included: do it now, at set-up, not on a vCPU thread under its seccomp filter. */
	tzset();
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	c->ram[RTC_REG_A] = 0x26; /* 32.768 kHz base, 1024 Hz rate */
	c->ram[RTC_REG_B] = RTC_B_24H;
	c->ram[RTC_REG_D] = RTC_D_VALID;
	put16(c->ram + CMOS_EXTMEM, ext > 0xffff ? 0xffff : ext);
	put16(c->ram + 0x30, ext > 0xffff ? 0xffff : ext);
	put16(c->ram + CMOS_EXTMEM2, ext2 > 0xffff ? 0xffff : ext2);
	c->ram[CMOS_HIGHMEM] = (uint8_t)high;
	c->ram[CMOS_HIGHMEM + 1] = (uint8_t)(high >> 8);
	c->ram[CMOS_HIGHMEM + 2] = (uint8_t)(high >> 16);
	c->ram[CMOS_SMP_COUNT] = (uint8_t)(ncpus - 1);
	memcpy(c->ram_init, c->ram, sizeof(c->ram));
}

void cmos_reset(struct cmos *c)
{
	pthread_mutex_lock(&c->lock);
	memcpy(c->ram, c->ram_init, sizeof(c->ram));
	c->index = 0;
	pthread_mutex_unlock(&c->lock);
}

static uint8_t rtc_encode(const struct cmos *c, int v)
{
	return c->ram[RTC_REG_B] & RTC_B_BINARY ? (uint8_t)v : (uint8_t)((v / 10) << 4 | v % 10);
}

/* A clock register, from the host's time (UTC); lock held. */
static uint8_t rtc_read(const struct cmos *c, uint8_t reg)
{
	time_t now = time(NULL);
	struct tm tm;
	int hour;

	gmtime_r(&now, &tm);
	switch (reg) {
	case RTC_SECONDS:
		return rtc_encode(c, tm.tm_sec);
	case RTC_MINUTES:
		return rtc_encode(c, tm.tm_min);
	case RTC_HOURS:
		if (c->ram[RTC_REG_B] & RTC_B_24H)
			return rtc_encode(c, tm.tm_hour);
		hour = tm.tm_hour % 12 ? tm.tm_hour % 12 : 12;
		return (uint8_t)(rtc_encode(c, hour) | (tm.tm_hour >= 12 ? 0x80 : 0));
	case RTC_DAY_OF_WEEK:
		return rtc_encode(c, tm.tm_wday + 1);
	case RTC_DAY:
		return rtc_encode(c, tm.tm_mday);
	case RTC_MONTH:
		return rtc_encode(c, tm.tm_mon + 1);
	case RTC_YEAR:
		return rtc_encode(c, tm.tm_year % 100);
	case CMOS_CENTURY:
		return rtc_encode(c, 19 + tm.tm_year / 100);
	case RTC_REG_C:
		return 0; /* no interrupt flags: none are raised */
	default:
		return c->ram[reg]; /* alarms, A (never update-in-progress), B, D, NVRAM */
	}
}

void cmos_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct cmos *c = opaque;

	if (len != 1) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	pthread_mutex_lock(&c->lock);
	if (offset == 0) {
		if (is_write)
			c->index = data[0] & 0x7f; /* bit 7 masks NMIs: nothing to mask here */
		else
			data[0] = 0xff;
	} else if (!is_write) {
		data[0] = rtc_read(c, c->index);
	} else if (c->index > RTC_REG_D || c->index == RTC_REG_A || c->index == RTC_REG_B) {
		c->ram[c->index] = data[0]; /* A, B and NVRAM hold what is written */
	}
	pthread_mutex_unlock(&c->lock);
}
