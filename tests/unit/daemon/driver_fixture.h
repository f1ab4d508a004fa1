/* driver_fixture.h - what the driver tests share: a scratch state directory with an image
 * and a server in it, the real berth-vmm, berth-ct and berth-console (build/, or
 * $BERTH_VMM, $BERTH_CT, $BERTH_CONSOLE), and a skip with the reason when this host cannot
 * run them. */
#ifndef BERTH_TESTS_DRIVER_FIXTURE_H
#define BERTH_TESTS_DRIVER_FIXTURE_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/images/copy.h"
#include "daemon/servers/driver.h"
#include "daemon/servers/proc.h"

struct drv_fixture {
	char state[128];	/* the scratch STATE_DIR */
	char vmm[PATH_MAX];	/* absolute path of berth-vmm */
	char ct[PATH_MAX];	/* absolute path of berth-ct */
	char console[PATH_MAX]; /* absolute path of berth-console */
	struct driver_env env;
	struct server s; /* "srv" of image "img", in state/servers/srv */
	const struct driver_ops *ops;
	int last_progress;
};

/* The absolute path of a built program: $var, else build/NAME; false when not there. */
static inline bool fixture_program(char out[PATH_MAX], const char *var, const char *name)
{
	const char *p = getenv(var);
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "build/%s", name);
	return realpath(p ? p : rel, out) && access(out, X_OK) == 0;
}

/* Why this host cannot run the driver tests, or NULL. */
static inline const char *fixture_unusable(bool need_kvm)
{
	char path[PATH_MAX];

	if (geteuid() != 0)
		return "needs root";
	if (need_kvm && access("/dev/kvm", R_OK | W_OK) != 0)
		return "needs /dev/kvm";
	if (!need_kvm && access("/bin/busybox", X_OK) != 0)
		return "needs /bin/busybox (busybox-static)";
	if (!fixture_program(path, need_kvm ? "BERTH_VMM" : "BERTH_CT",
			     need_kvm ? "berth-vmm" : "berth-ct"))
		return "build the programs first (make)";
	return NULL;
}

static inline void fixture_progress(void *ctx, int pct)
{
	((struct drv_fixture *)ctx)->last_progress = pct;
}

/* Run a shell command, failing the test when it fails. */
static inline void fixture_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void fixture_sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	if (rc != 0)
		fail_msg("`%s` failed with %d", cmd, rc);
}

/* A fresh fixture of kind k (its image directory made but empty), or NULL to skip. */
static inline struct drv_fixture *fixture_new(enum server_kind k)
{
	struct drv_fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	/* $TMPDIR: in the test rig /tmp is 9p, which holds no sockets or fifos */
	snprintf(f->state, sizeof(f->state), "%s/berth-drv.XXXXXX", getenv("TMPDIR") ?: "/tmp");
	assert_non_null(mkdtemp(f->state));
	assert_true(fixture_program(f->vmm, "BERTH_VMM", "berth-vmm") || k == KIND_CT);
	assert_true(fixture_program(f->ct, "BERTH_CT", "berth-ct") || k == KIND_VM);
	assert_true(fixture_program(f->console, "BERTH_CONSOLE", "berth-console") || k == KIND_VM);
	f->env = (struct driver_env){ .state_dir = f->state,
				      .vmm_path = f->vmm,
				      .ct_path = f->ct,
				      .console_path = f->console,
				      .console_log_max = 1 << 20 };
	fixture_sh("mkdir -p %s/images/img %s/servers %s/run", f->state, f->state, f->state);
	snprintf(f->s.name, sizeof(f->s.name), "srv");
	snprintf(f->s.image, sizeof(f->s.image), "img");
	snprintf(f->s.dir, sizeof(f->s.dir), "%s/servers/srv", f->state);
	snprintf(f->s.image_dir, sizeof(f->s.image_dir), "%s/images/img", f->state);
	f->s.kind = k;
	f->s.cpus = 1;
	f->s.memory = 64 << 20;
	f->s.state = STATE_CREATING;
	f->ops = driver_for(k);
	f->last_progress = -1;
	return f;
}

/* Stop whatever still runs, remove the scratch directory. */
static inline void fixture_free(struct drv_fixture *f)
{
	struct berth_error err;

	if (f->s.pid > 0)
		f->ops->stop(&f->s, &f->env, true, 0, &err);
	f->ops->cleanup(&f->s, &f->env);
	if (remove_tree(f->state, &err) < 0)
		fprintf(stderr, "cleanup: %s\n", err.msg);
	free(f);
}

/* cmocka teardown of a fixture (or of a skipped test's NULL). */
static inline int fixture_teardown(void **state)
{
	if (*state)
		fixture_free(*state);
	return 0;
}

/* Start the server, failing the test with the driver's message. */
static inline void fixture_start(struct drv_fixture *f)
{
	struct berth_error err = { 0 };

	if (f->ops->start(&f->s, &f->env, &f->s.pid, &err) < 0)
		fail_msg("start: %s", err.msg);
	assert_true(f->s.pid > 0);
}

/* Stop the server, failing the test with the driver's message. */
static inline void fixture_stop(struct drv_fixture *f, bool force, int timeout_s)
{
	struct berth_error err = { 0 };

	if (f->ops->stop(&f->s, &f->env, force, timeout_s, &err) < 0)
		fail_msg("stop%s: %s", force ? " (forced)" : "", err.msg);
}

/* berthd died between starting the running server f and recording its pid: it is not
 * alive under pid 0, and a forced stop still ends it. */
static inline void fixture_check_unrecorded_stop(struct drv_fixture *f)
{
	int pidfd = proc_open(f->s.pid);

	assert_true(pidfd >= 0);
	f->s.pid = 0;
	assert_false(f->ops->alive(&f->s, &f->env));
	fixture_stop(f, true, 0);
	assert_true(proc_wait(pidfd, 5000));
	close(pidfd);
}

/* A pid that certainly belongs to no process now: a child that has exited and been reaped. */
static inline long fixture_dead_pid(void)
{
	pid_t p = fork();

	if (p == 0)
		_exit(0);
	waitpid(p, NULL, 0);
	return p;
}

#endif
