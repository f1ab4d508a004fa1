/* copy_tree.c - copying a root file system tree (an image's rootfs into a container's) so
 * that it is the same to the container: owners, modes, times, xattrs (file capabilities
 * too), device nodes, fifos, sockets, symlinks as they are (never followed) and hard links
 * as links. Each file's data goes through copy_data (reflink, else sparse). */
#include "daemon/images/copy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "daemon/images/copy_data.h"
#include "daemon/images/tree.h"

struct tree_copy {
	const char *src, *dst;
	int dirs[TREE_MAX_DEPTH + 1]; /* the copy's open directory at each depth */
	struct inode_set links;	      /* source inodes with several links: first copy's path */
	struct copy_progress progress;
	bool into;	    /* dst exists already (an empty directory): copy into it */
	bool made;	    /* dst was created: remove it on failure */
	struct stat dst_st; /* the copy's root, met again when copying a tree into itself */
};

/* Sum the sizes of the regular files: the job's total for progress. */
static int sum_sizes(void *ctx, const struct tree_entry *e, struct berth_error *err)
{
	(void)err;
	if (S_ISREG(e->st->st_mode))
		*(uint64_t *)ctx += e->st->st_size;
	return 0;
}

/* Fill err about the entry at path below root. */
static int entry_err(const char *root, const char *path, int errnum, const char *what,
		     struct berth_error *err)
{
	return berr(err, errnum, "%s %s%s%s%s", what, root, path[0] ? "/" : "", tree_cut(path),
		    tree_tail(path));
}

/* Read a whole xattr list or value with call (which returns -1/ERANGE when buf is small). */
static ssize_t read_sized(char **buf, ssize_t (*call)(void *arg, char *buf, size_t size), void *arg)
{
	for (;;) {
		ssize_t size = call(arg, NULL, 0), n;

		if (size <= 0)
			return size;
		free(*buf);
		*buf = malloc(size);
		if (!*buf) {
			errno = ENOMEM;
			return -1;
		}
		n = call(arg, *buf, size);
		if (n >= 0 || errno != ERANGE)
			return n;
	}
}

struct xattr_arg {
	const char *path, *name;
};

static ssize_t list_call(void *arg, char *buf, size_t size)
{
	return listxattr(((struct xattr_arg *)arg)->path, buf, size);
}

static ssize_t get_call(void *arg, char *buf, size_t size)
{
	struct xattr_arg *a = arg;

	return getxattr(a->path, a->name, buf, size);
}

/* Copy every xattr of the entry at (sdir, sname) to the one at (ddir, dname). The entries
 * are reached through O_PATH descriptors and /proc/self/fd, which works for symlinks and
 * device nodes as well without following or opening them. */
static int copy_xattrs(int sdir, const char *sname, int ddir, const char *dname, const char *root,
		       const char *path, struct berth_error *err)
{
	_cleanup_close_ int sfd = openat(sdir, sname, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_close_ int dfd = openat(ddir, dname, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_free_ char *names = NULL, *value = NULL;
	char spath[32], dpath[32];
	struct xattr_arg a = { .path = spath };
	ssize_t len, vlen;

	if (sfd < 0)
		return entry_err(root, path, errno, "cannot open", err);
	if (dfd < 0)
		return entry_err(root, path, errno, "cannot open the copy of", err);
	snprintf(spath, sizeof(spath), "/proc/self/fd/%d", sfd);
	snprintf(dpath, sizeof(dpath), "/proc/self/fd/%d", dfd);
	len = read_sized(&names, list_call, &a);
	if (len < 0 && (errno == ENOTSUP || errno == EPERM))
		return 0; /* the source file system has none */
	if (len < 0)
		return entry_err(root, path, errno, "cannot list the xattrs of", err);
	for (char *n = names; n < names + len; n += strlen(n) + 1) {
		a.name = n;
		vlen = read_sized(&value, get_call, &a);
		if (vlen < 0 && errno == ENODATA)
			continue; /* removed meanwhile */
		if (vlen < 0 || setxattr(dpath, n, vlen ? value : "", vlen, 0) < 0) {
			berr(err, errno, "cannot copy the xattr %s of", n);
			return entry_err(root, path, errno, err->msg, err);
		}
	}
	return 0;
}

/* Give the copy at (ddir, dname) the entry's owner, mode, xattrs and times, in an order
 * where none undoes another: chown clears set-id bits and file capabilities. */
static int copy_meta(struct tree_copy *c, const struct tree_entry *e, int ddir, const char *dname,
		     struct berth_error *err)
{
	const struct stat *st = e->st;
	struct timespec times[2] = { st->st_atim, st->st_mtim };

	if (fchownat(ddir, dname, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return entry_err(c->dst, e->path, errno, "cannot set the owner of", err);
	if (!S_ISLNK(st->st_mode) && fchmodat(ddir, dname, st->st_mode & 07777, 0) < 0)
		return entry_err(c->dst, e->path, errno, "cannot set the mode of", err);
	if (copy_xattrs(e->dirfd, e->name, ddir, dname, c->src, e->path, err))
		return -1;
	if (utimensat(ddir, dname, times, AT_SYMLINK_NOFOLLOW) < 0)
		return entry_err(c->dst, e->path, errno, "cannot set the times of", err);
	return 0;
}

/* Copy a regular file's data into the new file (ddir, dname). */
static int copy_regular(struct tree_copy *c, const struct tree_entry *e, int ddir,
			const char *dname, struct berth_error *err)
{
	_cleanup_close_ int sfd = openat(e->dirfd, e->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_close_ int dfd = -1;
	_cleanup_free_ char *shown = NULL;
	struct stat st;

	if (sfd < 0)
		return entry_err(c->src, e->path, errno, "cannot open", err);
	if (fstat(sfd, &st) < 0)
		return entry_err(c->src, e->path, errno, "cannot stat", err);
	if (st.st_ino != e->st->st_ino || st.st_dev != e->st->st_dev)
		return entry_err(c->src, e->path, 0, "changed while being copied:", err);
	dfd = openat(ddir, dname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (dfd < 0)
		return entry_err(c->dst, e->path, errno, "cannot create", err);
	if (asprintf(&shown, "%s/%s%s", c->src, tree_cut(e->path), tree_tail(e->path)) < 0)
		return entry_err(c->src, e->path, ENOMEM, "cannot copy", err);
	return copy_data(sfd, dfd, st.st_size, shown, &c->progress, err);
}

/* Make the copy of a non-directory entry at (ddir, dname). */
static int copy_leaf(struct tree_copy *c, const struct tree_entry *e, int ddir, const char *dname,
		     struct berth_error *err)
{
	const struct stat *st = e->st;
	_cleanup_free_ char *target = NULL;
	const char *first = NULL;
	ssize_t n;

	if (st->st_nlink > 1 && inode_set_add(&c->links, st, e->path, &first, err))
		return -1;
	if (first) { /* a second name of an inode copied already */
		if (linkat(c->dirs[0], first, ddir, dname, 0) < 0)
			return entry_err(c->dst, e->path, errno, "cannot link", err);
		if (S_ISREG(st->st_mode))
			copy_progress_add(&c->progress, st->st_size);
		return 0;
	}
	switch (st->st_mode & S_IFMT) {
	case S_IFREG:
		if (copy_regular(c, e, ddir, dname, err))
			return -1;
		break;
	case S_IFLNK:
		target = malloc(st->st_size + 1);
		if (!target)
			return entry_err(c->src, e->path, ENOMEM, "cannot read the symlink", err);
		n = readlinkat(e->dirfd, e->name, target, st->st_size + 1);
		if (n < 0 || n > st->st_size)
			return entry_err(c->src, e->path, n < 0 ? errno : 0,
					 "cannot read (or changed while copying) the symlink", err);
		target[n] = '\0';
		if (symlinkat(target, ddir, dname) < 0)
			return entry_err(c->dst, e->path, errno, "cannot create the symlink", err);
		break;
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK:
		if (mknodat(ddir, dname, st->st_mode & (S_IFMT | 0777), st->st_rdev) < 0)
			return entry_err(c->dst, e->path, errno, "cannot create the node", err);
		break;
	default:
		return entry_err(c->src, e->path, 0, "unknown file type at", err);
	}
	return copy_meta(c, e, ddir, dname, err);
}

static int copy_visit(void *ctx, const struct tree_entry *e, struct berth_error *err)
{
	struct tree_copy *c = ctx;
	int ddir = e->depth ? c->dirs[e->depth - 1] : AT_FDCWD;
	const char *dname = e->depth ? e->name : c->dst;
	int rc;

	if (!S_ISDIR(e->st->st_mode)) {
		if (e->depth == 0)
			return berr(err, 0, "%s is not a directory", c->src);
		return copy_leaf(c, e, ddir, dname, err);
	}
	if (e->post) {
		rc = copy_meta(c, e, ddir, dname, err);
		close(c->dirs[e->depth]);
		c->dirs[e->depth] = -1;
		return rc;
	}
	if (e->depth && e->st->st_dev == c->dst_st.st_dev && e->st->st_ino == c->dst_st.st_ino)
		return berr(err, 0, "cannot copy %s into %s, which is inside it", c->src, c->dst);
	if ((e->depth || !c->into) && mkdirat(ddir, dname, 0700) < 0)
		return entry_err(c->dst, e->path, errno, "cannot create the directory", err);
	if (e->depth == 0)
		c->made = !c->into;
	c->dirs[e->depth] = openat(ddir, dname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (c->dirs[e->depth] < 0)
		return entry_err(c->dst, e->path, errno, "cannot open the directory", err);
	if (e->depth == 0 && fstat(c->dirs[0], &c->dst_st) < 0)
		return entry_err(c->dst, "", errno, "cannot stat", err);
	return 0;
}

static int copy(const char *src, const char *dst, bool into, progress_fn progress, void *ctx,
		struct berth_error *err)
{
	struct tree_copy c = { .src = src, .dst = dst, .into = into };
	struct berth_error ignored;
	uint64_t total = 0;
	int rc;

	for (size_t i = 0; i < sizeof(c.dirs) / sizeof(c.dirs[0]); i++)
		c.dirs[i] = -1;
	if (tree_walk(src, sum_sizes, &total, err))
		return -1;
	copy_progress_init(&c.progress, total, progress, ctx);
	rc = tree_walk(src, copy_visit, &c, err);
	for (size_t i = 0; i < sizeof(c.dirs) / sizeof(c.dirs[0]); i++)
		if (c.dirs[i] >= 0)
			close(c.dirs[i]);
	inode_set_free(&c.links);
	if (rc && c.made)
		remove_tree(dst, &ignored);
	return rc;
}

int copy_tree(const char *src, const char *dst, progress_fn progress, void *ctx,
	      struct berth_error *err)
{
	return copy(src, dst, false, progress, ctx, err);
}

int copy_tree_into(const char *src, const char *dst, progress_fn progress, void *ctx,
		   struct berth_error *err)
{
	return copy(src, dst, true, progress, ctx, err);
}
