/* tree.h - walking a directory tree by file descriptors: never following a symlink, never
 * crossing into another file system, safe on trees a customer built (a rootfs tarball). */
#ifndef BERTH_DAEMON_TREE_H
#define BERTH_DAEMON_TREE_H

#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include "common/error.h"

/* Deepest directory nesting walked. GNU tar cannot make a path longer than PATH_MAX,
 * so nothing extracted is deeper. Each level holds one descriptor (two while copying):
 * berthd raises RLIMIT_NOFILE to its hard limit so that such trees still work. */
#define TREE_MAX_DEPTH 2048

/* Messages show at most the last TREE_SHOWN bytes of a path below a root, after "...":
 * printf("%s%s", tree_cut(path), tree_tail(path)). */
#define TREE_SHOWN	160
#define tree_cut(path)	(strlen(path) > TREE_SHOWN ? "..." : "")
#define tree_tail(path) ((path) + (strlen(path) > TREE_SHOWN ? strlen(path) - TREE_SHOWN : 0))

/* One entry met by tree_walk(). */
struct tree_entry {
	int dirfd;	       /* the parent directory (AT_FDCWD for the root) */
	const char *name;      /* name in dirfd (the root's path for the root) */
	const char *path;      /* path below the root, "" for the root itself */
	const struct stat *st; /* lstat of the entry */
	int depth;	       /* 0 for the root */
	bool post;	       /* directories: false before their entries, true after */
};

/* Called for every entry; a directory twice (before and after its entries). Non-zero
 * stops the walk and is returned by tree_walk. */
typedef int (*tree_visit_fn)(void *ctx, const struct tree_entry *e, struct berth_error *err);

/* Walk root (a directory or any other file) depth first. A directory on another file
 * system (a mount point) is an error naming it, met before its own pre-visit. */
int tree_walk(const char *root, tree_visit_fn visit, void *ctx, struct berth_error *err);

/* A set of inodes (device + inode number), each with the path it was first met at: how a
 * walk keeps hard links as links and counts a linked file once. */
struct inode_set {
	void *root; /* tsearch(3) tree */
};

/* Add st's inode with path; *first gets the path it was added with before (NULL when it
 * is new). Fails only without memory. */
int inode_set_add(struct inode_set *s, const struct stat *st, const char *path, const char **first,
		  struct berth_error *err);

/* Free the set. */
void inode_set_free(struct inode_set *s);

#endif
