/* mounts.c - one function per kind of mount in the config: bind, cgroup, and the
 * kernel filesystems (proc, sysfs, tmpfs, devpts, mqueue...). Targets are resolved in
 * the container's root (path.c) and mounted through /proc/self/fd. */
#include "ct/mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "ct/path.h"

#define MS_KEEP                                                                                    \
	(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME)

int mounts_remount(const char *target, unsigned long flags, struct berth_error *err)
{
	struct statvfs sv;
	unsigned long locked = 0;

	if (statvfs(target, &sv) == 0) {
		locked |= (sv.f_flag & ST_NOSUID) ? MS_NOSUID : 0;
		locked |= (sv.f_flag & ST_NODEV) ? MS_NODEV : 0;
		locked |= (sv.f_flag & ST_NOEXEC) ? MS_NOEXEC : 0;
	}
	if (mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | ((flags | locked) & MS_KEEP), NULL) <
	    0) {
		/* a read-only source stays read-only: retry keeping that too */
		if (errno != EPERM ||
		    mount(NULL, target, NULL,
			  MS_BIND | MS_REMOUNT | MS_RDONLY | ((flags | locked) & MS_KEEP),
			  NULL) < 0)
			return berr(err, errno, "remount `%s`", target);
	}
	return 0;
}

/* Remount what is now mounted at dest: reopened, since an fd taken before the mount
 * still names the covered directory, not the new mount. */
static int remount_at(int rootfd, const char *dest, unsigned long flags, struct berth_error *err)
{
	_cleanup_close_ int fd = path_open_in_root(rootfd, dest, PATH_EXISTING, err);
	char link[64];

	if (fd < 0)
		return -1;
	return mounts_remount(path_fd_link(fd, link, sizeof(link)), flags, err);
}

static int mount_bind(const struct ct_mount *m, int rootfd, const char *bundle,
		      struct berth_error *err)
{
	_cleanup_free_ char *src = NULL;
	_cleanup_close_ int fd = -1;
	struct stat st;
	char link[64];

	if (m->source[0] == '/')
		src = strdup(m->source);
	else if (asprintf(&src, "%s/%s", bundle, m->source) < 0)
		src = NULL;
	if (!src)
		return berr(err, ENOMEM, "mount `%s`", m->destination);
	if (stat(src, &st) < 0)
		return berr(err, errno, "bind mount source `%s`", src);
	fd = path_open_in_root(rootfd, m->destination,
			       S_ISDIR(st.st_mode) ? PATH_MKDIR : PATH_MKFILE, err);
	if (fd < 0)
		return -1;
	path_fd_link(fd, link, sizeof(link));
	if (mount(src, link, NULL, MS_BIND | (m->flags & MS_REC), NULL) < 0)
		return berr(err, errno, "bind mount `%s` on `%s`", src, m->destination);
	if ((m->flags & MS_KEEP) && remount_at(rootfd, m->destination, m->flags, err) < 0)
		return berr_wrap(err, "mount `%s`", m->destination);
	return 0;
}

/* Bind the container's own cgroup directories, read-only when asked. */
static int mount_cgroup(const struct ct_mount *m, int rootfd, struct cgroup *cg,
			struct berth_error *err)
{
	const char *subdirs[16], *dirs[16];
	size_t n = cg->ops->mounts(cg, subdirs, dirs, 16), i;
	_cleanup_close_ int fd = path_open_in_root(rootfd, m->destination, PATH_MKDIR, err);
	char link[64];

	if (fd < 0)
		return -1;
	path_fd_link(fd, link, sizeof(link));
	if (n == 1 && !subdirs[0][0]) {
		if (mount(dirs[0], link, NULL, MS_BIND, NULL) < 0)
			return berr(err, errno, "bind `%s` on `%s`", dirs[0], m->destination);
		return remount_at(rootfd, m->destination,
				  m->flags | MS_NOSUID | MS_NODEV | MS_NOEXEC, err);
	}
	if (mount("tmpfs", link, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755") < 0)
		return berr(err, errno, "mount tmpfs on `%s`", m->destination);
	for (i = 0; i < n; i++) {
		_cleanup_close_ int sub = -1;
		char dest[4096], sublink[64];

		snprintf(dest, sizeof(dest), "%s/%s", m->destination, subdirs[i]);
		sub = path_open_in_root(rootfd, dest, PATH_MKDIR, err);
		if (sub < 0)
			return -1;
		path_fd_link(sub, sublink, sizeof(sublink));
		if (mount(dirs[i], sublink, NULL, MS_BIND, NULL) < 0)
			return berr(err, errno, "bind `%s` on `%s`", dirs[i], dest);
		if (remount_at(rootfd, dest, m->flags | MS_NOSUID | MS_NODEV | MS_NOEXEC, err) < 0)
			return -1;
	}
	if (!(m->flags & MS_RDONLY))
		return 0;
	return remount_at(rootfd, m->destination, m->flags | MS_NOSUID | MS_NODEV | MS_NOEXEC, err);
}

static int mount_fs(const struct ct_mount *m, int rootfd, struct berth_error *err)
{
	_cleanup_close_ int fd = path_open_in_root(rootfd, m->destination, PATH_MKDIR, err);
	const char *src = m->source ? m->source : m->type;
	char link[64];

	if (fd < 0)
		return -1;
	path_fd_link(fd, link, sizeof(link));
	if (mount(src, link, m->type, m->flags & ~MS_REMOUNT, m->data) == 0)
		return 0;
	/* sysfs needs a network namespace of our own; otherwise take the host's */
	if (!strcmp(m->type, "sysfs") && (errno == EPERM || errno == EBUSY)) {
		if (mount("/sys", link, NULL, MS_BIND | MS_REC, NULL) < 0)
			return berr(err, errno, "bind /sys on `%s`", m->destination);
		return remount_at(rootfd, m->destination, m->flags, err);
	}
	return berr(err, errno, "mount %s on `%s`", m->type, m->destination);
}

int mounts_apply(const struct ct_config *c, int rootfd, const char *bundle, struct cgroup *cg,
		 struct berth_error *err)
{
	size_t i;

	for (i = 0; i < c->n_mounts; i++) {
		const struct ct_mount *m = &c->mounts[i];
		int rc;

		if (m->bind)
			rc = mount_bind(m, rootfd, bundle, err);
		else if (!strcmp(m->type, "cgroup") || !strcmp(m->type, "cgroup2"))
			rc = mount_cgroup(m, rootfd, cg, err);
		else
			rc = mount_fs(m, rootfd, err);
		if (rc < 0)
			return berr_wrap(err, "mounts[%zu]", i);
		if (m->propagation) {
			_cleanup_close_ int fd =
			    path_open_in_root(rootfd, m->destination, PATH_EXISTING, err);
			char link[64];

			if (fd < 0 || mount(NULL, path_fd_link(fd, link, sizeof(link)), NULL,
					    m->propagation, NULL) < 0)
				return berr(err, errno, "mounts[%zu]: set propagation of `%s`", i,
					    m->destination);
		}
	}
	return 0;
}
