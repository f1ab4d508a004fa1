/* tree_remove.c - removing a server's or an image's tree, and measuring one. Removal
 * refuses a tree with anything mounted in it (a container that died with its mounts
 * still there): deleting through a bind mount would delete the host's files. */
#include "daemon/copy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "daemon/tree.h"

/* Undo mountinfo's octal escapes (\040 for a space) in place. */
static void unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

/* Fail when something is mounted at or below the directory path. */
static int refuse_mounts(const char *path, struct berth_error *err)
{
	_cleanup_free_ char *real = realpath(path, NULL);
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	size_t cap = 0, len;

	if (!real)
		return berr(err, errno, "cannot resolve %s", path);
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return berr(err, errno, "cannot read /proc/self/mountinfo to check %s", path);
	len = strlen(real);
	while (getline(&line, &cap, f) > 0) {
		char mnt[4096];

		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT ... */
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
			continue;
		unescape(mnt);
		if (!strncmp(mnt, real, len) && (mnt[len] == '\0' || mnt[len] == '/' || len == 1))
			return berr(err, EBUSY,
				    "%s is mounted inside %s: unmount it first (umount -R %s)", mnt,
				    path, mnt);
	}
	return 0;
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
	if (S_ISDIR(st.st_mode) && refuse_mounts(path, err))
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
