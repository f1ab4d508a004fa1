/* jailed.c - bench/vmm/run's helper for the jail's cost: start a berth-vmm command line as
 * berthd does (spawn.c's double fork, detached), in a jail of uid UID (servers/jail.c) or,
 * with UID 0, without one; wait for its exit and exit with its status. So the two rows
 * differ by the jail alone: namespaces, the root's mounts and nodes, the ids dropped.
 *
 *   jailed UID DIR KERNEL[:FILE...] VMM ARGS...
 *
 * DIR stands for STATE_DIR (the jail's root is built on DIR/jail) and DIR/srv for the
 * server's directory (the VMM's log goes there; made its uid's); KERNEL and each FILE (an
 * initrd) are bound read-only, as a server's kernel and initrd are. Root only. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/servers/jail.h"
#include "daemon/servers/spawn.h"

/* Bind each of the ':'-separated files read-only into the jail. */
static int bind_files(struct jail *j, char *files, struct berth_error *err)
{
	char *f, *save = NULL;

	for (f = strtok_r(files, ":", &save); f; f = strtok_r(NULL, ":", &save))
		if (jail_readable(f, err) || jail_bind(j, f, false, false, err))
			return -1;
	return 0;
}

static int die(const struct berth_error *err)
{
	fprintf(stderr, "jailed: %s\n", err->msg);
	return 2;
}

int main(int argc, char **argv)
{
	char srv[PATH_MAX], log[PATH_MAX + 16];
	struct berth_error err;
	struct jail j;
	uid_t uid;
	long pid;
	int status, rc;

	if (argc < 5) {
		fprintf(stderr, "usage: jailed UID DIR KERNEL[:FILE...] VMM ARGS...\n");
		return 2;
	}
	uid = (uid_t)strtoul(argv[1], NULL, 10);
	snprintf(srv, sizeof(srv), "%s/srv", argv[2]);
	snprintf(log, sizeof(log), "%s/vmm.log", srv);
	mkdir(srv, 0700);
	/* the VMM is reparented to us, not to init, once the middle child is gone */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (!uid) {
		rc = spawn_detached(argv + 4, log, &pid, &err);
	} else {
		rc = jail_init(&j, uid, argv[2], argv[4], "bench", &err);
		if (!rc)
			rc = jail_own(&j, srv, true, &err) || jail_own(&j, log, false, &err) ||
			     jail_bind(&j, srv, true, true, &err) || bind_files(&j, argv[3], &err) ||
			     spawn_jailed(argv + 4, NULL, log, &j, &pid, &err);
		jail_done(&j);
	}
	if (rc)
		return die(&err);
	while (waitpid((pid_t)pid, &status, 0) < 0)
		if (errno != EINTR)
			return 2;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
