/* rootfs.c - root filesystem switching and the lock-down applied after it. */
#include "ct/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "ct/mounts.h"
#include "ct/namespaces.h"

/* path made canonical without touching the file system: no "//", ".", ".." or trailing
 * "/" (Go's filepath.Clean, which runc compares the resolved root with). */
static char *lexical_clean(const char *path)
{
	char *out = malloc(strlen(path) + 2);
	const char *p = path;
	size_t n = 0;

	if (!out)
		return NULL;
	while (*p) {
		size_t len;

		while (*p == '/')
			p++;
		len = strcspn(p, "/");
		if (len == 2 && !strncmp(p, "..", 2)) {
			while (n > 0 && out[--n] != '/')
				;
		} else if (len && !(len == 1 && *p == '.')) {
			out[n++] = '/';
			memcpy(out + n, p, len);
			n += len;
		}
		p += len;
	}
	if (!n)
		out[n++] = '/';
	out[n] = '\0';
	return out;
}

int rootfs_check(const struct ct_config *c, struct berth_error *err)
{
	_cleanup_free_ char *clean = NULL, *real = NULL;
	struct stat st;

	/* root.path then names a path of that namespace, not of ours */
	if (ns_joined(c, CLONE_NEWNS))
		return 0;
	if (lstat(c->root_path, &st) < 0)
		return berr(err, errno, "root.path `%s`", c->root_path);
	if (S_ISLNK(st.st_mode))
		return berr(err, 0, "root.path `%s` is a symbolic link", c->root_path);
	if (!S_ISDIR(st.st_mode))
		return berr(err, 0, "root.path `%s` is not a directory", c->root_path);
	clean = lexical_clean(c->root_path);
	real = realpath(c->root_path, NULL);
	if (!clean || !real)
		return berr(err, clean ? errno : ENOMEM, "root.path `%s`", c->root_path);
	if (strcmp(clean, real))
		return berr(err, 0, "root.path `%s` passes through a symbolic link (it is `%s`)",
			    c->root_path, real);
	return 0;
}

int rootfs_prepare(const struct ct_config *c, struct berth_error *err)
{
	unsigned long prop = MS_SLAVE | MS_REC;
	int fd;

	if (c->rootfs_propagation & MS_PRIVATE)
		prop = MS_PRIVATE | MS_REC;
	if (mount(NULL, "/", NULL, prop, NULL) < 0)
		return berr(err, errno, "make / %s", prop & MS_PRIVATE ? "private" : "slave");
	if (mount(c->root_path, c->root_path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return berr(err, errno, "bind root.path `%s`", c->root_path);
	fd = open(c->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return berr(err, errno, "open root.path `%s`", c->root_path);
	return fd;
}

int rootfs_pivot(const struct ct_config *c, struct berth_error *err)
{
	if (chdir(c->root_path) < 0)
		return berr(err, errno, "chdir `%s`", c->root_path);
	/* pivot_root(".", ".") stacks the old root on the new one; unmount it from there */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return berr(err, errno, "pivot_root `%s`", c->root_path);
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return berr(err, errno, "make the old root a slave");
	if (umount2(".", MNT_DETACH) < 0)
		return berr(err, errno, "unmount the old root");
	if (chdir("/") < 0)
		return berr(err, errno, "chdir /");
	return 0;
}

static int write_sysctl(const struct ct_sysctl *s, struct berth_error *err)
{
	char path[512];
	_cleanup_close_ int fd = -1;
	size_t i, len = strlen(s->value);

	snprintf(path, sizeof(path), "/proc/sys/%s", s->key);
	for (i = strlen("/proc/sys/"); path[i]; i++)
		if (path[i] == '.')
			path[i] = '/';
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, s->value, len) != (ssize_t)len)
		return berr(err, errno, "linux.sysctl: set `%s`", s->key);
	return 0;
}

/* A directory gets an empty read-only tmpfs; anything else /dev/null. */
static int mask_path(const char *path, struct berth_error *err)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return berr(err, errno, "linux.maskedPaths: `%s`", path);
	}
	if (S_ISDIR(st.st_mode)) {
		if (mount("tmpfs", path, "tmpfs", MS_RDONLY, NULL) < 0)
			return berr(err, errno, "linux.maskedPaths: mask `%s`", path);
	} else if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0) {
		return berr(err, errno, "linux.maskedPaths: mask `%s`", path);
	}
	return 0;
}

static int readonly_path(const char *path, struct berth_error *err)
{
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
		if (errno == ENOENT)
			return 0;
		return berr(err, errno, "linux.readonlyPaths: bind `%s`", path);
	}
	if (mounts_remount(path, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, err) < 0)
		return berr_wrap(err, "linux.readonlyPaths");
	return 0;
}

static int rootfs_sysctl(const struct ct_config *c, struct berth_error *err)
{
	size_t i;

	for (i = 0; i < c->n_sysctls; i++)
		if (write_sysctl(&c->sysctls[i], err) < 0)
			return -1;
	return 0;
}

int rootfs_finish(const struct ct_config *c, struct berth_error *err)
{
	size_t i;

	if (rootfs_sysctl(c, err) < 0)
		return -1;
	for (i = 0; c->readonly_paths && c->readonly_paths[i]; i++)
		if (readonly_path(c->readonly_paths[i], err) < 0)
			return -1;
	for (i = 0; c->masked_paths && c->masked_paths[i]; i++)
		if (mask_path(c->masked_paths[i], err) < 0)
			return -1;
	if (c->root_readonly && mounts_remount("/", MS_RDONLY, err) < 0)
		return berr_wrap(err, "root.readonly");
	if (c->rootfs_propagation && mount(NULL, "/", NULL, c->rootfs_propagation, NULL) < 0)
		return berr(err, errno, "linux.rootfsPropagation");
	return 0;
}
