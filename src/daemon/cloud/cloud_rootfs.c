/* cloud_rootfs.c - a container's seed in its tree (cloud_rootfs.h). */
#include "daemon/cloud/cloud_rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"

/* path (relative) opened with rootfd as / and no way out of it. */
static int open_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};

	return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
}

/* Make the directories of path (relative, at most PATH_MAX) in the tree rootfd, root's with
 * mode for those it makes, and open the last: each parent is resolved in the tree before
 * its child is made in it. */
static int make_dirs(int rootfd, const char *path, mode_t mode, struct berth_error *err)
{
	char prefix[PATH_MAX];
	const char *end = path;
	_cleanup_close_ int parent = dup(rootfd);
	int fd;

	if (parent < 0)
		return berr(err, errno, "cannot open the tree");
	for (;;) {
		const char *slash = strchr(end, '/');
		size_t n = slash ? (size_t)(slash - path) : strlen(path);
		const char *leaf = end;
		char name[NAME_MAX + 1];

		snprintf(name, sizeof(name), "%.*s", (int)(path + n - leaf), leaf);
		if (mkdirat(parent, name, mode) < 0 && errno != EEXIST)
			return berr(err, errno, "cannot make /%.*s in the tree", (int)n, path);
		snprintf(prefix, sizeof(prefix), "%.*s", (int)n, path);
		fd = open_in_root(rootfd, prefix, O_PATH | O_DIRECTORY);
		if (fd < 0)
			return berr(err, errno, "cannot open /%s in the tree", prefix);
		close(parent);
		parent = fd;
		if (!slash)
			return steal_fd(&parent);
		end = slash + 1;
	}
}

/* Add the seed's keys to root's authorized_keys in the tree rootfd. */
static int authorize(int rootfd, const struct cloud_seed *seed, struct berth_error *err)
{
	_cleanup_close_ int dir = make_dirs(rootfd, "root/.ssh", 0700, err);
	_cleanup_close_ int fd = -1;
	json_t *k;
	size_t i;

	if (dir < 0)
		return -1;
	/* O_PATH above: a descriptor that can hold a directory but not own it, reopened */
	fd = openat(dir, ".", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fchown(fd, 0, 0) < 0 || fchmod(fd, 0700) < 0)
		return berr(err, errno, "cannot set up /root/.ssh in the tree");
	close(fd);
	fd = openat(dir, "authorized_keys",
		    O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	if (fd < 0)
		return berr(err, errno, "cannot open /root/.ssh/authorized_keys in the tree");
	if (fchown(fd, 0, 0) < 0 || fchmod(fd, 0600) < 0)
		return berr(err, errno, "cannot set up /root/.ssh/authorized_keys in the tree");
	json_array_foreach(seed->ssh_keys, i, k)
	{
		if (dprintf(fd, "%s\n", json_string_value(k)) < 0)
			return berr(err, errno, "cannot write /root/.ssh/authorized_keys");
	}
	return 0;
}

int cloud_seed_rootfs(const char *rootfs, const struct cloud_seed *seed, struct berth_error *err)
{
	_cleanup_close_ int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_close_ int dir = -1, dirw = -1, prog = -1;
	struct stat st;

	if (rootfd < 0)
		return berr(err, errno, "cannot open %s", rootfs);
	dir = make_dirs(rootfd, CLOUD_SEED_DIR, 0755, err);
	if (dir < 0)
		return berr_wrap(err, "cloud-init seed");
	dirw = openat(dir, ".", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (dirw < 0)
		return berr(err, errno, "cannot open /%s in the tree", CLOUD_SEED_DIR);
	if (cloud_seed_write(dirw, seed, false, 0, 0, err) < 0)
		return berr_wrap(err, "cloud-init seed in /%s", CLOUD_SEED_DIR);
	prog = open_in_root(rootfd, "usr/bin/cloud-init", O_PATH);
	if (prog >= 0 && fstat(prog, &st) == 0 && S_ISREG(st.st_mode))
		return 0;
	if (!json_array_size(seed->ssh_keys))
		return 0;
	return authorize(rootfd, seed, err) < 0 ? berr_wrap(err, "SSH keys for root") : 0;
}
