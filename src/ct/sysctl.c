/* sysctl.c - runc's rule for linux.sysctl: kernel.shm*, kernel.msg*, kernel.sem,
 * kernel.sem_next_id and fs.mqueue.* live in the IPC namespace, net.* in the network
 * namespace, kernel.hostname and kernel.domainname in the UTS namespace. Any other key
 * is global: writing it from a container would change the host, so it is refused. */
#include "ct/sysctl.h"

#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ct/names.h"

static bool has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

int sysctl_namespace(const char *key)
{
	if (has_prefix(key, "kernel.shm") || has_prefix(key, "kernel.msg") ||
	    !strcmp(key, "kernel.sem") || !strcmp(key, "kernel.sem_next_id") ||
	    has_prefix(key, "fs.mqueue."))
		return CLONE_NEWIPC;
	if (has_prefix(key, "net."))
		return CLONE_NEWNET;
	if (!strcmp(key, "kernel.hostname") || !strcmp(key, "kernel.domainname"))
		return CLONE_NEWUTS;
	return 0;
}

/* Whether path names the namespace berth-ct itself runs in (as runc asks of a joined
 * network namespace: "host" means the runtime's current one). */
static int is_own_namespace(const char *path, int type, bool *own, struct berth_error *err)
{
	char self[64];
	struct stat a, b;

	snprintf(self, sizeof(self), "/proc/self/ns/%s", names_namespace_file(type));
	if (stat(path, &a) < 0)
		return berr(err, errno, "%s namespace `%s`", names_namespace_name(type), path);
	if (stat(self, &b) < 0)
		return berr(err, errno, "stat `%s`", self);
	*own = a.st_dev == b.st_dev && a.st_ino == b.st_ino;
	return 0;
}

int sysctl_check(const struct ct_config *c, struct berth_error *err)
{
	size_t i;

	for (i = 0; i < c->n_sysctls; i++) {
		const char *key = c->sysctls[i].key;
		int type = sysctl_namespace(key);
		const struct ct_namespace *ns = type ? config_namespace(c, type) : NULL;
		bool own = false;

		if (!type)
			return berr(err, 0,
				    "config.json: linux.sysctl: `%s` is not in a separate kernel "
				    "namespace",
				    key);
		if (ns && ns->path && is_own_namespace(ns->path, type, &own, err) < 0)
			return -1;
		if (!ns || own)
			return berr(err, 0,
				    "config.json: linux.sysctl: `%s` needs the container's own %s "
				    "namespace, not the host's",
				    key, names_namespace_name(type));
	}
	return 0;
}
