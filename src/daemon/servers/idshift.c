/* idshift.c - a container's tree moved to its range of host ids in place, where its disk
 * cannot be idmapped: every owner and group below 65536 gains start, once.
 *
 * Once: an id at or above 65536 is left as it is (the pool starts at 65536 or above), so a
 * file reached again through a hard link, or a walk cut short by a crash and run again,
 * is never shifted twice. chown clears a file's setuid and setgid bits and its file
 * capabilities (the kernel's rule); the walk puts the bits back and writes the
 * capabilities again as version 3, owned by the range's root (a version 2 capability is
 * the host root's, which the container's user namespace does not honour). POSIX ACL
 * entries naming a user or a group are shifted as owners are. */
#include "daemon/servers/idshift.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "daemon/config.h"

#define CAP_XATTR	  "security.capability"
#define VFS_CAP_REV_MASK  0xff000000u
#define VFS_CAP_REV_2	  0x02000000u
#define VFS_CAP_REV_3	  0x03000000u
#define VFS_CAP_FLAGS	  0x000000ffu
#define ACL_XATTR_VERSION 2u
#define ACL_TAG_USER	  0x02u
#define ACL_TAG_GROUP	  0x08u

/* nftw has no argument for its callback: one walk at a time per thread */
static _Thread_local uint32_t shift_start;
static _Thread_local struct berth_error *shift_err;

static uint32_t shifted(uint32_t id)
{
	return id < CONFIG_IDMAP_SIZE ? id + shift_start : id;
}

static uint32_t le32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* The ACL xattr name (system.posix_acl_access or _default) of path, ids shifted. */
static int shift_acl(const char *path, const char *name)
{
	unsigned char buf[4 + 8 * 1024];
	ssize_t n = lgetxattr(path, name, buf, sizeof(buf));
	size_t i;

	if (n < 0)
		return errno == ENODATA || errno == ENOTSUP ? 0 : -1;
	if (n < 4 || (n - 4) % 8 || le32(buf) != ACL_XATTR_VERSION)
		return 0; /* not an ACL this code knows: left as it is */
	for (i = 4; i + 8 <= (size_t)n; i += 8) {
		unsigned tag = buf[i] | buf[i + 1] << 8;

		if (tag == ACL_TAG_USER || tag == ACL_TAG_GROUP)
			put_le32(buf + i + 4, shifted(le32(buf + i + 4)));
	}
	return lsetxattr(path, name, buf, (size_t)n, 0);
}

/* Read path's file capabilities before the chown that clears them: *len 0 when none. */
static int read_caps(const char *path, unsigned char caps[24], size_t *len)
{
	ssize_t n = lgetxattr(path, CAP_XATTR, caps, 24);

	*len = 0;
	if (n < 0)
		return errno == ENODATA || errno == ENOTSUP ? 0 : -1;
	*len = (size_t)n;
	return 0;
}

/* Write them again as version 3, their root the range's root. */
static int write_caps(const char *path, unsigned char caps[24], size_t len)
{
	uint32_t magic;

	if (len != 20 && len != 24)
		return 0; /* version 1 (12 bytes, no longer made) or unknown: dropped by chown */
	magic = le32(caps);
	if ((magic & VFS_CAP_REV_MASK) == VFS_CAP_REV_3)
		put_le32(caps + 20, shifted(le32(caps + 20)));
	else if ((magic & VFS_CAP_REV_MASK) == VFS_CAP_REV_2)
		put_le32(caps + 20, shift_start);
	else
		return 0;
	put_le32(caps, VFS_CAP_REV_3 | (magic & VFS_CAP_FLAGS));
	return lsetxattr(path, CAP_XATTR, caps, 24, 0);
}

static int shift_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	unsigned char caps[24];
	size_t caps_len = 0;
	bool link = S_ISLNK(st->st_mode);

	(void)ftw;
	if (type == FTW_NS || type == FTW_DNR) {
		berr(shift_err, EACCES, "cannot read %s", path);
		return 1;
	}
	if (st->st_uid >= CONFIG_IDMAP_SIZE && st->st_gid >= CONFIG_IDMAP_SIZE)
		return 0; /* shifted already (a hard link seen before, a walk run again) */
	if (!link && read_caps(path, caps, &caps_len) < 0)
		goto fail;
	if (lchown(path, shifted(st->st_uid), shifted(st->st_gid)) < 0)
		goto fail;
	if (link)
		return 0;
	/* chown dropped setuid and setgid on a file */
	if (!S_ISDIR(st->st_mode) && (st->st_mode & (S_ISUID | S_ISGID)) &&
	    chmod(path, st->st_mode & 07777) < 0)
		goto fail;
	if ((caps_len && write_caps(path, caps, caps_len) < 0) ||
	    shift_acl(path, "system.posix_acl_access") < 0 ||
	    (S_ISDIR(st->st_mode) && shift_acl(path, "system.posix_acl_default") < 0))
		goto fail;
	return 0;
fail:
	berr(shift_err, errno, "cannot shift the ids of %s", path);
	return 1;
}

int idshift_tree(const char *dir, uint32_t start, struct berth_error *err)
{
	int rc;

	if (start < CONFIG_IDMAP_SIZE)
		return berr(err, EINVAL, "ids cannot shift to %u (below 65536)", start);
	shift_start = start;
	shift_err = err;
	/* FTW_PHYS: symlinks are files of their own; FTW_MOUNT: the tree's own file system */
	rc = nftw(dir, shift_one, 64, FTW_PHYS | FTW_MOUNT);
	if (rc < 0)
		return berr(err, errno, "cannot walk %s", dir);
	return rc ? -1 : 0;
}
