/* bus.c - address-range lookup and the log of unclaimed accesses. */
#include "bus.h"

#include <stdio.h>
#include <string.h>

void bus_init(struct bus *bus, const char *name)
{
	memset(bus, 0, sizeof(*bus));
	bus->name = name;
	pthread_mutex_init(&bus->log_lock, NULL);
}

int bus_register(struct bus *bus, uint64_t base, uint64_t len, bus_handler_fn fn, void *opaque,
		 struct berth_error *err)
{
	unsigned i, at;

	if (len == 0 || base + len < base)
		return berr(err, 0, "%s range at 0x%llx has a bad length", bus->name,
			    (unsigned long long)base);
	if (bus->nranges == BUS_MAX_RANGES)
		return berr(err, 0, "%s bus is full", bus->name);
	for (at = 0; at < bus->nranges && bus->ranges[at].base < base; at++)
		;
	for (i = 0; i < bus->nranges; i++) {
		const struct bus_range *r = &bus->ranges[i];

		if (base < r->base + r->len && r->base < base + len)
			return berr(err, 0, "%s range 0x%llx+%llu overlaps 0x%llx+%llu", bus->name,
				    (unsigned long long)base, (unsigned long long)len,
				    (unsigned long long)r->base, (unsigned long long)r->len);
	}
	memmove(&bus->ranges[at + 1], &bus->ranges[at],
		(bus->nranges - at) * sizeof(bus->ranges[0]));
	bus->ranges[at] =
	    (struct bus_range){ .base = base, .len = len, .fn = fn, .opaque = opaque };
	bus->nranges++;
	return 0;
}

void bus_log_unclaimed(struct bus *bus, uint64_t addr, uint32_t len, bool is_write)
{
	unsigned i;

	pthread_mutex_lock(&bus->log_lock);
	for (i = 0; i < bus->nlogged && i < BUS_MAX_LOGGED; i++)
		if (bus->logged[i] == addr)
			goto out;
	if (bus->nlogged < BUS_MAX_LOGGED) {
		bus->logged[bus->nlogged++] = addr;
		fprintf(stderr,
			"berth-vmm: ignored guest %s %s of %u byte%s at 0x%llx (no device there)\n",
			bus->name, is_write ? "write" : "read", len, len == 1 ? "" : "s",
			(unsigned long long)addr);
	} else if (bus->nlogged == BUS_MAX_LOGGED) {
		bus->nlogged++;
		fprintf(stderr, "berth-vmm: more ignored %s accesses; no longer logging them\n",
			bus->name);
	}
out:
	pthread_mutex_unlock(&bus->log_lock);
}

bool bus_dispatch(struct bus *bus, uint64_t addr, uint8_t *data, uint32_t len, bool is_write)
{
	unsigned lo = 0, hi = bus->nranges;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		const struct bus_range *r = &bus->ranges[mid];

		if (addr < r->base) {
			hi = mid;
		} else if (addr - r->base >= r->len) {
			lo = mid + 1;
		} else {
			r->fn(r->opaque, addr - r->base, data, len, is_write);
			return true;
		}
	}
	if (!is_write)
		memset(data, 0xff, len);
	bus_log_unclaimed(bus, addr, len, is_write);
	return false;
}
