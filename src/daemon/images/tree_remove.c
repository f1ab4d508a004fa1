/* tree_remove.c - removing a server's or an image's tree, and measuring one. Removal
 * refuses a tree with anything mounted in it (a container that died with its mounts
 * still there): deleting through a bind mount would delete the host's files. */
#include "daemon/images/copy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "daemon/servers/mounts.h"
#include "daemon/images/tree.h"

static int refuse_mount(void *ctx, const char *mnt, struct berth_error *err)
{
	return berr(err, EBUSY, "%s is mounted inside %s: unmount it first (umount -R %s)", mnt,
		    (const char *)ctx, mnt);
}

static int remove_visit(void *ctx, const struct tree_entry *e, struct berth_error *err)
{
	const char *root = ctx;
	bool dir = S_ISDIR(e->st->st_mode);

	if (dir && !e->post)
		return 0;
	if (unlinkat(e->dirfd, e->name, dir ? AT_REMOVEDIR : 0) < 0 && errno != ENOENT)
		return berr(err, errno, "cannot remove %s%s%s%s", root, e->path[0] ? "/" : "",
			    tree_cut(e->path), tree_tail(e->path));
	return 0;
}

int remove_tree(const char *path, struct berth_error *err)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return berr(err, errno, "cannot remove %s", path);
	}
	if (S_ISDIR(st.st_mode) && mounts_below(path, refuse_mount, (void *)path, err))
		return -1;
	return tree_walk(path, remove_visit, (void *)path, err);
}

struct usage {
	uint64_t bytes;
	struct inode_set seen; /* hard-linked inodes counted already */
};

static int usage_visit(void *ctx, const struct tree_entry *e, struct berth_error *err)
{
	struct usage *u = ctx;
	const char *first = NULL;

	if (e->post)
		return 0;
	if (!S_ISDIR(e->st->st_mode) && e->st->st_nlink > 1 &&
	    inode_set_add(&u->seen, e->st, "", &first, err))
		return -1;
	if (!first)
		u->bytes += (uint64_t)e->st->st_blocks * 512;
	return 0;
}

uint64_t tree_disk_usage(const char *path)
{
	struct usage u = { 0 };
	struct berth_error ignored;

	/* On an error the sum so far is the best answer there is. */
	tree_walk(path, usage_visit, &u, &ignored);
	inode_set_free(&u.seen);
	return u.bytes;
}
