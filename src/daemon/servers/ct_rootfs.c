/* ct_rootfs.c - a container server's own disk, from its image to its mount at each start.
 *
 * The disk is mounted on rootfs/ only while the server runs (and while it is provisioned):
 * a stopped server's rootfs/ is an empty directory, so nothing of a tenant's is reachable
 * on the host's file system, and resize2fs can grow the disk. The mount is in the host's
 * mount namespace, so it outlives berthd like the container does. */
#include "daemon/servers/ct_rootfs.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/size.h"
#include "daemon/config.h"
#include "daemon/cloud/cloud_rootfs.h"
#include "daemon/servers/bundle.h"
#include "daemon/images/copy.h"
#include "daemon/servers/ct_disk.h"
#include "daemon/images/disk_size.h"
#include "daemon/servers/idmap_mount.h"
#include "daemon/servers/idshift.h"
#include "daemon/servers/mounts.h"
#include "daemon/servers/server_files.h"

/* The paths of s's disk, its mount point, its log, and the file that says its disk's ids
 * were shifted (holding the range's first id). */
struct rootfs_paths {
	char disk[PATH_MAX], rootfs[PATH_MAX], log[PATH_MAX], shifted[PATH_MAX];
};

static int paths(const struct server *s, struct rootfs_paths *p, struct berth_error *err)
{
	if (server_file(p->disk, s, "disk.ext4", err) < 0 ||
	    server_file(p->rootfs, s, "rootfs", err) < 0 ||
	    server_file(p->log, s, "ct.log", err) < 0 ||
	    server_file(p->shifted, s, "ids-shifted", err) < 0)
		return -1;
	return 0;
}

/* The range recorded in p->shifted: 0 when the disk's ids were never shifted. */
static int shifted_to(const struct rootfs_paths *p, uint32_t *start, struct berth_error *err)
{
	_cleanup_fclose_ FILE *f = fopen(p->shifted, "re");

	*start = 0;
	if (!f)
		return errno == ENOENT ? 0 : berr(err, errno, "cannot read %s", p->shifted);
	if (fscanf(f, "%u", start) != 1 || *start < CONFIG_IDMAP_SIZE)
		return berr(err, EINVAL, "%s holds no id range", p->shifted);
	return 0;
}

/* Shift the ids of the disk, not mounted, to s's range once (idshift.h), then say so in
 * p->shifted; mounted on p->rootfs when it returns 0. */
static int shift_disk(const struct server *s, const struct rootfs_paths *p, struct berth_error *err)
{
	struct berth_error ignored;
	_cleanup_fclose_ FILE *f = NULL;

	if (ct_disk_mount(p->disk, p->rootfs, 0, err) < 0)
		return -1;
	if (idshift_tree(p->rootfs, s->idmap, err) < 0)
		goto fail;
	f = fopen(p->shifted, "we");
	if (!f || fprintf(f, "%u\n", s->idmap) < 0 || fflush(f) != 0 || fsync(fileno(f)) < 0) {
		berr(err, errno, "cannot write %s", p->shifted);
		unlink(p->shifted);
		goto fail;
	}
	return 0;
fail:
	unmount_dir(p->rootfs, &ignored);
	return -1;
}

/* Mount s's disk on p->rootfs as s runs: plain for a privileged one, else so that its ids
 * are s's range: idmapped, or plain once its ids were shifted (forced by shift, or where
 * the kernel cannot idmap the mount, shifting them now). */
static int mount_disk(const struct server *s, const struct rootfs_paths *p, bool shift,
		      struct berth_error *err)
{
	uint32_t start;
	int rc;

	if (!s->idmap)
		return ct_disk_mount(p->disk, p->rootfs, 0, err);
	if (shifted_to(p, &start, err) < 0)
		return -1;
	if (start == s->idmap)
		return ct_disk_mount(p->disk, p->rootfs, 0, err);
	if (start)
		return berr(err, EINVAL,
			    "the disk's ids were shifted to %u, but the server's range starts at "
			    "%u",
			    start, s->idmap);
	if (!shift) {
		rc = ct_disk_mount(p->disk, p->rootfs, s->idmap, err);
		if (rc != IDMAP_UNSUPPORTED)
			return rc;
	}
	return shift_disk(s, p, err);
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

int ct_rootfs_provision(const struct server *s, bool shift, progress_fn progress, void *ctx,
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
	if (ct_disk_make(p.disk, size, p.log, err) < 0 ||
	    ct_disk_mount(p.disk, p.rootfs, 0, err) < 0)
		return -1;
	/* the image's ids as they are: 0..65535 on the disk are the container's own */
	rc = fill(s, src, &p, size, progress, ctx, err);
	if (rc == 0)
		rc = bundle_write(s, err);
	if (rc == 0 && s->seed)
		rc = cloud_seed_rootfs(p.rootfs, s->seed, err);
	if (rc < 0 || unmount_dir(p.rootfs, err) < 0) {
		unmount_dir(p.rootfs, &ignored);
		return -1;
	}
	/* mounted as it will run: where it cannot be idmapped, its ids are shifted now */
	if (s->idmap && mount_disk(s, &p, shift, err) < 0)
		return -1;
	return unmount_dir(p.rootfs, err);
}

/* A server made before containers had disks keeps its plain rootfs tree, without a quota:
 * it has no disk.ext4. */
static bool plain_tree(const struct rootfs_paths *p)
{
	return access(p->disk, F_OK) < 0 && errno == ENOENT;
}

int ct_rootfs_mount(const struct server *s, bool shift, struct berth_error *err)
{
	struct rootfs_paths p;

	if (paths(s, &p, err) < 0)
		return -1;
	if (plain_tree(&p))
		return 0;
	return mount_disk(s, &p, shift, err);
}

int ct_rootfs_unmount(const struct server *s, struct berth_error *err)
{
	struct rootfs_paths p;

	if (paths(s, &p, err) < 0 || unmount_dir(p.rootfs, err) < 0)
		return -1;
	/* its loop device goes a moment after the unmount: a stopped server holds none */
	ct_disk_wait_free(p.disk, 5000);
	return 0;
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
