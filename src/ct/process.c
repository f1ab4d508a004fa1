/* process.c - the last steps before execve, in the order runc takes them. */
#include "ct/process.h"

#include <errno.h>
#include <grp.h>
#include <linux/close_range.h>
#include <linux/keyctl.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ct/caps.h"
#include "ct/seccomp.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static bool executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int process_find(const struct ct_process *p, char *out, size_t len, struct berth_error *err)
{
	const char *name = p->args[0], *dirs = DEFAULT_PATH, *d, *end;
	size_t i;

	if (strchr(name, '/')) {
		snprintf(out, len, "%s", name);
		if (!executable(out))
			return berr(err, errno ? errno : EACCES, "exec `%s` in the container",
				    name);
		return 0;
	}
	for (i = 0; p->env && p->env[i]; i++)
		if (!strncmp(p->env[i], "PATH=", 5))
			dirs = p->env[i] + 5;
	for (d = dirs; *d; d = *end ? end + 1 : end) {
		end = strchrnul(d, ':');
		snprintf(out, len, "%.*s/%s", (int)(end - d), end == d ? "." : d, name);
		if (executable(out))
			return 0;
	}
	return berr(err, 0, "exec `%s`: executable file not found in $PATH", name);
}

static int set_rlimits(const struct ct_process *p, struct berth_error *err)
{
	size_t i;

	for (i = 0; i < p->n_rlimits; i++) {
		struct rlimit rl = { p->rlimits[i].soft, p->rlimits[i].hard };

		if (setrlimit(p->rlimits[i].resource, &rl) < 0)
			return berr(err, errno, "process.rlimits[%zu]: setrlimit %llu/%llu", i,
				    (unsigned long long)rl.rlim_cur,
				    (unsigned long long)rl.rlim_max);
	}
	return 0;
}

static int set_user(const struct ct_process *p, struct berth_error *err)
{
	const struct ct_user *u = &p->user;

	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return berr(err, errno, "prctl PR_SET_KEEPCAPS");
	if (setgroups(u->n_additional_gids, u->additional_gids) < 0 && errno != EPERM)
		return berr(err, errno, "process.user.additionalGids: setgroups");
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return berr(err, errno, "process.user.gid: setgid %u", u->gid);
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return berr(err, errno, "process.user.uid: setuid %u", u->uid);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return berr(err, errno, "prctl PR_SET_KEEPCAPS");
	return 0;
}

/* A fresh anonymous session keyring, as runc gives each container: otherwise the process
 * keeps berth-ct's caller's, and a key added there is found from every other container.
 * A kernel without keyrings (ENOSYS) has nothing to share. */
static int new_session_keyring(struct berth_error *err)
{
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 && errno != ENOSYS)
		return berr(err, errno, "join a new session keyring");
	return 0;
}

int process_exec(const struct ct_process *p, const char *path, const struct ct_seccomp *s,
		 int preserve_fds, struct berth_error *err)
{
	/* whatever berth-ct inherited beyond what was asked for stays out */
	if (close_range(3 + (unsigned)preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return berr(err, errno, "mark inherited fds close-on-exec");
	if (set_rlimits(p, err) < 0 || new_session_keyring(err) < 0)
		return -1;
	if (chdir(p->cwd) < 0)
		return berr(err, errno, "process.cwd: chdir `%s`", p->cwd);
	/* without no_new_privs the filter must go in while we still hold CAP_SYS_ADMIN */
	if (!p->no_new_privileges && seccomp_apply(s, err) < 0)
		return -1;
	if (caps_drop_bounding(p, err) < 0 || set_user(p, err) < 0 || caps_apply(p, err) < 0)
		return -1;
	if (p->user.umask != CT_UNSET)
		umask((mode_t)p->user.umask);
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return berr(err, errno, "process.noNewPrivileges");
	if (p->no_new_privileges && seccomp_apply(s, err) < 0)
		return -1;
	execve(path, p->args, p->env ? p->env : (char *[]){ NULL });
	return berr(err, errno, "exec `%s`", path);
}
