/* ct_rootfs.c - a container server's own disk, from its image to its mount at each start.
 *
 * The disk is mounted on rootfs/ only while the server runs (and while it is provisioned):
 * a stopped server's rootfs/ is an empty directory, so nothing of a tenant's is reachable
 * on the host's file system, and resize2fs can grow the disk. The mount is in the host's
 * mount namespace, so it outlives berthd like the container does. */
#include "daemon/servers/ct_rootfs.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/size.h"
#include "daemon/servers/bundle.h"
#include "daemon/images/copy.h"
#include "daemon/servers/ct_disk.h"
#include "daemon/images/disk_size.h"
#include "daemon/servers/mounts.h"
#include "daemon/servers/server_files.h"

/* The paths of s's disk, its mount point and its log. */
struct rootfs_paths {
	char disk[PATH_MAX], rootfs[PATH_MAX], log[PATH_MAX];
};

static int paths(const struct server *s, struct rootfs_paths *p, struct berth_error *err)
{
	if (server_file(p->disk, s, "disk.ext4", err) < 0 ||
	    server_file(p->rootfs, s, "rootfs", err) < 0 ||
	    server_file(p->log, s, "ct.log", err) < 0)
		return -1;
	return 0;
}

/* Copy the image's tree src into the disk mounted on p->rootfs, saying it when the disk of
 * size bytes is too small for it. */
static int fill(const struct server *s, const char *src, const struct rootfs_paths *p,
		uint64_t size, progress_fn progress, void *ctx, struct berth_error *err)
{
	char lost[PATH_MAX + 16], a[32], b[32];

	/* mkfs's lost+found would clash with an image that has one; e2fsck makes it again */
	snprintf(lost, sizeof(lost), "%s/lost+found", p->rootfs);
	if (rmdir(lost) < 0 && errno != ENOENT)
		return berr(err, errno, "cannot remove %s", lost);
	if (copy_tree_into(src, p->rootfs, progress, ctx, err) == 0)
		return 0;
	if (err->errnum != ENOSPC && err->errnum != EDQUOT)
		return -1;
	return berr(err, 0,
		    "its disk of %s is too small for image %s, whose tree takes %s: create it "
		    "with a larger --disk",
		    size_format(size, a, sizeof(a)), s->image,
		    size_format(tree_disk_usage(src), b, sizeof(b)));
}

int ct_rootfs_provision(const struct server *s, progress_fn progress, void *ctx,
			struct berth_error *err)
{
	struct berth_error ignored;
	struct rootfs_paths p;
	char src[PATH_MAX];
	uint64_t size = s->disk;
	int rc;

	if (paths(s, &p, err) < 0 || image_file(src, s, "rootfs", err) < 0)
		return -1;
	if (!size && disk_size(KIND_CT, 0, tree_disk_usage(src), &size, err) < 0)
		return -1;
	if (mkdir(p.rootfs, 0755) < 0 && errno != EEXIST)
		return berr(err, errno, "cannot create %s", p.rootfs);
	if (ct_disk_make(p.disk, size, p.log, err) < 0 || ct_disk_mount(p.disk, p.rootfs, err) < 0)
		return -1;
	rc = fill(s, src, &p, size, progress, ctx, err);
	if (rc == 0)
		rc = bundle_write(s, err);
	if (rc == 0)
		return unmount_dir(p.rootfs, err);
	unmount_dir(p.rootfs, &ignored);
	return -1;
}

/* A server made before containers had disks keeps its plain rootfs tree, without a quota:
 * it has no disk.ext4. */
static bool plain_tree(const struct rootfs_paths *p)
{
	return access(p->disk, F_OK) < 0 && errno == ENOENT;
}

int ct_rootfs_mount(const struct server *s, struct berth_error *err)
{
	struct rootfs_paths p;

	if (paths(s, &p, err) < 0)
		return -1;
	if (plain_tree(&p))
		return 0;
	return ct_disk_mount(p.disk, p.rootfs, err);
}

int ct_rootfs_unmount(const struct server *s, struct berth_error *err)
{
	struct rootfs_paths p;

	if (paths(s, &p, err) < 0)
		return -1;
	return unmount_dir(p.rootfs, err);
}

int ct_rootfs_grow(const struct server *s, struct berth_error *err)
{
	struct rootfs_paths p;

	if (paths(s, &p, err) < 0)
		return -1;
	if (plain_tree(&p))
		return 0;
	return ct_disk_grow(p.disk, s->disk, p.log, err);
}
