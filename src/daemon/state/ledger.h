/* ledger.h - the promise that the host is never oversold. The ledger is the servers table:
 * a server's row is its reservation of vCPUs, memory and disk, recorded in the same
 * transaction (BEGIN IMMEDIATE) that checked it fits, so concurrent requests, even from two
 * processes on one database, can never reserve more than the capacity. Images hold disk
 * too: an image row's size (the blocks its files take) is reserved like a server's disk.
 *
 * The disk sold follows the state dir's file system as it is at each reservation:
 *   capacity = free (statvfs) + occupied - host_reserve_disk
 * where occupied is what the reservations already take on it: every image's size, and for
 * each server the blocks of the files of servers/NAME and servers/NAME.tmp, at most its
 * reservation. Those bytes are not in the fs's free space, so nothing is counted twice; and
 * free - (what is reserved but not yet written) - margin is what can still be given. */
#ifndef BERTH_DAEMON_LEDGER_H
#define BERTH_DAEMON_LEDGER_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "daemon/config.h"
#include "daemon/net/net_pool.h"
#include "daemon/servers/server.h"

/* What the host has (detected, or given on the command line). */
struct host_facts {
	unsigned cpus;	       /* online cores */
	uint64_t memory;       /* RAM */
	const char *state_dir; /* the disk sold is its file system's (read at each use) */
};

/* What servers may reserve in all, and the figures it came from. */
struct capacity {
	unsigned host_cpus;
	unsigned cores; /* online CPUs 0..cores-1: those a server's dedicated CPUs come from */
	uint64_t host_memory;
	double overcommit;
	uint64_t cpus, memory;
	const char *state_dir; /* disk: capacity follows this dir's file system (see above) */
	uint64_t disk_margin;  /* host_reserve_disk: kept free on that file system */
	struct net_pool pool;  /* addresses servers get (prefix 0: none, networks off) */
	uint32_t idmap_start, idmap_count; /* host ids containers' ranges are cut from */
};

/* Sums over every server row (creating and deleting ones hold their reservation too), and
 * the disk as the file system is now. */
struct usage {
	/* cpus: a dedicated CPU counts cpu_overcommit vCPUs (rounded up), as it leaves the
	 * shared pool; memory: the servers' RAM and their VMMs' overhead */
	uint64_t cpus, memory;
	unsigned dedicated;	/* host CPUs held by a server alone */
	uint64_t vmm_overhead;	/* of memory: what VMMs take beyond their guests' RAM */
	uint64_t disk;		/* servers' disks and images */
	uint64_t images;	/* of disk: the images' */
	uint64_t disk_total;	/* size of the state dir's file system */
	uint64_t disk_capacity; /* the rule above */
	unsigned servers;
};

/* A server to reserve. disk 0 means the image's size; the ledger records at least that. */
struct server_spec {
	char name[SERVER_NAME_MAX + 1];
	char image[SERVER_NAME_MAX + 1];
	enum server_kind kind;
	unsigned cpus;
	uint64_t memory, disk;
	uint64_t image_disk; /* a VM's: the length of its image's disk.img (0: none) */
	bool restart_always;
	bool privileged;	     /* a container without a user namespace */
	struct server_limits limits; /* its plan's; recorded after the reservation */
	bool dedicated_cpus;	     /* a VM whose host CPUs are its own (cpus of them) */
	char address[NET_ADDR_LEN];  /* out: the address of the pool it got, "" when none */
	uint32_t idmap;		     /* out: a container's first host id, 0 when none */
};

/* Cores and RAM; state_dir (kept by pointer) must be on a file system statvfs can read. */
int ledger_detect(const char *state_dir, struct host_facts *h, struct berth_error *err);

/* Capacity from host facts and settings: cores x cpu_overcommit - host_reserve_cpus, RAM -
 * host_reserve_memory (never overcommitted), disk by the rule above; the pool of
 * bridge_address when there is a bridge. A non-zero
 * cpus_override / memory_override is the capacity itself (berthd --host-cpus/--host-memory). */
void ledger_capacity(const struct host_facts *h, const struct config *c, unsigned cpus_override,
		     uint64_t memory_override, struct capacity *cap);

/* The reserved sums and the disk capacity now. */
int ledger_usage(sqlite3 *db, const struct capacity *cap, struct usage *u, struct berth_error *err);

/* Disk that can still be given now (capacity - reserved). An import streaming into the state
 * dir calls it as it writes: what it wrote is already gone from the fs's free space. */
int ledger_disk_free(sqlite3 *db, const struct capacity *cap, uint64_t *free,
		     struct berth_error *err);

/* Check spec fits and record it as a server in state 'creating', in one transaction. The
 * image must exist, be ready and of spec's kind. spec->disk gets what was reserved, and
 * spec->address a free address of cap's pool (if it has one), spec->idmap (a container that is
 * not privileged) the first id of a free range of CONFIG_IDMAP_SIZE ids of cap's id pool:
 * the lowest one, cut at START + k * 65536, that shares no id with another server's; a spec with
 * dedicated_cpus gets the lowest cpus of cap's cores no other server holds (dedicated_cpus.h).
 * errnum: EEXIST
 * name taken, ENOENT no image, ENOSPC does not fit or no free address or id range (the message says
 * what is free), EINVAL wrong image kind, EBUSY image not ready or database busy. */
int ledger_reserve(sqlite3 *db, const struct capacity *cap, struct server_spec *spec,
		   struct berth_error *err);

/* Change a server's reservation (0 keeps a value), checked in one transaction: a stopped
 * one's, or a running one's disk alone (*running says which). A disk never shrinks, nor do
 * dedicated CPUs change in number. errnum: ENOENT, EBUSY (neither stopped nor running, or
 * running and asked for other CPUs or memory), ENOSPC, EINVAL. */
int ledger_resize(sqlite3 *db, const struct capacity *cap, const char *name, unsigned cpus,
		  uint64_t memory, uint64_t disk, bool *running, struct berth_error *err);

/* Release a server's reservation: delete its row (the last step of deleting it). */
int ledger_release(sqlite3 *db, const char *name, struct berth_error *err);

#endif
