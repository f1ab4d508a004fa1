/* blk_disk.c - open, check and lock a disk image or block device for virtio-blk.
 *
 * The lock is flock(): exclusive for a writable disk, shared for a read-only one, never
 * waited for. Two VMs writing one image would corrupt it; several reading it are fine. */
#include "blk_disk.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "common/cleanup.h"

static int vblk_refuse_dir(const char *path, struct berth_error *err)
{
	return berr(err, 0, "disk %s is a directory; give a disk image file or a block device",
		    path);
}

int vblk_disk_size(int fd, const char *path, uint64_t *bytes, struct berth_error *err)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return berr(err, errno, "cannot stat disk %s", path);
	if (S_ISDIR(st.st_mode))
		return vblk_refuse_dir(path, err);
	if (S_ISREG(st.st_mode)) {
		*bytes = (uint64_t)st.st_size;
		return 0;
	}
	if (!S_ISBLK(st.st_mode))
		return berr(err, 0, "disk %s is neither a regular file nor a block device", path);
	if (ioctl(fd, BLKGETSIZE64, bytes) < 0)
		return berr(err, errno, "cannot read the size of block device %s", path);
	return 0;
}

int vblk_disk_open(const struct disk_config *cfg, int *fd_out, uint64_t *bytes,
		   struct berth_error *err)
{
	_cleanup_close_ int fd = -1;

	fd = open(cfg->path, (cfg->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0 && errno == EISDIR)
		return vblk_refuse_dir(cfg->path, err);
	if (fd < 0)
		return berr(err, errno, "cannot open disk %s%s", cfg->path,
			    cfg->readonly ? "" : " for writing (add ,ro for a read-only disk)");
	if (vblk_disk_size(fd, cfg->path, bytes, err))
		return -1;
	if (*bytes % 512)
		return berr(err, 0,
			    "disk %s is %llu bytes, not a whole number of 512-byte sectors; "
			    "resize it (truncate -s) to a multiple of 512",
			    cfg->path, (unsigned long long)*bytes);
	if (flock(fd, (cfg->readonly ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			return berr(err, 0, "disk %s is in use by another process (locked)",
				    cfg->path);
		return berr(err, errno, "cannot lock disk %s", cfg->path);
	}
	*fd_out = steal_fd(&fd);
	return 0;
}
