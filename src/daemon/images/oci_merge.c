/* oci_merge.c - one extracted layer moved into the rootfs below it. Whiteouts first (they
 * apply to lower layers only): .wh..wh..opq empties the directory it is in, .wh.NAME removes
 * NAME. Then every file, symlink or node is renamed into place, replacing what was there; a
 * directory is merged into the one below (made when there is none, replacing a non-directory). All
 * by directory descriptors opened with O_NOFOLLOW: a symlink a lower layer made is replaced, never
 * followed out of the rootfs. */
#include "daemon/images/oci_merge.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "daemon/images/copy.h"
#include "daemon/images/tree.h"

#define WH     ".wh."
#define WH_OPQ ".wh..wh..opq"

/* Remove name in dirfd, a whole tree when it is a directory (never followed). */
static int remove_at(int dirfd, const char *name, struct berth_error *err)
{
	char path[64 + NAME_MAX];
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : berr(err, errno, "cannot look at %s", name);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dirfd, name, 0) < 0)
			return berr(err, errno, "cannot remove %s", name);
		return 0;
	}
	/* The directory's descriptor names it: no path component is resolved twice. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dirfd, name);
	return remove_tree(path, err);
}

/* A stream of the entries of dirfd, from its start (an open file of its own: a dup would
 * share, and move, dirfd's position). */
static DIR *entries(int dirfd)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (!d && fd >= 0)
		close(fd);
	return d;
}

static bool dots(const char *n)
{
	return !strcmp(n, ".") || !strcmp(n, "..");
}

/* Empty the directory dirfd. */
static int clear_dir(int dirfd, struct berth_error *err)
{
	DIR *d = entries(dirfd);
	struct dirent *e;
	int rc = 0;

	if (!d)
		return berr(err, errno, "cannot read a directory of the rootfs");
	while (rc == 0 && (e = readdir(d)))
		if (!dots(e->d_name))
			rc = remove_at(dirfd, e->d_name, err);
	closedir(d);
	return rc;
}

static int merge_dir(int src, int dst, int depth, struct berth_error *err);

/* Pass 1: the whiteouts of src applied to dst, and removed from src. */
static int whiteouts(int src, int dst, struct berth_error *err)
{
	DIR *d = entries(src);
	struct dirent *e;
	const char *target;
	int rc = 0;

	if (!d)
		return berr(err, errno, "cannot read a layer");
	while (rc == 0 && (e = readdir(d))) {
		if (strncmp(e->d_name, WH, strlen(WH)))
			continue;
		target = e->d_name + strlen(WH);
		if (!strcmp(e->d_name, WH_OPQ))
			rc = clear_dir(dst, err);
		else if (target[0] && !dots(target))
			rc = remove_at(dst, target, err);
		if (rc == 0 && unlinkat(src, e->d_name, 0) < 0)
			rc = berr(err, errno, "cannot remove the whiteout %s", e->d_name);
	}
	closedir(d);
	return rc;
}

/* Merge the directories src/name and dst/name, then give dst/name src/name's owner and mode. */
static int merge_sub(int src, int dst, const char *name, const struct stat *st, int depth,
		     struct berth_error *err)
{
	_cleanup_close_ int s = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_close_ int d = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (s < 0 || d < 0)
		return berr(err, errno, "cannot open the directory %s of a layer", name);
	if (merge_dir(s, d, depth + 1, err))
		return -1;
	if (fchown(d, st->st_uid, st->st_gid) < 0 || fchmod(d, st->st_mode & 07777) < 0)
		return berr(err, errno, "cannot set the owner and mode of %s", name);
	return 0;
}

static int merge_dir(int src, int dst, int depth, struct berth_error *err)
{
	DIR *d;
	struct dirent *e;
	struct stat s, t;
	int rc;

	if (depth > TREE_MAX_DEPTH)
		return refuse(err, EINVAL, "a layer is deeper than %d directories", TREE_MAX_DEPTH);
	if (whiteouts(src, dst, err))
		return -1;
	d = entries(src);
	if (!d)
		return berr(err, errno, "cannot read a layer");
	rc = 0;
	/* Entries renamed away are not met again; every other one is met once. */
	while (rc == 0 && (e = readdir(d))) {
		if (dots(e->d_name))
			continue;
		if (fstatat(src, e->d_name, &s, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = berr(err, errno, "cannot look at %s in a layer", e->d_name);
			break;
		}
		if (S_ISDIR(s.st_mode)) {
			/* Into a directory of its own (whiteouts deeper down are consumed, not
			 * moved along): the one below, or a new one in place of what was there. */
			if (fstatat(dst, e->d_name, &t, AT_SYMLINK_NOFOLLOW) < 0 ||
			    !S_ISDIR(t.st_mode)) {
				rc = remove_at(dst, e->d_name, err);
				if (rc == 0 && mkdirat(dst, e->d_name, 0700) < 0)
					rc = berr(err, errno, "cannot create %s in the rootfs",
						  e->d_name);
			}
			if (rc == 0)
				rc = merge_sub(src, dst, e->d_name, &s, depth, err);
			continue;
		}
		rc = remove_at(dst, e->d_name, err);
		if (rc == 0 && renameat(src, e->d_name, dst, e->d_name) < 0)
			rc = berr(err, errno, "cannot move %s of a layer into the rootfs",
				  e->d_name);
	}
	closedir(d);
	return rc;
}

int oci_merge(const char *layer, const char *rootfs, struct berth_error *err)
{
	_cleanup_close_ int s = open(layer, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_close_ int d = open(rootfs, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (s < 0 || d < 0)
		return berr(err, errno, "cannot open %s or %s", layer, rootfs);
	return merge_dir(s, d, 0, err);
}
