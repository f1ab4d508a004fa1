/* Unit tests for src/daemon/state/ledger.c: reservations fit the capacity, also when many threads
 * (each with its own connection, as in berthd) reserve at once. */
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "daemon/state/db.h"
#include "daemon/images/disk_size.h"
#include "daemon/state/ledger.h"
#include "daemon/servers/vm_cgroup.h"

#define GIB (1ULL << 30)
#define MIB (1ULL << 20)

static char dir[64];
static char path[PATH_MAX];
/* disk: the file system of /tmp, as it is (a real one), nothing kept free */
static struct capacity cap = { .host_cpus = 4,
			       .host_memory = 2 * GIB,
			       .overcommit = 1.0,
			       .cpus = 4,
			       .memory = 2 * GIB,
			       .state_dir = dir,
			       .idmap_start = 1000000,
			       .idmap_count = 1000000000 };

static int setup(void **state)
{
	struct berth_error err = { 0 };
	sqlite3 *c;

	*state = NULL;
	snprintf(dir, sizeof(dir), "/tmp/berthd-ledger.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/berth.db", dir);
	assert_int_equal(db_connect(path, &c, &err), 0);
	assert_int_equal(db_migrate(c, &err), 0);
	assert_int_equal(db_exec(c,
				 "INSERT INTO images (name, kind, state, size, created) VALUES "
				 "('busybox', 'ct', 'ready', 1048576, 0);"
				 "INSERT INTO images (name, kind, state, size, created) VALUES "
				 "('kern', 'vm', 'ready', 0, 0);"
				 "INSERT INTO images (name, kind, state, size, created) VALUES "
				 "('half', 'ct', 'importing', 0, 0);",
				 &err),
			 0);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	sqlite3_close_v2(*state);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static struct server_spec spec(const char *name, unsigned cpus, uint64_t memory)
{
	struct server_spec s = { .kind = KIND_CT, .cpus = cpus, .memory = memory };

	snprintf(s.name, sizeof(s.name), "%s", name);
	snprintf(s.image, sizeof(s.image), "busybox");
	return s;
}

/* What ledger_resize said of the server's state. */
static bool running;

static void refuses_what_does_not_fit(void **state)
{
	struct berth_error err = { 0 };
	struct server_spec a = spec("a", 1, GIB), b = spec("b", 1, GIB), c = spec("c", 1, GIB);
	sqlite3 *db = *state, *other;
	struct usage u;

	/* Two connections, as two berthd processes on one database would have. */
	assert_int_equal(db_connect(path, &other, &err), 0);
	assert_int_equal(ledger_reserve(db, &cap, &a, &err), 0);
	/* disk 0: a container's disk holds the image's tree (1 MiB), with headroom */
	assert_int_equal(a.disk, ct_disk_min(MIB) + CT_DISK_HEADROOM);
	assert_int_equal(ledger_reserve(other, &cap, &b, &err), 0);
	assert_int_equal(ledger_reserve(other, &cap, &c, &err), -1);
	assert_int_equal(err.errnum, ENOSPC);
	assert_string_equal(err.msg, "not enough memory: asked 1 GiB, free 0 bytes of 2 GiB");
	assert_int_equal(ledger_reserve(db, &cap, &a, &err), -1);
	assert_int_equal(err.errnum, EEXIST);
	assert_int_equal(ledger_usage(other, &cap, &u, &err), 0);
	assert_int_equal(u.servers, 2);
	assert_int_equal(u.memory, 2 * GIB);
	assert_int_equal(u.cpus, 2);
	assert_int_equal(ledger_release(db, "b", &err), 0);
	c = spec("c", 3, 512 * MIB);
	assert_int_equal(ledger_reserve(other, &cap, &c, &err), 0);
	c = spec("d", 1, 256 * MIB);
	assert_int_equal(ledger_reserve(db, &cap, &c, &err), -1);
	assert_string_equal(err.msg, "not enough CPUs: asked 1, free 0 of 4");
	sqlite3_close_v2(other);
}

/* A VM's VMM takes memory beyond its guest's RAM (vm_cgroup.h): the ledger sells it too, so
 * RAM alone that would fit is refused when the overhead does not. */
static void reserves_the_vmm_overhead(void **state)
{
	struct berth_error err = { 0 };
	struct server_spec v = spec("v", 1, GIB), w = spec("w", 1, GIB);
	uint64_t over = vm_memory_charged(GIB) - GIB;
	sqlite3 *db = *state;
	struct usage u;

	v.kind = w.kind = KIND_VM;
	snprintf(v.image, sizeof(v.image), "kern");
	snprintf(w.image, sizeof(w.image), "kern");
	assert_int_equal(over, 48 * MIB + GIB / 64);
	assert_int_equal(ledger_reserve(db, &cap, &v, &err), 0);
	assert_int_equal(ledger_usage(db, &cap, &u, &err), 0);
	assert_int_equal(u.memory, GIB + over);
	assert_int_equal(u.vmm_overhead, over);
	/* 1 GiB of RAM is free, its VMM's overhead is not */
	assert_int_equal(ledger_reserve(db, &cap, &w, &err), -1);
	assert_int_equal(err.errnum, ENOSPC);
	assert_string_equal(err.msg, "not enough memory: asked 1 GiB (and 64 MiB for its VMM), "
				     "free 960 MiB of 2 GiB");
	/* a container of the same size has no VMM */
	w = spec("w", 1, GIB - over);
	assert_int_equal(ledger_reserve(db, &cap, &w, &err), 0);
	/* a resize counts the overhead of the new size */
	assert_int_equal(ledger_release(db, "w", &err), 0);
	assert_int_equal(db_exec(db, "UPDATE servers SET state = 'stopped' WHERE name = 'v'", &err),
			 0);
	assert_int_equal(ledger_resize(db, &cap, "v", 0, 2 * GIB, 0, &running, &err), -1);
	assert_int_equal(err.errnum, ENOSPC);
	assert_int_equal(ledger_resize(db, &cap, "v", 0, 2 * GIB - 96 * MIB, 0, &running, &err), 0);
}

static void checks_the_image(void **state)
{
	struct berth_error err = { 0 };
	struct server_spec s = spec("x", 1, MIB);

	snprintf(s.image, sizeof(s.image), "nope");
	assert_int_equal(ledger_reserve(*state, &cap, &s, &err), -1);
	assert_int_equal(err.errnum, ENOENT);
	assert_contains(err.msg, "no image nope");
	snprintf(s.image, sizeof(s.image), "kern");
	assert_int_equal(ledger_reserve(*state, &cap, &s, &err), -1);
	assert_contains(err.msg, "image kern is a vm image, not a ct one");
	snprintf(s.image, sizeof(s.image), "half");
	assert_int_equal(ledger_reserve(*state, &cap, &s, &err), -1);
	assert_int_equal(err.errnum, EBUSY);
	s.memory = 0;
	assert_int_equal(ledger_reserve(*state, &cap, &s, &err), -1);
	assert_int_equal(err.errnum, EINVAL);
}

static void sizes_the_disk_by_the_image(void **state)
{
	struct berth_error err = { 0 };
	struct server_spec s = spec("d", 1, MIB), v = spec("v", 1, MIB);

	/* a container's disk must hold the image's tree: refused, and nothing reserved */
	s.disk = 4 * MIB;
	assert_int_equal(ledger_reserve(*state, &cap, &s, &err), -1);
	assert_int_equal(err.errnum, EINVAL);
	assert_contains(err.msg, "disk too small: asked 4 MiB");
	s.disk = 64 * MIB;
	assert_int_equal(ledger_reserve(*state, &cap, &s, &err), 0);
	assert_int_equal(s.disk, 64 * MIB);
	/* a VM's disk is at least its image's disk; this image (kernel and initrd taking 5 MiB)
	 * has none */
	assert_int_equal(
	    db_exec(*state, "UPDATE images SET size = 5242880 WHERE name = 'kern'", &err), 0);
	v.kind = KIND_VM;
	snprintf(v.image, sizeof(v.image), "kern");
	assert_int_equal(ledger_reserve(*state, &cap, &v, &err), 0);
	assert_int_equal(v.disk, 0);
	/* the length of the image's disk, not the blocks the image takes (a sparse disk
	 * would be sold short of what its copy can grow to) */
	v = spec("w", 1, MIB);
	v.kind = KIND_VM;
	snprintf(v.image, sizeof(v.image), "kern");
	v.image_disk = 64 * MIB;
	assert_int_equal(ledger_reserve(*state, &cap, &v, &err), 0);
	assert_int_equal(v.disk, 64 * MIB);
}

static void resizes_stopped_servers(void **state)
{
	struct berth_error err = { 0 };
	struct server_spec s = spec("r", 1, GIB);
	sqlite3 *db = *state;

	assert_int_equal(ledger_reserve(db, &cap, &s, &err), 0);
	assert_int_equal(ledger_resize(db, &cap, "r", 2, 0, 0, &running, &err), -1);
	assert_int_equal(err.errnum, EBUSY); /* still creating */
	assert_int_equal(db_exec(db, "UPDATE servers SET state = 'stopped'", &err), 0);
	assert_int_equal(ledger_resize(db, &cap, "r", 2, 0, 0, &running, &err), 0);
	assert_int_equal(ledger_resize(db, &cap, "r", 0, 3 * GIB, 0, &running, &err), -1);
	assert_contains(err.msg, "not enough memory: asked 3 GiB, free 2 GiB of 2 GiB");
	assert_int_equal(ledger_resize(db, &cap, "r", 0, 2 * GIB, 0, &running, &err), 0);
	assert_int_equal(ledger_resize(db, &cap, "r", 0, 0, 1, &running, &err), -1);
	assert_contains(err.msg, "cannot shrink");
	assert_int_equal(ledger_resize(db, &cap, "gone", 1, 0, 0, &running, &err), -1);
	assert_int_equal(err.errnum, ENOENT);
	assert_int_equal(ledger_release(db, "r", &err), 0);
}

/* A running server's disk grows (grow only, within the free disk); its CPUs and memory
 * do not change until it is stopped; one starting or stopping is not resized at all. */
static void grows_running_disks(void **state)
{
	struct berth_error err = { 0 };
	struct server_spec s = spec("r", 1, GIB);
	sqlite3 *db = *state;
	uint64_t disk;

	assert_int_equal(ledger_reserve(db, &cap, &s, &err), 0);
	disk = s.disk;
	assert_int_equal(db_exec(db, "UPDATE servers SET state = 'running'", &err), 0);
	assert_int_equal(ledger_resize(db, &cap, "r", 0, 0, disk + MIB, &running, &err), 0);
	assert_true(running);
	assert_int_equal(ledger_resize(db, &cap, "r", 1, GIB, disk + 2 * MIB, &running, &err), 0);
	assert_int_equal(ledger_resize(db, &cap, "r", 2, 0, 0, &running, &err), -1);
	assert_int_equal(err.errnum, EBUSY);
	assert_contains(err.msg, "server r is running: stop it before changing its CPUs or memory");
	assert_int_equal(ledger_resize(db, &cap, "r", 0, 2 * GIB, 0, &running, &err), -1);
	assert_int_equal(err.errnum, EBUSY);
	assert_int_equal(ledger_resize(db, &cap, "r", 0, 0, disk, &running, &err), -1);
	assert_contains(err.msg, "cannot shrink");
	assert_int_equal(ledger_resize(db, &cap, "r", 0, 0, 1ULL << 50, &running, &err), -1);
	assert_int_equal(err.errnum, ENOSPC);
	assert_int_equal(db_exec(db, "UPDATE servers SET state = 'stopping'", &err), 0);
	assert_int_equal(ledger_resize(db, &cap, "r", 0, 0, disk + 4 * MIB, &running, &err), -1);
	assert_int_equal(err.errnum, EBUSY);
	assert_contains(err.msg, "server r is stopping: wait until it is stopped or running");
	assert_int_equal(db_exec(db, "UPDATE servers SET state = 'stopped'", &err), 0);
	assert_int_equal(ledger_resize(db, &cap, "r", 2, 0, disk + 4 * MIB, &running, &err), 0);
	assert_false(running);
	assert_int_equal(ledger_release(db, "r", &err), 0);
}

#define THREADS 16

struct racer {
	int index, result, errnum;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	struct berth_error err = { 0 };
	struct server_spec s;
	char name[16];
	sqlite3 *c;

	snprintf(name, sizeof(name), "t%d", r->index);
	s = spec(name, 1, 384 * MIB);
	if (db_connect(path, &c, &err)) {
		r->result = -2;
		return NULL;
	}
	r->result = ledger_reserve(c, &cap, &s, &err);
	r->errnum = err.errnum;
	sqlite3_close_v2(c);
	return NULL;
}

static void concurrent_reservations_never_oversell(void **state)
{
	struct berth_error err = { 0 };
	struct racer r[THREADS];
	pthread_t t[THREADS];
	int i, ok = 0;
	struct usage u;

	for (i = 0; i < THREADS; i++) {
		r[i] = (struct racer){ .index = i };
		assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		if (r[i].result == 0)
			ok++;
		else
			assert_int_equal(r[i].errnum, ENOSPC);
	}
	/* 4 CPUs: at most 4 servers of 1 CPU (and 5 of 384 MiB would fit in 2 GiB). */
	assert_int_equal(ok, 4);
	assert_int_equal(ledger_usage(*state, &cap, &u, &err), 0);
	assert_true(u.cpus <= cap.cpus && u.memory <= cap.memory);
	assert_int_equal(u.servers, 4);
}

/* Containers get ranges of 65536 ids cut from the pool, the lowest free one first, never
 * one that shares an id with another's (also one cut elsewhere, by an older pool); VMs and
 * privileged containers none; a full pool says so. */
static void gives_id_ranges(void **state)
{
	struct berth_error err = { 0 };
	struct server_spec a = spec("a", 1, MIB), b = spec("b", 1, MIB), c = spec("c", 1, MIB);
	struct server_spec p = spec("p", 1, MIB), d = spec("d", 1, MIB), v = spec("v", 1, MIB);
	struct capacity small = cap;
	sqlite3 *db = *state;

	small.idmap_count = 4 * 65536 + 100;
	small.cpus = 16;
	p.privileged = true;
	v.kind = KIND_VM;
	snprintf(v.image, sizeof(v.image), "kern");
	assert_int_equal(ledger_reserve(db, &small, &a, &err), 0);
	assert_int_equal(a.idmap, 1000000);
	assert_int_equal(ledger_reserve(db, &small, &p, &err), 0);
	assert_int_equal(p.idmap, 0);
	assert_int_equal(ledger_reserve(db, &small, &v, &err), 0);
	assert_int_equal(v.idmap, 0);
	/* a range an older pool cut at 1065536 + 10: b must pass both it and a */
	assert_int_equal(
	    db_exec(db,
		    "INSERT INTO servers (name, kind, image, cpus, memory, disk, state,"
		    " created, idmap) VALUES ('old', 'ct', 'busybox', 1, 1, 0, 'stopped',"
		    " 0, 1065546)",
		    &err),
	    0);
	assert_int_equal(ledger_reserve(db, &small, &b, &err), 0);
	assert_int_equal(b.idmap, 1000000 + 2 * 65536 + 65536);
	/* the pool holds 4 ranges and 100 ids, and the old range took the second and third cut:
	 * full */
	assert_int_equal(ledger_reserve(db, &small, &c, &err), -1);
	assert_int_equal(err.errnum, ENOSPC);
	assert_non_null(strstr(err.msg, "no free id range"));
	/* a deleted server's range is given again */
	assert_int_equal(ledger_release(db, "a", &err), 0);
	assert_int_equal(ledger_reserve(db, &small, &d, &err), 0);
	assert_int_equal(d.idmap, 1000000);
	/* the database itself refuses an overlap */
	assert_int_equal(db_exec(db, "UPDATE servers SET idmap = 1000001 WHERE name = 'b'", &err),
			 -1);
	assert_int_equal(
	    db_exec(db,
		    "INSERT INTO servers (name, kind, image, cpus, memory, disk, state,"
		    " created, idmap) VALUES ('x', 'ct', 'busybox', 1, 1, 0, 'stopped',"
		    " 0, 1000000 + 65535)",
		    &err),
	    -1);
}

/* A VM server of disk bytes, from image kern (which has no disk). */
static struct server_spec vm_spec(const char *name, uint64_t disk)
{
	struct server_spec v = spec(name, 1, MIB);

	v.kind = KIND_VM;
	v.disk = disk;
	snprintf(v.image, sizeof(v.image), "kern");
	return v;
}

static uint64_t fs_size(void)
{
	struct statvfs fs;

	assert_int_equal(statvfs(dir, &fs), 0);
	return (uint64_t)fs.f_blocks * fs.f_frsize;
}

static void images_count_against_the_disk(void **state)
{
	struct berth_error err = { 0 };
	struct server_spec v = vm_spec("v", 64 * MIB);
	sqlite3 *db = *state;
	struct usage u;

	assert_int_equal(db_exec(db, "UPDATE images SET size = 5242880 WHERE name = 'kern'", &err),
			 0);
	assert_int_equal(ledger_reserve(db, &cap, &v, &err), 0);
	assert_int_equal(ledger_usage(db, &cap, &u, &err), 0);
	/* reserved: the server's disk and both ready images (busybox 1 MiB, kern 5 MiB) */
	assert_int_equal(u.images, 6 * MIB);
	assert_int_equal(u.disk, 64 * MIB + 6 * MIB);
	assert_int_equal(u.disk_total, fs_size());
	/* the images' bytes are on the file system, so they are in the capacity too: what they
	 * take is neither free nor sold twice */
	assert_true(u.disk_capacity >= u.images);
}

static void refuses_a_disk_the_file_system_cannot_hold(void **state)
{
	struct berth_error err = { 0 };
	struct server_spec v = vm_spec("v", fs_size());
	uint64_t free;

	assert_int_equal(ledger_reserve(*state, &cap, &v, &err), -1);
	assert_int_equal(err.errnum, ENOSPC);
	assert_contains(err.msg, "not enough disk: asked");
	/* all of it kept free: nothing left to give, not even a MiB */
	cap.disk_margin = fs_size();
	v = vm_spec("v", MIB);
	assert_int_equal(ledger_disk_free(*state, &cap, &free, &err), 0);
	assert_int_equal(free, 0);
	assert_int_equal(ledger_reserve(*state, &cap, &v, &err), -1);
	assert_contains(err.msg, "not enough disk: asked 1 MiB, free 0 bytes");
	cap.disk_margin = 0;
	assert_int_equal(ledger_reserve(*state, &cap, &v, &err), 0);
	/* a resize is held to the same file system */
	assert_int_equal(db_exec(*state, "UPDATE servers SET state = 'stopped'", &err), 0);
	assert_int_equal(ledger_resize(*state, &cap, "v", 0, 0, fs_size(), &running, &err), -1);
	assert_int_equal(err.errnum, ENOSPC);
	assert_contains(err.msg, "not enough disk");
	assert_int_equal(ledger_resize(*state, &cap, "v", 0, 0, 2 * MIB, &running, &err), 0);
}

/* Allocate bytes of real blocks in file (made with its directory). */
static void take_blocks(const char *sub, const char *file, uint64_t bytes)
{
	char p[PATH_MAX];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, sub);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/%s/%s", dir, sub, file);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(posix_fallocate(fd, 0, (off_t)bytes), 0);
	close(fd);
}

static uint64_t free_now(sqlite3 *db)
{
	struct berth_error err = { 0 };
	uint64_t free;

	assert_int_equal(ledger_disk_free(db, &cap, &free, &err), 0);
	return free;
}

/* Capacity follows the file system: what a server writes into its reservation is counted
 * back (it was sold already), what anything else writes is gone. The host's other users
 * write too, so the figures are compared with a tolerance of a quarter of what moved. */
static void capacity_follows_the_file_system(void **state)
{
	struct berth_error err = { 0 };
	struct server_spec v = vm_spec("w", 512 * MIB);
	sqlite3 *db = *state;
	uint64_t before, after;
	char servers[PATH_MAX];

	snprintf(servers, sizeof(servers), "%s/servers", dir);
	assert_int_equal(mkdir(servers, 0700), 0);
	assert_int_equal(ledger_reserve(db, &cap, &v, &err), 0);
	before = free_now(db);
	/* the server's disk, half written (its copy still running, in NAME.tmp) */
	take_blocks("servers/w.tmp", "disk.img", 256 * MIB);
	after = free_now(db);
	assert_true(after + 64 * MIB > before && after < before + 64 * MIB);
	/* something else takes 256 MiB of the file system: it is not the ledger's to sell */
	before = after;
	take_blocks("other", "junk", 256 * MIB);
	after = free_now(db);
	assert_true(after + 192 * MIB < before);
}

/* A dedicated VM holds the lowest free CPUs alone, each counting overcommit vCPUs; too few
 * free CPUs refuse it, leaving nothing; its release frees them. */
static void dedicates_cpus(void **state)
{
	struct berth_error err = { 0 };
	struct capacity k = cap;
	struct server_spec a = spec("a", 1, 64 * MIB), b = spec("b", 1, 64 * MIB),
			   c = spec("c", 2, 64 * MIB), s = spec("s", 3, 64 * MIB);
	sqlite3 *db = *state;
	struct usage u;
	sqlite3_stmt *st;

	k.cores = 3;
	k.cpus = 8;
	k.overcommit = 1.5;
	a.kind = b.kind = c.kind = s.kind = KIND_VM;
	snprintf(a.image, sizeof(a.image), "kern");
	snprintf(b.image, sizeof(b.image), "kern");
	snprintf(c.image, sizeof(c.image), "kern");
	snprintf(s.image, sizeof(s.image), "kern");
	a.dedicated_cpus = b.dedicated_cpus = c.dedicated_cpus = true;
	assert_int_equal(ledger_reserve(db, &k, &a, &err), 0);
	assert_int_equal(ledger_reserve(db, &k, &b, &err), 0);
	assert_int_equal(ledger_usage(db, &k, &u, &err), 0);
	assert_int_equal(u.dedicated, 2);
	assert_int_equal(u.cpus, 3); /* 2 x 1.5 */
	/* one CPU is free, c asks 2: refused, and nothing of it stays */
	assert_int_equal(ledger_reserve(db, &k, &c, &err), -1);
	assert_int_equal(err.errnum, ENOSPC);
	assert_contains(err.msg, "not enough CPUs to dedicate: asked 2, free 1 of this host's 3");
	assert_int_equal(ledger_usage(db, &k, &u, &err), 0);
	assert_int_equal(u.dedicated, 2);
	assert_int_equal(u.servers, 2);
	/* shared servers get what is left: 8 - 3 */
	s.cpus = 6;
	assert_int_equal(ledger_reserve(db, &k, &s, &err), -1);
	assert_contains(err.msg, "not enough CPUs: asked 6, free 5 of 8");
	s.cpus = 5;
	assert_int_equal(ledger_reserve(db, &k, &s, &err), 0);
	assert_int_equal(ledger_release(db, "s", &err), 0);
	/* a's CPU 0 goes with it, to the next */
	assert_int_equal(ledger_release(db, "a", &err), 0);
	c.cpus = 1;
	assert_int_equal(ledger_reserve(db, &k, &c, &err), 0);
	assert_int_equal(
	    sqlite3_prepare_v2(db, "SELECT server FROM dedicated_cpus ORDER BY cpu", -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "c");
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "b");
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	/* a resize keeps the dedicated count */
	assert_int_equal(db_exec(db, "UPDATE servers SET state = 'stopped'", &err), 0);
	assert_int_equal(ledger_resize(db, &k, "b", 2, 0, 0, &err), -1);
	assert_int_equal(err.errnum, EINVAL);
	assert_int_equal(ledger_resize(db, &k, "b", 1, 128 * MIB, 0, &err), 0);
}

static void capacity_from_host_and_config(void **state)
{
	struct host_facts h = { .cpus = 8, .memory = 16 * GIB, .state_dir = "/s" };
	struct config c;
	struct capacity k;

	(void)state;
	config_defaults(&c);
	c.host_reserve_cpus = 1;
	c.cpu_overcommit = 1.5;
	ledger_capacity(&h, &c, 0, 0, &k);
	assert_int_equal(k.cpus, 11);
	assert_int_equal(k.memory, 16 * GIB - 512 * MIB);
	assert_string_equal(k.state_dir, "/s");
	assert_int_equal(k.disk_margin, GIB);
	ledger_capacity(&h, &c, 4, 2 * GIB, &k);
	assert_int_equal(k.cpus, 4);
	assert_int_equal(k.memory, 2 * GIB);
	c.host_reserve_memory = 32 * GIB;
	ledger_capacity(&h, &c, 0, 0, &k);
	assert_int_equal(k.memory, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(refuses_what_does_not_fit, setup, teardown),
		cmocka_unit_test_setup_teardown(checks_the_image, setup, teardown),
		cmocka_unit_test_setup_teardown(reserves_the_vmm_overhead, setup, teardown),
		cmocka_unit_test_setup_teardown(sizes_the_disk_by_the_image, setup, teardown),
		cmocka_unit_test_setup_teardown(resizes_stopped_servers, setup, teardown),
		cmocka_unit_test_setup_teardown(grows_running_disks, setup, teardown),
		cmocka_unit_test_setup_teardown(concurrent_reservations_never_oversell, setup,
						teardown),
		cmocka_unit_test_setup_teardown(images_count_against_the_disk, setup, teardown),
		cmocka_unit_test_setup_teardown(gives_id_ranges, setup, teardown),
		cmocka_unit_test_setup_teardown(refuses_a_disk_the_file_system_cannot_hold, setup,
						teardown),
		cmocka_unit_test_setup_teardown(capacity_follows_the_file_system, setup, teardown),
		cmocka_unit_test_setup_teardown(dedicates_cpus, setup, teardown),
		cmocka_unit_test(capacity_from_host_and_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
