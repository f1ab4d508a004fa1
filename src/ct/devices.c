/* devices.c - /dev/null and friends, linux.devices, and the /dev/fd-style links. */
#include "ct/devices.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "ct/path.h"

static const struct ct_device defaults[] = {
	{ "/dev/null", 'c', 1, 3, 0666, 0, 0 },	   { "/dev/zero", 'c', 1, 5, 0666, 0, 0 },
	{ "/dev/full", 'c', 1, 7, 0666, 0, 0 },	   { "/dev/random", 'c', 1, 8, 0666, 0, 0 },
	{ "/dev/urandom", 'c', 1, 9, 0666, 0, 0 }, { "/dev/tty", 'c', 5, 0, 0666, 0, 0 },
};

static const char *const links[][2] = {
	{ "/proc/self/fd", "/dev/fd" },	      { "/proc/self/fd/0", "/dev/stdin" },
	{ "/proc/self/fd/1", "/dev/stdout" }, { "/proc/self/fd/2", "/dev/stderr" },
	{ "pts/ptmx", "/dev/ptmx" },
};

/* Split path into its parent (resolved, created) and its last name. */
static int open_parent(int rootfd, const char *path, const char **name, struct berth_error *err)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');

	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	*name = slash + 1;
	return path_open_in_root(rootfd, dir, PATH_MKDIR, err);
}

static int bind_device(int rootfd, const struct ct_device *d, struct berth_error *err)
{
	_cleanup_close_ int fd = path_open_in_root(rootfd, d->path, PATH_MKFILE, err);
	char link[64];

	if (fd < 0)
		return -1;
	if (mount(d->path, path_fd_link(fd, link, sizeof(link)), NULL, MS_BIND, NULL) < 0)
		return berr(err, errno, "bind host device `%s`", d->path);
	return 0;
}

static int make_device(int rootfd, const struct ct_device *d, struct berth_error *err)
{
	_cleanup_close_ int parent = -1;
	const char *name;
	mode_t mode = d->file_mode == CT_UNSET ? 0666 : (mode_t)d->file_mode;
	mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;

	parent = open_parent(rootfd, d->path, &name, err);
	if (parent < 0)
		return -1;
	/* a stale node from the image is replaced; a directory is not */
	if (unlinkat(parent, name, 0) < 0 && errno != ENOENT)
		return berr(err, errno, "replace `%s`", d->path);
	if (mknodat(parent, name, type | mode, makedev((unsigned)d->major, (unsigned)d->minor)) < 0)
		return berr(err, errno, "mknod `%s`", d->path);
	if (fchmodat(parent, name, mode, 0) < 0)
		return berr(err, errno, "chmod `%s`", d->path);
	if ((d->uid != CT_UNSET || d->gid != CT_UNSET) &&
	    fchownat(parent, name, d->uid == CT_UNSET ? (uid_t)-1 : (uid_t)d->uid,
		     d->gid == CT_UNSET ? (gid_t)-1 : (gid_t)d->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return berr(err, errno, "chown `%s`", d->path);
	return 0;
}

static bool listed(const struct ct_config *c, const char *path)
{
	size_t i;

	for (i = 0; i < c->n_devices; i++)
		if (!strcmp(c->devices[i].path, path))
			return true;
	return false;
}

int devices_create(const struct ct_config *c, int rootfd, bool userns, struct berth_error *err)
{
	size_t i;

	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		if (listed(c, defaults[i].path))
			continue;
		if ((userns ? bind_device(rootfd, &defaults[i], err)
			    : make_device(rootfd, &defaults[i], err)) < 0)
			return -1;
	}
	for (i = 0; i < c->n_devices; i++)
		if ((userns ? bind_device(rootfd, &c->devices[i], err)
			    : make_device(rootfd, &c->devices[i], err)) < 0)
			return berr_wrap(err, "linux.devices[%zu]", i);
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		_cleanup_close_ int parent = -1;
		const char *name;

		parent = open_parent(rootfd, links[i][1], &name, err);
		if (parent < 0)
			return -1;
		if (symlinkat(links[i][0], parent, name) < 0 && errno != EEXIST)
			return berr(err, errno, "symlink `%s`", links[i][1]);
	}
	return 0;
}
