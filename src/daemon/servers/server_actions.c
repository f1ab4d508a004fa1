/* server_actions.c - create, start, stop, restart and delete, each in an operation, and
 * the settling of servers a dead berthd left in the middle of something.
 *
 * Crash safety: a server's files are made in servers/NAME.tmp and renamed to servers/NAME
 * just before its row leaves 'creating'; deleting removes the files, then the row. So after
 * a kill at any instant the row's state says what to finish (server_settle). */
#include "daemon/servers/server_actions.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/images/copy.h"
#include "daemon/images/image_actions.h"
#include "daemon/cloud/cloud_iso.h"
#include "daemon/servers/mounts.h"
#include "daemon/servers/server_files.h"
#include "daemon/servers/vm_command.h"
#include "daemon/servers/server_seed.h"
#include "common/error.h"
#include "daemon/state/jail_ids.h"
#include "daemon/state/seed_rows.h"
#include "daemon/state/server_rows.h"

struct job {
	struct berthd *d;
	char name[SERVER_NAME_MAX + 1];
	enum server_action action;
	bool force;
	int timeout_s;
};

static struct job *job_new(struct berthd *d, const char *name, enum server_action action,
			   bool force, int timeout_s, struct berth_error *err)
{
	struct job *j = calloc(1, sizeof(*j));

	if (!j) {
		berr(err, ENOMEM, "server %s", name);
		return NULL;
	}
	*j = (struct job){ .d = d, .action = action, .force = force, .timeout_s = timeout_s };
	snprintf(j->name, sizeof(j->name), "%s", name);
	return j;
}

void server_announce(struct berthd *d, const char *name)
{
	struct berth_error err;
	sqlite3 *db = db_conn(&d->db, &err);
	json_t *s = db ? server_json(db, name, &err) : NULL;

	if (!s)
		s = json_pack("{s:s, s:s}", "name", name, "state", "deleted");
	events_publish(&d->events, "server", json_pack("{s:o}", "server", s));
}

static int move(struct berthd *d, const char *name, unsigned from, enum server_state to, long pid,
		struct berth_error *err)
{
	sqlite3 *db = db_conn(&d->db, err);

	if (!db || server_move(db, name, from, to, pid, err))
		return -1;
	server_announce(d, name);
	return 0;
}

static int load(struct berthd *d, const char *name, struct server *s, struct berth_error *err)
{
	sqlite3 *db = db_conn(&d->db, err);

	return db ? server_load(db, d->state_dir, name, s, err) : -1;
}

static int tmp_dir(const struct server *s, char out[PATH_MAX], struct berth_error *err)
{
	if ((size_t)snprintf(out, PATH_MAX, "%s.tmp", s->dir) >= PATH_MAX)
		return berr(err, ENAMETOOLONG, "server %s: path too long", s->name);
	return 0;
}

/* Remove the files (final and .tmp) of server s, then its row: the reservation ends last. */
static int remove_server(struct berthd *d, const struct server *s, struct berth_error *err)
{
	char tmp[PATH_MAX];
	sqlite3 *db;

	/* a container's disk may still be mounted (a create or start cut short): never remove
	 * through a mount, never leave its loop device */
	if (tmp_dir(s, tmp, err) || unmount_below(tmp, err) || remove_tree(tmp, err) ||
	    unmount_below(s->dir, err) || remove_tree(s->dir, err))
		return -1;
	db = db_conn(&d->db, err);
	if (!db || ledger_release(db, s->name, err))
		return -1;
	server_announce(d, s->name);
	return 0;
}

static int create_work(struct op *op, void *arg, struct berth_error *err)
{
	struct job *j = arg;
	struct berthd *d = j->d;
	struct berth_error cleanup_err;
	char final[PATH_MAX], tmp[PATH_MAX];
	struct cloud_seed seed = { 0 };
	struct server s;
	int rc;

	if (load(d, j->name, &s, err))
		return -1;
	snprintf(final, sizeof(final), "%s", s.dir);
	if (tmp_dir(&s, tmp, err))
		goto fail;
	snprintf(s.dir, sizeof(s.dir), "%s", tmp);
	if (remove_tree(s.dir, err) || remove_tree(final, err))
		goto fail;
	if (mkdir(s.dir, 0700)) {
		berr(err, errno, "cannot make %s", s.dir);
		goto fail;
	}
	if (server_seed(d, &s, &seed, err))
		goto fail;
	s.seed = seed.present ? &seed : NULL;
	rc = driver_for(s.kind)->provision(&s, &d->env, op_progress, op, err);
	s.seed = NULL;
	cloud_seed_free(&seed);
	if (rc)
		goto fail;
	if (rename(s.dir, final)) {
		berr(err, errno, "cannot rename %s to %s", s.dir, final);
		goto fail;
	}
	snprintf(s.dir, sizeof(s.dir), "%s", final);
	if (move(d, s.name, STATE_BIT(STATE_CREATING), STATE_STOPPED, -1, err))
		goto fail;
	return 0;
fail:
	snprintf(s.dir, sizeof(s.dir), "%s", final);
	if (remove_server(d, &s, &cleanup_err))
		fprintf(stderr, "berthd: rolling back server %s: %s\n", s.name, cleanup_err.msg);
	return -1;
}

/* The length of a VM image's disk, which the server's own disk copies; 0 when the image
 * has none (or is not there: the reservation refuses that). */
static int image_disk(const struct berthd *d, struct server_spec *spec, struct berth_error *err)
{
	char path[PATH_MAX];
	struct stat st;

	spec->image_disk = 0;
	if (spec->kind != KIND_VM)
		return 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/images/%s/disk.img", d->state_dir,
			     spec->image) >= sizeof(path))
		return berr(err, ENAMETOOLONG, "image %s: path too long", spec->image);
	if (stat(path, &st) == 0)
		spec->image_disk = (uint64_t)st.st_size;
	else if (errno != ENOENT)
		return berr(err, errno, "image %s: cannot stat %s", spec->image, path);
	return 0;
}

/* How a server of spec boots and its own kernel command line: cmdline (the request's),
 * else its image's. A container and a firmware-booted VM have none to take. */
static int resolve_boot(sqlite3 *db, const struct server_spec *spec, const char *cmdline,
			enum server_boot *boot, char own[SERVER_CMDLINE_MAX + 1],
			struct berth_error *err)
{
	*boot = BOOT_NONE;
	own[0] = '\0';
	if (spec->kind == KIND_CT)
		return cmdline ? refuse(err, EINVAL,
					"a container has no kernel command line: 'cmdline' is for "
					"VMs")
			       : 0;
	if (image_boot(db, spec->image, boot, own, err))
		return -1;
	if (cmdline && *boot == BOOT_FIRMWARE)
		return refuse(err, EINVAL,
			      "image %s is a disk that boots by firmware with its own "
			      "bootloader's kernel command line: 'cmdline' needs an image with a "
			      "kernel",
			      spec->image);
	if (cmdline)
		snprintf(own, SERVER_CMDLINE_MAX + 1, "%s", cmdline);
	return 0;
}

int server_create(struct berthd *d, struct server_spec *spec, const char *cmdline,
		  const struct seed_input *seed, char id[OP_ID_LEN + 1], struct berth_error *err)
{
	char target[128], own[SERVER_CMDLINE_MAX + 1];
	enum server_boot boot;
	struct job *j = NULL;
	sqlite3 *db = db_conn(&d->db, err);

	if (!db || resolve_boot(db, spec, cmdline, &boot, own, err) || image_disk(d, spec, err) ||
	    ledger_reserve(db, &d->cap, spec, err))
		return -1;
	server_announce(d, spec->name);
	if (server_set_boot(db, spec->name, boot, own, err) == 0 &&
	    server_set_limits(db, spec->name, &spec->limits, err) == 0 &&
	    seed_store(db, spec->name, seed->ssh_keys, seed->user_data, seed->user_data_len, err) ==
		0)
		j = job_new(d, spec->name, ACTION_START, false, 0, err);
	snprintf(target, sizeof(target), "/1.0/servers/%s", spec->name);
	if (!j || op_run(&d->ops, "create", target, create_work, j, free, id, err)) {
		struct berth_error rerr;

		if (ledger_release(db, spec->name, &rerr) == 0)
			server_announce(d, spec->name);
		return -1;
	}
	return 0;
}

/* A VM started by a root berthd gets its jail uid (docs/berthd-drivers.md, "The jail"):
 * without root there is no jail to make. */
static int jail_uid_of(struct berthd *d, struct server *s, struct berth_error *err)
{
	sqlite3 *db;

	s->jail_uid = 0;
	if (s->kind != KIND_VM || geteuid() != 0)
		return 0;
	db = db_conn(&d->db, err);
	return db ? jail_id_take(db, s->name, d->cfg.vmm_ids_start, d->cfg.vmm_ids_count,
				 &s->jail_uid, err)
		  : -1;
}

/* A VM's seed disk (cloud_iso.h), made again from its seed as it is now before each start;
 * none, and an old one removed, when it has no seed. */
static int vm_seed_disk(struct berthd *d, const struct server *s, struct berth_error *err)
{
	char path[PATH_MAX], log[PATH_MAX];
	struct cloud_seed seed;
	int rc = 0;

	if (s->kind != KIND_VM)
		return 0;
	if (server_file(path, s, VM_SEED_DISK, err) < 0 ||
	    server_file(log, s, "seed.log", err) < 0 || server_seed(d, s, &seed, err) < 0)
		return -1;
	if (seed.present)
		rc = cloud_seed_iso(path, s->dir, log, &seed, err);
	else if (unlink(path) < 0 && errno != ENOENT)
		rc = berr(err, errno, "cannot remove %s", path);
	cloud_seed_free(&seed);
	return rc < 0 ? berr_wrap(err, "VM %s: its cloud-init seed disk", s->name) : 0;
}

/* Start s, which is 'starting'; on failure it goes back to 'stopped'. */
static int do_start(struct berthd *d, struct server *s, struct berth_error *err)
{
	const struct driver_ops *drv = driver_for(s->kind);
	struct berth_error merr;
	long pid = 0;

	if (jail_uid_of(d, s, err) || vm_seed_disk(d, s, err) ||
	    drv->start(s, &d->env, &pid, err)) {
		drv->cleanup(s, &d->env);
		move(d, s->name, STATE_BIT(STATE_STARTING), STATE_STOPPED, 0, &merr);
		return -1;
	}
	s->pid = pid;
	return move(d, s->name, STATE_BIT(STATE_STARTING), STATE_RUNNING, pid, err);
}

/* Stop s, which is 'stopping'; on failure it is 'running' again if it still runs. */
static int do_stop(struct berthd *d, struct server *s, bool force, int timeout_s,
		   struct berth_error *err)
{
	const struct driver_ops *drv = driver_for(s->kind);
	struct berth_error merr;

	if (drv->stop(s, &d->env, force, timeout_s, err) && drv->alive(s, &d->env)) {
		move(d, s->name, STATE_BIT(STATE_STOPPING), STATE_RUNNING, -1, &merr);
		return -1;
	}
	drv->cleanup(s, &d->env);
	return 0;
}

static int act_work(struct op *op, void *arg, struct berth_error *err)
{
	struct job *j = arg;
	struct server s;

	(void)op;
	if (load(j->d, j->name, &s, err))
		return -1;
	if (s.state == STATE_STOPPING) {
		if (do_stop(j->d, &s, j->force, j->timeout_s, err))
			return -1;
		if (j->action == ACTION_STOP)
			return move(j->d, s.name, STATE_BIT(STATE_STOPPING), STATE_STOPPED, 0, err);
		if (move(j->d, s.name, STATE_BIT(STATE_STOPPING), STATE_STARTING, 0, err))
			return -1;
		op_progress(op, 50);
	}
	return do_start(j->d, &s, err);
}

int server_act(struct berthd *d, const char *name, enum server_action action, bool force,
	       int timeout_s, char id[OP_ID_LEN + 1], struct berth_error *err)
{
	static const char *const kinds[] = { "start", "stop", "restart" };
	struct berth_error merr;
	char target[128];
	struct job *j;
	int r = -1;

	switch (action) {
	case ACTION_START:
		r = move(d, name, STATE_BIT(STATE_STOPPED), STATE_STARTING, -1, err);
		break;
	case ACTION_STOP:
		r = move(d, name, STATE_BIT(STATE_RUNNING), STATE_STOPPING, -1, err);
		break;
	case ACTION_RESTART:
		r = move(d, name, STATE_BIT(STATE_RUNNING), STATE_STOPPING, -1, err);
		if (r && err->errnum == EBUSY)
			r = move(d, name, STATE_BIT(STATE_STOPPED), STATE_STARTING, -1, err);
		break;
	}
	if (r)
		return -1;
	j = job_new(d, name, action, force, timeout_s, err);
	snprintf(target, sizeof(target), "/1.0/servers/%s", name);
	if (!j || op_run(&d->ops, kinds[action], target, act_work, j, free, id, err)) {
		/* Undo the move: the server is as it was. */
		move(d, name, STATE_BIT(STATE_STARTING), STATE_STOPPED, -1, &merr);
		move(d, name, STATE_BIT(STATE_STOPPING), STATE_RUNNING, -1, &merr);
		return -1;
	}
	return 0;
}

int server_resize(struct berthd *d, const char *name, unsigned cpus, uint64_t memory, uint64_t disk,
		  struct berth_error *err)
{
	sqlite3 *db = db_conn(&d->db, err);
	bool running = false;
	struct server s;

	if (!db || ledger_resize(db, &d->cap, name, cpus, memory, disk, &running, err) ||
	    server_load(db, d->state_dir, name, &s, err))
		return -1;
	server_announce(d, name);
	/* The reservation is the larger one already: a disk that failed to grow grows at the
	 * next resize to the same size (or, for a VM, at its next start). */
	if (driver_for(s.kind)->resize(&s, &d->env, running, err))
		return berr_wrap(err,
				 "server %s: its new size is reserved but its disk did not all "
				 "grow; try the resize again",
				 name);
	return 0;
}

/* Delete s, which is 'deleting': stop what may run, then remove files, then the row. */
static int do_delete(struct berthd *d, struct server *s, struct berth_error *err)
{
	const struct driver_ops *drv = driver_for(s->kind);

	/* Unconditionally: a hung VMM or container is not "alive" (it does not answer) but may
	 * still run, and stop ends it; stop of nothing running is a success. */
	if (drv->stop(s, &d->env, true, 0, err))
		return -1;
	drv->cleanup(s, &d->env);
	return remove_server(d, s, err);
}

static int delete_work(struct op *op, void *arg, struct berth_error *err)
{
	struct job *j = arg;
	struct server s;

	(void)op;
	if (load(j->d, j->name, &s, err))
		return -1;
	return do_delete(j->d, &s, err);
}

int server_delete(struct berthd *d, const char *name, bool force, char id[OP_ID_LEN + 1],
		  struct berth_error *err)
{
	unsigned from = STATE_BIT(STATE_STOPPED);
	char target[128];
	struct job *j;

	if (force)
		from |= STATE_BIT(STATE_RUNNING);
	if (move(d, name, from, STATE_DELETING, -1, err)) {
		if (err->errnum == EBUSY && !force)
			berr_wrap(err, "stop it first, or delete it with force");
		return -1;
	}
	j = job_new(d, name, ACTION_STOP, true, 0, err);
	snprintf(target, sizeof(target), "/1.0/servers/%s", name);
	/* If the operation cannot start, the row stays 'deleting' and the next start of
	 * berthd finishes the deletion. */
	if (!j || op_run(&d->ops, "delete", target, delete_work, j, free, id, err))
		return -1;
	return 0;
}

static void restart_always(struct berthd *d, const struct server *s)
{
	char id[OP_ID_LEN + 1];
	struct berth_error err;

	if (!s->restart_always)
		return;
	if (server_act(d, s->name, ACTION_START, false, 0, id, &err))
		fprintf(stderr, "berthd: cannot restart server %s: %s\n", s->name, err.msg);
	else
		fprintf(stderr,
			"berthd: server %s stopped; restarting it (restart=always), operation %s\n",
			s->name, id);
}

void server_check(struct berthd *d, struct server *s)
{
	const struct driver_ops *drv = driver_for(s->kind);
	struct berth_error err;

	if (s->state != STATE_RUNNING || drv->alive(s, &d->env))
		return;
	drv->cleanup(s, &d->env);
	if (move(d, s->name, STATE_BIT(STATE_RUNNING), STATE_STOPPED, 0, &err) == 0) {
		fprintf(stderr, "berthd: server %s stopped by itself\n", s->name);
		restart_always(d, s);
	}
}

void server_settle(struct berthd *d, struct server *s)
{
	const struct driver_ops *drv = driver_for(s->kind);
	struct berth_error err = { 0 };
	unsigned running_states =
	    STATE_BIT(STATE_STARTING) | STATE_BIT(STATE_RUNNING) | STATE_BIT(STATE_STOPPING);

	switch (s->state) {
	case STATE_CREATING:
		if (remove_server(d, s, &err) == 0)
			fprintf(stderr,
				"berthd: rolled back server %s, whose creation was cut short\n",
				s->name);
		break;
	case STATE_DELETING:
		if (do_delete(d, s, &err) == 0)
			fprintf(stderr, "berthd: finished deleting server %s\n", s->name);
		break;
	case STATE_STARTING:
	case STATE_RUNNING:
	case STATE_STOPPING:
		if (s->pid > 0 && drv->alive(s, &d->env)) {
			if (s->state != STATE_RUNNING &&
			    move(d, s->name, running_states, STATE_RUNNING, -1, &err) == 0)
				fprintf(stderr, "berthd: adopted server %s (pid %ld)\n", s->name,
					s->pid);
			return;
		}
		/* Gone, or started without its pid recorded: make sure nothing of it runs. */
		drv->stop(s, &d->env, true, 0, &err);
		drv->cleanup(s, &d->env);
		if (move(d, s->name, running_states, STATE_STOPPED, 0, &err) == 0) {
			fprintf(stderr,
				"berthd: server %s is not running any more; marked stopped\n",
				s->name);
			restart_always(d, s);
		}
		return;
	case STATE_STOPPED:
		/* what it left at run time (a container's disk still mounted) goes */
		drv->cleanup(s, &d->env);
		return;
	}
	if (err.msg[0])
		fprintf(stderr, "berthd: server %s: %s\n", s->name, err.msg);
}
