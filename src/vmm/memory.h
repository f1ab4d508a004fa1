/* memory.h - guest RAM and the one bounds-checked accessor through which the VMM reaches it.
 *
 * Guest RAM is one host mapping split into at most two guest-physical regions: low RAM
 * from 0 up to the 32-bit device hole, and the rest from 4 GiB upwards. Every read or
 * write of guest memory by any part of the VMM goes through gm_ptr(), which refuses a
 * range that is not wholly inside one region. */
#ifndef BERTH_VMM_MEMORY_H
#define BERTH_VMM_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* Below 4 GiB, RAM ends here; the rest up to 4 GiB is left for devices (IOAPIC, LAPIC, PCI). */
#define GM_HOLE_START 0xC0000000ULL
#define GM_HIGH_START 0x100000000ULL

struct gm_region {
	uint64_t gpa;  /* guest-physical start */
	uint64_t size; /* bytes */
	uint8_t *host; /* host address of gpa */
};

struct guest_mem {
	uint8_t *host;	   /* the whole mapping */
	uint64_t size;	   /* total RAM in bytes */
	bool prealloc;	   /* gm_prealloc() made all of it resident: keep it so */
	unsigned nregions; /* 1 or 2 */
	struct gm_region regions[2];
};

/* Map size bytes of anonymous guest RAM (not touched; the kernel backs it on demand). */
int gm_init(struct guest_mem *gm, uint64_t size, struct berth_error *err);

/* Make all of RAM resident now (so the guest never waits for host memory) and lock it
 * where RLIMIT_MEMLOCK allows (else say once why it is not locked); -1 if the host cannot
 * give that much memory. */
int gm_prealloc(struct guest_mem *gm, struct berth_error *err);

/* Describe caller-owned host memory as guest RAM (used by tests and fuzzers). */
void gm_init_from(struct guest_mem *gm, uint8_t *host, uint64_t size);

/* Unmap guest RAM mapped by gm_init(). */
void gm_destroy(struct guest_mem *gm);

/* Make all RAM read as zeroes again (used on guest reset): given back to the host, or
 * zeroed in place when it was preallocated. */
void gm_clear(struct guest_mem *gm);

/* Host pointer to [gpa, gpa+len) if that range lies wholly in guest RAM, else NULL. */
void *gm_ptr(const struct guest_mem *gm, uint64_t gpa, uint64_t len);

/* Copy len bytes from guest memory at gpa; -1 if the range is outside RAM. */
int gm_read(const struct guest_mem *gm, uint64_t gpa, void *buf, uint64_t len);

/* Copy len bytes into guest memory at gpa; -1 if the range is outside RAM. */
int gm_write(const struct guest_mem *gm, uint64_t gpa, const void *buf, uint64_t len);

/* Bytes of RAM below the 32-bit hole. */
uint64_t gm_low_size(const struct guest_mem *gm);

#endif
