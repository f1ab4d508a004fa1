/* bus.h - port-I/O and MMIO dispatch from vCPU exits to devices.
 *
 * Devices register address ranges with a handler at set-up; after the vCPUs start the
 * bus is only read, so vCPU threads dispatch without a lock (devices lock themselves).
 * An access nobody claims is ignored: reads see all ones, as on a real floating bus,
 * and each unclaimed address is logged once. */
#ifndef BERTH_VMM_BUS_H
#define BERTH_VMM_BUS_H

#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>

#include "common/error.h"

/* A device's handler: offset is from the start of its range; data has len (1..8) bytes. */
typedef void (*bus_handler_fn)(void *opaque, uint64_t offset, uint8_t *data, uint32_t len,
			       bool is_write);

struct bus_range {
	uint64_t base, len;
	bus_handler_fn fn;
	void *opaque;
};

#define BUS_MAX_RANGES 32
#define BUS_MAX_LOGGED 64

struct bus {
	const char *name; /* "port" or "mmio", for log lines */
	unsigned nranges;
	struct bus_range ranges[BUS_MAX_RANGES]; /* sorted by base, never overlapping */
	pthread_mutex_t log_lock;
	unsigned nlogged;
	uint64_t logged[BUS_MAX_LOGGED]; /* addresses already reported as unclaimed */
};

/* Prepare an empty bus; name appears in log lines. */
void bus_init(struct bus *bus, const char *name);

/* Claim [base, base+len) for fn; fails if it overlaps a claimed range or the bus is full. */
int bus_register(struct bus *bus, uint64_t base, uint64_t len, bus_handler_fn fn, void *opaque,
		 struct berth_error *err);

/* Log, once per address, an access at addr that reached no device; for handlers of a range
 * that hand accesses on to devices inside it (PCI's BAR window). */
void bus_log_unclaimed(struct bus *bus, uint64_t addr, uint32_t len, bool is_write);

/* Hand an access to the device that claims addr; returns false (and logs once) when none does. */
bool bus_dispatch(struct bus *bus, uint64_t addr, uint8_t *data, uint32_t len, bool is_write);

#endif
