/* ledger.c - reservations of vCPUs, memory and disk, checked and recorded in one
 * transaction. */
#include "daemon/state/ledger.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "daemon/state/db.h"
#include "daemon/state/dedicated_cpus.h"
#include "daemon/images/disk_size.h"
#include "daemon/net/net_lease.h"
#include "daemon/servers/vm_cgroup.h"
#include "common/error.h"
#include "common/size.h"

int ledger_detect(const char *state_dir, struct host_facts *h, struct berth_error *err)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	struct statvfs fs;

	if (cpus < 1 || pages < 1 || page < 1)
		return berr(err, errno, "cannot read this host's CPUs and memory");
	if (statvfs(state_dir, &fs))
		return berr(err, errno, "cannot read the free space of %s", state_dir);
	h->cpus = (unsigned)cpus;
	h->memory = (uint64_t)pages * (uint64_t)page;
	h->state_dir = state_dir;
	return 0;
}

static uint64_t minus(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

void ledger_capacity(const struct host_facts *h, const struct config *c, unsigned cpus_override,
		     uint64_t memory_override, struct capacity *cap)
{
	cap->host_cpus = cpus_override ? cpus_override : h->cpus;
	cap->cores = h->cpus;
	cap->host_memory = memory_override ? memory_override : h->memory;
	cap->overcommit = c->cpu_overcommit;
	if (cpus_override)
		cap->cpus = cpus_override;
	else
		cap->cpus =
		    minus((uint64_t)floor(h->cpus * c->cpu_overcommit), c->host_reserve_cpus);
	cap->memory = memory_override ? memory_override : minus(h->memory, c->host_reserve_memory);
	cap->state_dir = h->state_dir;
	cap->disk_margin = c->host_reserve_disk;
	cap->pool = c->bridge[0] ? c->pool : (struct net_pool){ 0 };
	cap->idmap_start = c->idmap_start;
	cap->idmap_count = c->idmap_count;
}

/* The vCPUs n CPUs count for: n shared ones, or n dedicated ones, each of which takes
 * cpu_overcommit vCPUs out of the shared pool (rounded up). */
static uint64_t cpus_charged(const struct capacity *cap, uint64_t n, bool dedicated)
{
	return dedicated ? (uint64_t)ceil((double)n * cap->overcommit) : n;
}

/* Sums over all rows but the one called except (NULL: all). A VM's memory counts with its
 * VMM's overhead (vm_cgroup.h): its cgroup lets it take that much, so it is sold too. A
 * server's dedicated CPUs count as cpus_charged() says, its shared ones as they are. */
static int sum_rows(sqlite3 *db, const struct capacity *cap, const char *except, struct usage *u,
		    struct berth_error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st =
	    db_prepare(db,
		       "SELECT count(*), total(cpus), total(memory), total(disk), "
		       "total(CASE kind WHEN 'vm' THEN ?2 + memory / ?3 ELSE 0 END), "
		       "total(CASE WHEN name IN (SELECT server FROM dedicated_cpus) THEN cpus "
		       "ELSE 0 END), "
		       "(SELECT count(*) FROM dedicated_cpus WHERE server IS NOT ?1) "
		       "FROM servers WHERE name IS NOT ?1",
		       err);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, except, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)VM_OVERHEAD_FIXED);
	sqlite3_bind_int64(st, 3, VM_OVERHEAD_RAM_DIV);
	if (sqlite3_step(st) != SQLITE_ROW)
		return db_error(db, err, "summing reservations");
	u->servers = (unsigned)sqlite3_column_int(st, 0);
	u->dedicated = (unsigned)sqlite3_column_int64(st, 6);
	u->cpus = (uint64_t)sqlite3_column_int64(st, 1) - (uint64_t)sqlite3_column_int64(st, 5) +
		  cpus_charged(cap, u->dedicated, true);
	u->vmm_overhead = (uint64_t)sqlite3_column_int64(st, 4);
	u->memory = (uint64_t)sqlite3_column_int64(st, 2) + u->vmm_overhead;
	u->disk = (uint64_t)sqlite3_column_int64(st, 3);
	return 0;
}

/* Bytes the regular files directly in dir take (0 when dir is absent). A server's disk and
 * logs are there; what lies deeper (a bundle's config, a mounted disk's contents) is left
 * out, so occupied is never overstated. */
static uint64_t files_blocks(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat st;
	uint64_t bytes = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode))
			bytes += (uint64_t)st.st_blocks * 512;
	closedir(d);
	return bytes;
}

/* What server name's files take now (final and .tmp dir), at most its reservation. */
static uint64_t server_occupied(const char *state_dir, const char *name, uint64_t reserved)
{
	char dir[PATH_MAX];
	uint64_t bytes = 0;

	if ((size_t)snprintf(dir, sizeof(dir), "%s/servers/%s.tmp", state_dir, name) <
	    sizeof(dir)) {
		bytes = files_blocks(dir);
		dir[strlen(dir) - 4] = '\0';
		bytes += files_blocks(dir);
	}
	return bytes < reserved ? bytes : reserved;
}

/* u->images, u->disk_total and u->disk_capacity (the rule in ledger.h), over every row. */
static int disk_now(sqlite3 *db, const struct capacity *cap, struct usage *u,
		    struct berth_error *err)
{
	_cleanup_stmt_ sqlite3_stmt *im = db_prepare(db, "SELECT total(size) FROM images", err);
	_cleanup_stmt_ sqlite3_stmt *sv =
	    im ? db_prepare(db, "SELECT name, disk FROM servers", err) : NULL;
	uint64_t occupied;
	struct statvfs fs;
	int rc;

	if (!sv)
		return -1;
	if (sqlite3_step(im) != SQLITE_ROW)
		return db_error(db, err, "summing images");
	u->images = (uint64_t)sqlite3_column_int64(im, 0);
	occupied = u->images;
	while ((rc = sqlite3_step(sv)) == SQLITE_ROW)
		occupied +=
		    server_occupied(cap->state_dir, (const char *)sqlite3_column_text(sv, 0),
				    (uint64_t)sqlite3_column_int64(sv, 1));
	if (rc != SQLITE_DONE)
		return db_error(db, err, "reading servers");
	/* The files first, the free space after: a byte written in between is then counted in
	 * neither (too little sold, never too much). */
	if (statvfs(cap->state_dir, &fs))
		return berr(err, errno, "cannot read the free space of %s", cap->state_dir);
	u->disk_total = (uint64_t)fs.f_blocks * fs.f_frsize;
	u->disk_capacity = minus((uint64_t)fs.f_bavail * fs.f_frsize + occupied, cap->disk_margin);
	return 0;
}

/* sum_rows (but except) with the images' disk added, and the disk capacity now. */
static int usage_now(sqlite3 *db, const struct capacity *cap, const char *except, struct usage *u,
		     struct berth_error *err)
{
	if (sum_rows(db, cap, except, u, err) || disk_now(db, cap, u, err))
		return -1;
	u->disk += u->images;
	return 0;
}

int ledger_usage(sqlite3 *db, const struct capacity *cap, struct usage *u, struct berth_error *err)
{
	return usage_now(db, cap, NULL, u, err);
}

int ledger_disk_free(sqlite3 *db, const struct capacity *cap, uint64_t *free,
		     struct berth_error *err)
{
	struct usage u;

	if (ledger_usage(db, cap, &u, err))
		return -1;
	*free = minus(u.disk_capacity, u.disk);
	return 0;
}

/* The memory a server of kind with memory bytes of RAM takes beyond it (its VMM's). */
static uint64_t overhead_of(enum server_kind kind, uint64_t memory)
{
	return kind == KIND_VM ? vm_memory_charged(memory) - memory : 0;
}

/* Refuse what does not fit, saying what is free. memory is the server's RAM, overhead what
 * its VMM takes beyond it. */
static int check_fits(const struct capacity *cap, const struct usage *u, uint64_t cpus,
		      uint64_t memory, uint64_t overhead, uint64_t disk, struct berth_error *err)
{
	char a[32], f[32], t[32], o[32], vmm[64] = "";

	if (overhead)
		snprintf(vmm, sizeof(vmm), " (and %s for its VMM)",
			 size_format(overhead, o, sizeof(o)));
	if (memory + overhead > minus(cap->memory, u->memory))
		return refuse(err, ENOSPC, "not enough memory: asked %s%s, free %s of %s",
			      size_format(memory, a, sizeof(a)), vmm,
			      size_format(minus(cap->memory, u->memory), f, sizeof(f)),
			      size_format(cap->memory, t, sizeof(t)));
	if (cpus > minus(cap->cpus, u->cpus))
		return refuse(err, ENOSPC, "not enough CPUs: asked %llu, free %llu of %llu",
			      (unsigned long long)cpus,
			      (unsigned long long)minus(cap->cpus, u->cpus),
			      (unsigned long long)cap->cpus);
	if (disk > minus(u->disk_capacity, u->disk))
		return refuse(err, ENOSPC, "not enough disk: asked %s, free %s of %s",
			      size_format(disk, a, sizeof(a)),
			      size_format(minus(u->disk_capacity, u->disk), f, sizeof(f)),
			      size_format(u->disk_capacity, t, sizeof(t)));
	return 0;
}

/* The image spec names must be ready and of its kind; *size gets its size. */
static int check_image(sqlite3 *db, const struct server_spec *spec, uint64_t *size,
		       struct berth_error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st =
	    db_prepare(db, "SELECT kind, state, size FROM images WHERE name = ?", err);
	const char *kind = spec->kind == KIND_VM ? "vm" : "ct";

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, spec->image, -1, SQLITE_STATIC);
	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		break;
	case SQLITE_DONE:
		return refuse(err, ENOENT,
			      "no image %s: import it first (berth image import %s --kind %s ...)",
			      spec->image, spec->image, kind);
	default:
		return db_error(db, err, "reading images");
	}
	if (strcmp((const char *)sqlite3_column_text(st, 0), kind))
		return refuse(err, EINVAL, "image %s is a %s image, not a %s one", spec->image,
			      (const char *)sqlite3_column_text(st, 0), kind);
	if (strcmp((const char *)sqlite3_column_text(st, 1), "ready"))
		return refuse(err, EBUSY,
			      "image %s is still being imported: wait for its import to finish",
			      spec->image);
	*size = (uint64_t)sqlite3_column_int64(st, 2);
	return 0;
}

static int name_taken(sqlite3 *db, const char *name, struct berth_error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st =
	    db_prepare(db, "SELECT 1 FROM servers WHERE name = ?", err);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		return refuse(err, EEXIST,
			      "server %s already exists: choose another name or delete it first",
			      name);
	case SQLITE_DONE:
		return 0;
	default:
		return db_error(db, err, "reading servers");
	}
}

/* The lowest free range of cap's id pool (see ledger_reserve), in *start. Ranges are read in
 * order of their first id; the candidate moves past each one it meets. */
static int idmap_pick(sqlite3 *db, const struct capacity *cap, uint32_t *start,
		      struct berth_error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st =
	    db_prepare(db, "SELECT idmap FROM servers WHERE idmap IS NOT NULL ORDER BY idmap", err);
	uint64_t end = (uint64_t)cap->idmap_start + cap->idmap_count;
	uint64_t cand = cap->idmap_start, r, past;
	int rc;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r = (uint64_t)sqlite3_column_int64(st, 0);
		if (r + CONFIG_IDMAP_SIZE <= cand)
			continue;
		if (r >= cand + CONFIG_IDMAP_SIZE)
			break;
		/* the next cut of the pool past this range */
		past = r + CONFIG_IDMAP_SIZE - cap->idmap_start;
		cand = cap->idmap_start +
		       (past + CONFIG_IDMAP_SIZE - 1) / CONFIG_IDMAP_SIZE * CONFIG_IDMAP_SIZE;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(db, err, "reading id ranges");
	if (cand + CONFIG_IDMAP_SIZE > end)
		return refuse(err, ENOSPC,
			      "no free id range for a container: the pool idmap = %u:%u is all "
			      "given (berthd.conf)",
			      cap->idmap_start, cap->idmap_count);
	*start = (uint32_t)cand;
	return 0;
}

static int insert_server(sqlite3 *db, const struct server_spec *spec, struct berth_error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = db_prepare(
	    db,
	    "INSERT INTO servers (name, kind, image, cpus, memory, disk, state, restart, created,"
	    " address, idmap, privileged) VALUES (?, ?, ?, ?, ?, ?, 'creating', ?, ?, ?, ?, ?)",
	    err);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, spec->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, spec->kind == KIND_VM ? "vm" : "ct", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, spec->image, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, spec->cpus);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)spec->memory);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)spec->disk);
	sqlite3_bind_text(st, 7, spec->restart_always ? "always" : "no", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)time(NULL));
	if (spec->address[0])
		sqlite3_bind_text(st, 9, spec->address, -1, SQLITE_STATIC);
	if (spec->idmap)
		sqlite3_bind_int64(st, 10, spec->idmap);
	sqlite3_bind_int(st, 11, spec->kind == KIND_CT && spec->privileged);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_error(db, err, "recording the server");
	return 0;
}

int ledger_reserve(sqlite3 *db, const struct capacity *cap, struct server_spec *spec,
		   struct berth_error *err)
{
	uint64_t image_size = 0;
	struct usage u;

	if (spec->cpus == 0 || spec->memory == 0 || spec->memory > INT64_MAX ||
	    spec->disk > INT64_MAX)
		return refuse(err, EINVAL, "a server needs at least 1 CPU and some memory");
	if (db_begin(db, err))
		return -1;
	if (name_taken(db, spec->name, err) || check_image(db, spec, &image_size, err))
		goto fail;
	/* the reservation is the size of the disk the driver makes: a VM's copy of its image's
	 * disk (its length, holes and all), a container's file system holding its image's tree
	 * (the blocks the tree takes) */
	if (disk_size(spec->kind, spec->disk, spec->kind == KIND_VM ? spec->image_disk : image_size,
		      &spec->disk, err))
		goto fail;
	spec->address[0] = '\0';
	spec->idmap = 0;
	if (usage_now(db, cap, NULL, &u, err) ||
	    check_fits(cap, &u, cpus_charged(cap, spec->cpus, spec->dedicated_cpus), spec->memory,
		       overhead_of(spec->kind, spec->memory), spec->disk, err) ||
	    (cap->pool.prefix && net_lease_pick(db, &cap->pool, spec->address, err)) ||
	    (spec->kind == KIND_CT && !spec->privileged &&
	     idmap_pick(db, cap, &spec->idmap, err)) ||
	    insert_server(db, spec, err) ||
	    (spec->dedicated_cpus &&
	     dedicated_cpus_pick(db, cap->cores, spec->name, spec->cpus, err)))
		goto fail;
	return db_commit(db, err);
fail:
	db_rollback(db);
	return -1;
}

int ledger_resize(sqlite3 *db, const struct capacity *cap, const char *name, unsigned cpus,
		  uint64_t memory, uint64_t disk, bool *running, struct berth_error *err)
{
	const char *state;
	sqlite3_stmt *st;
	struct usage u;
	enum server_kind kind;
	uint64_t old_disk;
	int rc, held;

	if (memory > INT64_MAX || disk > INT64_MAX)
		return refuse(err, EINVAL, "size too large");
	if (db_begin(db, err))
		return -1;
	st = db_prepare(db, "SELECT state, cpus, memory, disk, kind FROM servers WHERE name = ?",
			err);
	if (!st)
		goto fail;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			refuse(err, ENOENT, "no server %s", name);
		else
			db_error(db, err, "reading servers");
		sqlite3_finalize(st);
		goto fail;
	}
	state = (const char *)sqlite3_column_text(st, 0);
	*running = !strcmp(state, "running");
	/* a running server's disk grows under it (the driver tells the VMM or grows the
	 * mounted file system); its CPUs and memory change only at a start */
	if (*running && ((cpus && cpus != (unsigned)sqlite3_column_int64(st, 1)) ||
			 (memory && memory != (uint64_t)sqlite3_column_int64(st, 2)))) {
		refuse(err, EBUSY,
		       "server %s is running: stop it before changing its CPUs or memory "
		       "(its disk can grow while it runs)",
		       name);
		sqlite3_finalize(st);
		goto fail;
	}
	if (!*running && strcmp(state, "stopped")) {
		refuse(err, EBUSY, "server %s is %s: wait until it is stopped or running", name,
		       state);
		sqlite3_finalize(st);
		goto fail;
	}
	cpus = cpus ? cpus : (unsigned)sqlite3_column_int64(st, 1);
	memory = memory ? memory : (uint64_t)sqlite3_column_int64(st, 2);
	old_disk = (uint64_t)sqlite3_column_int64(st, 3);
	kind = strcmp((const char *)sqlite3_column_text(st, 4), "vm") ? KIND_CT : KIND_VM;
	sqlite3_finalize(st);
	disk = disk ? disk : old_disk;
	if (disk < old_disk) {
		refuse(err, EINVAL, "a disk cannot shrink (server %s has %llu bytes)", name,
		       (unsigned long long)old_disk);
		goto fail;
	}
	held = dedicated_cpus_count(db, name, err);
	if (held < 0)
		goto fail;
	if (held && cpus != (unsigned)held) {
		refuse(err, EINVAL,
		       "server %s holds %d dedicated CPUs, which its resize cannot change: create "
		       "a server of another plan",
		       name, held);
		goto fail;
	}
	if (usage_now(db, cap, name, &u, err) ||
	    check_fits(cap, &u, cpus_charged(cap, cpus, held > 0), memory,
		       overhead_of(kind, memory), disk, err))
		goto fail;
	st =
	    db_prepare(db, "UPDATE servers SET cpus = ?, memory = ?, disk = ? WHERE name = ?", err);
	if (!st)
		goto fail;
	sqlite3_bind_int64(st, 1, cpus);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)memory);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)disk);
	sqlite3_bind_text(st, 4, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		db_error(db, err, "resizing the server");
		goto fail;
	}
	return db_commit(db, err);
fail:
	db_rollback(db);
	return -1;
}

int ledger_release(sqlite3 *db, const char *name, struct berth_error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = db_prepare(db, "DELETE FROM servers WHERE name = ?", err);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_error(db, err, "deleting the server");
	return 0;
}
