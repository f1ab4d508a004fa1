/* tree.c - a depth-first walk by directory descriptors (openat + O_NOFOLLOW), so that
 * symlinks in the tree are never followed and paths longer than PATH_MAX still work. */
#include "daemon/images/tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"

struct walk {
	const char *root;
	tree_visit_fn visit;
	void *ctx;
	dev_t dev; /* the root's file system */
};

static int walk_entry(struct walk *w, int dirfd, const char *name, const char *path, int depth,
		      struct berth_error *err);

/* Fill err with "WHAT ROOT/PATH[: strerror]". */
static int walk_err(const struct walk *w, int errnum, const char *what, const char *path,
		    struct berth_error *err)
{
	return berr(err, errnum, "%s %s%s%s%s", what, w->root, path[0] ? "/" : "", tree_cut(path),
		    tree_tail(path));
}

/* Visit every entry of the open directory fd (whose path is path); closes fd. One
 * descriptor per level: deep trees must not run the daemon out of them. */
static int walk_dir(struct walk *w, int fd, const char *path, int depth, struct berth_error *err)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;
	int rc = 0;

	if (!d) {
		close(fd);
		return walk_err(w, errno, "cannot read directory", path, err);
	}
	for (;;) {
		_cleanup_free_ char *child = NULL;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				rc = walk_err(w, errno, "cannot read directory", path, err);
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (asprintf(&child, "%s%s%s", path, path[0] ? "/" : "", de->d_name) < 0) {
			rc = walk_err(w, ENOMEM, "cannot walk", path, err);
			break;
		}
		rc = walk_entry(w, dirfd(d), de->d_name, child, depth + 1, err);
		if (rc)
			break;
	}
	closedir(d);
	return rc;
}

static int walk_entry(struct walk *w, int dirfd, const char *name, const char *path, int depth,
		      struct berth_error *err)
{
	struct tree_entry e = { .dirfd = dirfd, .name = name, .path = path, .depth = depth };
	struct stat st;
	int fd, rc;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return walk_err(w, errno, "cannot stat", path, err);
	e.st = &st;
	if (!S_ISDIR(st.st_mode))
		return w->visit(w->ctx, &e, err);
	if (depth == 0)
		w->dev = st.st_dev;
	else if (st.st_dev != w->dev)
		return walk_err(
		    w, 0, "refusing a mount point inside the tree (unmount it first):", path, err);
	if (depth >= TREE_MAX_DEPTH)
		return berr(err, 0, "%s is nested deeper than %d directories (at %s%s)", w->root,
			    TREE_MAX_DEPTH, tree_cut(path), tree_tail(path));
	rc = w->visit(w->ctx, &e, err);
	if (rc)
		return rc;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return walk_err(w, errno, "cannot open directory", path, err);
	rc = walk_dir(w, fd, path, depth, err);
	if (rc)
		return rc;
	e.post = true;
	return w->visit(w->ctx, &e, err);
}

int tree_walk(const char *root, tree_visit_fn visit, void *ctx, struct berth_error *err)
{
	struct walk w = { .root = root, .visit = visit, .ctx = ctx };

	return walk_entry(&w, AT_FDCWD, root, "", 0, err);
}

struct inode_key {
	dev_t dev;
	ino_t ino;
	char path[]; /* where it was met first */
};

static int inode_cmp(const void *a, const void *b)
{
	const struct inode_key *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return 0;
}

int inode_set_add(struct inode_set *s, const struct stat *st, const char *path, const char **first,
		  struct berth_error *err)
{
	size_t len = strlen(path);
	struct inode_key *k = malloc(sizeof(*k) + len + 1);
	struct inode_key **found;

	if (!k)
		return berr(err, ENOMEM, "cannot remember the hard link %s", path);
	k->dev = st->st_dev;
	k->ino = st->st_ino;
	memcpy(k->path, path, len + 1);
	found = tsearch(k, &s->root, inode_cmp);
	if (!found) {
		free(k);
		return berr(err, ENOMEM, "cannot remember the hard link %s", path);
	}
	if (*found != k) {
		free(k);
		*first = (*found)->path;
	} else {
		*first = NULL;
	}
	return 0;
}

void inode_set_free(struct inode_set *s)
{
	tdestroy(s->root, free);
	s->root = NULL;
}
