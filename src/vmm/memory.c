/* memory.c - guest RAM layout and the bounds-checked accessor. */
#include "memory.h"

#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define GM_SMALL_PAGES (2ULL << 20)

static void gm_layout(struct guest_mem *gm, uint8_t *host, uint64_t size)
{
	uint64_t low = size < GM_HOLE_START ? size : GM_HOLE_START;

	memset(gm, 0, sizeof(*gm));
	gm->host = host;
	gm->size = size;
	gm->regions[0] = (struct gm_region){ .gpa = 0, .size = low, .host = host };
	gm->nregions = 1;
	if (size > low) {
		gm->regions[1] = (struct gm_region){ .gpa = GM_HIGH_START,
						     .size = size - low,
						     .host = host + low };
		gm->nregions = 2;
	}
}

/* Map size bytes of anonymous memory starting on a GM_SMALL_PAGES (2 MiB) boundary: a huge
 * host page then backs a whole 2 MiB guest-physical frame, which KVM can map with one nested
 * page table entry (one nested page fault per 2 MiB the guest touches instead of one per
 * 4 KiB; KVM maps a 2 MiB frame only when guest and host address agree modulo 2 MiB). mmap
 * aligns to 4 KiB only: map 2 MiB more and unmap the ends. */
static void *map_aligned(uint64_t size)
{
	uint8_t *p, *start;
	uint64_t head;

	p = mmap(NULL, size + GM_SMALL_PAGES, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return MAP_FAILED;
	head = (GM_SMALL_PAGES - (uintptr_t)p % GM_SMALL_PAGES) % GM_SMALL_PAGES;
	start = p + head;
	if (head)
		munmap(p, head);
	munmap(start + size, GM_SMALL_PAGES - head);
	return start;
}

int gm_init(struct guest_mem *gm, uint64_t size, struct berth_error *err)
{
	void *p;

	p = map_aligned(size);
	if (p == MAP_FAILED)
		return berr(err, errno, "cannot map %llu MiB of guest RAM",
			    (unsigned long long)(size >> 20));
	/* Huge pages where the host has them: fewer TLB misses in the guest and fewer nested page
	 * faults. Not for the first 2 MiB, where boot structures touch a few scattered pages: a
	 * huge page there would cost 2 MiB of host memory for a few KiB (also where the host
	 * gives every mapping huge pages unasked, transparent_hugepage=always). */
	if (size > GM_SMALL_PAGES) {
		madvise(p, GM_SMALL_PAGES, MADV_NOHUGEPAGE);
		madvise((uint8_t *)p + GM_SMALL_PAGES, size - GM_SMALL_PAGES, MADV_HUGEPAGE);
	}
	gm_layout(gm, p, size);
	return 0;
}

int gm_prealloc(struct guest_mem *gm, struct berth_error *err)
{
	/* MADV_POPULATE_WRITE fails with ENOMEM where merely touching the pages would wake the
	 * OOM killer. Kernels before 5.14 lack it: touch every page then. */
	if (madvise(gm->host, gm->size, MADV_POPULATE_WRITE) < 0) {
		long page = sysconf(_SC_PAGESIZE);

		if (errno != EINVAL)
			return berr(err, errno,
				    "cannot allocate %llu MiB of guest RAM up front (--prealloc)",
				    (unsigned long long)(gm->size >> 20));
		for (uint64_t off = 0; off < gm->size; off += (uint64_t)page)
			((volatile uint8_t *)gm->host)[off] = 0;
	}
	gm->prealloc = true;
	if (mlock(gm->host, gm->size) < 0)
		fprintf(
		    stderr,
		    "berth-vmm: guest RAM is allocated but not locked (%s): it may be swapped out; "
		    "raise RLIMIT_MEMLOCK or grant CAP_IPC_LOCK to lock it\n",
		    strerror(errno));
	return 0;
}

void gm_init_from(struct guest_mem *gm, uint8_t *host, uint64_t size)
{
	gm_layout(gm, host, size);
}

void gm_destroy(struct guest_mem *gm)
{
	if (gm->host)
		munmap(gm->host, gm->size);
	gm->host = NULL;
}

void gm_clear(struct guest_mem *gm)
{
	if (gm->prealloc)
		memset(gm->host, 0, gm->size); /* stays resident (and locked) */
	else
		madvise(gm->host, gm->size, MADV_DONTNEED);
}

void *gm_ptr(const struct guest_mem *gm, uint64_t gpa, uint64_t len)
{
	unsigned i;

	for (i = 0; i < gm->nregions; i++) {
		const struct gm_region *r = &gm->regions[i];

		/* Written so that no sum can overflow: offset and len are each bounded by size. */
		if (gpa >= r->gpa && gpa - r->gpa <= r->size && len <= r->size - (gpa - r->gpa))
			return r->host + (gpa - r->gpa);
	}
	return NULL;
}

int gm_read(const struct guest_mem *gm, uint64_t gpa, void *buf, uint64_t len)
{
	const void *p = gm_ptr(gm, gpa, len);

	if (!p)
		return -1;
	memcpy(buf, p, len);
	return 0;
}

int gm_write(const struct guest_mem *gm, uint64_t gpa, const void *buf, uint64_t len)
{
	void *p = gm_ptr(gm, gpa, len);

	if (!p)
		return -1;
	memcpy(p, buf, len);
	return 0;
}

uint64_t gm_low_size(const struct guest_mem *gm)
{
	return gm->regions[0].size;
}
