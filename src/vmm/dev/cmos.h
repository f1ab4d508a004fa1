/* cmos.h - the MC146818 real-time clock and its CMOS memory at ports 0x70 (index) and 0x71
 * (data), as firmware reads them: the time from the host's clock (UTC), and the RAM-size
 * registers SeaBIOS and QEMU agree on.
 *
 * The guest's index may be any byte: it is masked to the 128 bytes there are. Writes to the
 * clock's registers do not move the clock (it always reads the host's time); its alarm,
 * periodic and update interrupts are not modelled (register C reads 0). */
#ifndef BERTH_VMM_DEV_CMOS_H
#define BERTH_VMM_DEV_CMOS_H

#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>

#define CMOS_PORT  0x70
#define CMOS_PORTS 2

struct cmos {
	pthread_mutex_t lock;
	uint8_t index;
	uint8_t ram[128];
	uint8_t ram_init[128]; /* power-on contents, for a guest reset */
};

/* Power-on contents for a guest with low_ram bytes below 4 GiB, high_ram above, ncpus CPUs. */
void cmos_init(struct cmos *c, uint64_t low_ram, uint64_t high_ram, unsigned ncpus);

/* Back to power-on contents (on guest reset). */
void cmos_reset(struct cmos *c);

/* Bus handler for ports 0x70-0x71. */
void cmos_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

#endif
