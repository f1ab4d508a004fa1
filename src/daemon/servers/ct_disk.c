/* ct_disk.c - a container's disk: an ext4 file system in a sparse file, made with
 * mkfs.ext4, mounted through a loop device (LOOP_CONFIGURE with LO_FLAGS_AUTOCLEAR: the
 * device is freed by the unmount, or by our close when the mount never happens, so a
 * berthd killed at any instant leaves no loop device), grown with resize2fs: offline when
 * unmounted, online (through its loop device) while its container runs. */
#include "daemon/servers/ct_disk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "daemon/config.h"
#include "daemon/servers/idmap_mount.h"
#include "daemon/servers/mounts.h"
#include "daemon/servers/spawn.h"

#define MKFS_MS	     120000 /* mkfs.ext4 of a sparse file: seconds even when large */
#define GROW_MS	     600000 /* e2fsck and resize2fs read all of the file system's metadata */
#define LOOP_TRIES   8	    /* free loop devices taken by someone else before us */
#define LOOP_DEV_MAX 300    /* "/dev/" and a name in /sys/block */
#define LOOP_FREE_MS 5000   /* for a loop device's autoclear to end, after an unmount */

/* Run argv, a tool of e2fsprogs working on file; exit status 0 or ok_too is a success. */
static int run_tool(char *const argv[], const char *file, const char *log, int timeout_ms,
		    int ok_too, struct berth_error *err)
{
	long from = log_size(log);
	char tail[300];
	int status;

	if (spawn_run(argv, log, NULL, 0, timeout_ms, &status, err) < 0)
		return berr_wrap(err, "disk %s", file);
	if (WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == ok_too))
		return 0;
	log_tail(log, from, tail, sizeof(tail));
	return berr(err, 0, "disk %s: %s failed (wait status %d): %s", file, argv[0], status,
		    *tail ? tail : "(it said nothing)");
}

int ct_disk_make(const char *file, uint64_t size, const char *log, struct berth_error *err)
{
	_cleanup_close_ int fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	/* -m 0: root in the container is the tenant, blocks reserved for root are its too */
	char *argv[] = { "/sbin/mkfs.ext4", "-q", "-F", "-m", "0", (char *)file, NULL };

	if (fd < 0)
		return berr(err, errno, "cannot create %s", file);
	if (ftruncate(fd, (off_t)size) < 0)
		return berr(err, errno, "cannot size %s to %llu bytes", file,
			    (unsigned long long)size);
	return run_tool(argv, file, log, MKFS_MS, 0, err);
}

/* Is file the backing file of a loop device? dev gets its name. */
static bool loop_uses(const char *file, char dev[LOOP_DEV_MAX])
{
	_cleanup_free_ char *real = realpath(file, NULL);
	char path[300], backing[PATH_MAX];
	struct dirent *e;
	bool found = false;
	DIR *d;

	if (!real || !(d = opendir("/sys/block")))
		return false;
	while (!found && (e = readdir(d))) {
		_cleanup_fclose_ FILE *f = NULL;

		if (strncmp(e->d_name, "loop", 4))
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/loop/backing_file", e->d_name);
		f = fopen(path, "re");
		if (!f || !fgets(backing, sizeof(backing), f))
			continue;
		backing[strcspn(backing, "\n")] = '\0';
		if (strcmp(backing, real) == 0) {
			snprintf(dev, LOOP_DEV_MAX, "/dev/%s", e->d_name);
			found = true;
		}
	}
	closedir(d);
	return found;
}

/* Bind file (open as fd) to a free loop device, which is freed at its last close or
 * unmount. *loop is the device, open; dev its name. */
static int loop_attach(int fd, const char *file, int *loop, char dev[LOOP_DEV_MAX],
		       struct berth_error *err)
{
	_cleanup_close_ int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	struct loop_config cfg = { .fd = (unsigned)fd };
	int n, lfd, e;

	if (ctl < 0)
		return berr(err, errno,
			    "cannot open /dev/loop-control (is the loop module loaded?)");
	cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR;
	snprintf((char *)cfg.info.lo_file_name, sizeof(cfg.info.lo_file_name), "%s", file);
	for (int i = 0; i < LOOP_TRIES; i++) {
		n = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (n < 0)
			return berr(err, errno, "no free loop device for %s", file);
		snprintf(dev, LOOP_DEV_MAX, "/dev/loop%d", n);
		lfd = open(dev, O_RDWR | O_CLOEXEC);
		if (lfd < 0)
			return berr(err, errno, "cannot open %s for %s", dev, file);
		if (ioctl(lfd, LOOP_CONFIGURE, &cfg) == 0) {
			*loop = lfd;
			return 0;
		}
		e = errno;
		close(lfd);
		if (e != EBUSY) /* EBUSY: another process took it first */
			return berr(err, e, "cannot bind %s to %s", file, dev);
	}
	return berr(err, EBUSY, "cannot bind %s to a loop device: all taken as soon as found",
		    file);
}

bool ct_disk_wait_free(const char *file, int ms)
{
	char dev[LOOP_DEV_MAX];

	for (; loop_uses(file, dev); ms -= 20) {
		if (ms <= 0)
			return false;
		usleep(20000);
	}
	return true;
}

int ct_disk_mount(const char *file, const char *dir, uint32_t idmap, struct berth_error *err)
{
	_cleanup_close_ int fd = -1, loop = -1;
	char dev[LOOP_DEV_MAX];

	if (unmount_dir(dir, err))
		return -1;
	/* an autoclear (the last unmount's) runs in a kernel work item after the unmount
	 * returned: a busy host may take a moment to free the device */
	if (!ct_disk_wait_free(file, LOOP_FREE_MS) && loop_uses(file, dev))
		return berr(err, EBUSY,
			    "disk %s is still in use through %s (mounted elsewhere, or held by a "
			    "container left over): find its user with `losetup -l %s` and `grep "
			    "%s /proc/*/mountinfo`",
			    file, dev, dev, dev + 5);
	fd = open(file, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return berr(err, errno, "cannot open %s", file);
	if (loop_attach(fd, file, &loop, dev, err))
		return -1;
	if (idmap)
		return idmap_mount(dev, "ext4", dir, idmap, CONFIG_IDMAP_SIZE, err);
	if (mount(dev, dir, "ext4", MS_NODEV, NULL) < 0)
		return berr(err, errno, "cannot mount %s (%s) on %s", file, dev, dir);
	return 0;
}

/* Bytes of the ext4 file system in file (from its superblock), block size in *block. */
static int fs_bytes(const char *file, uint64_t *bytes, uint64_t *block, struct berth_error *err)
{
	_cleanup_close_ int fd = open(file, O_RDONLY | O_CLOEXEC);
	unsigned char sb[1024];
	uint64_t count;
	uint32_t log;

	if (fd < 0)
		return berr(err, errno, "cannot open %s", file);
	if (pread(fd, sb, sizeof(sb), 1024) != (ssize_t)sizeof(sb) || sb[0x38] != 0x53 ||
	    sb[0x39] != 0xef)
		return berr(err, 0, "disk %s holds no ext4 file system", file);
	log = sb[0x18] | sb[0x19] << 8 | sb[0x1a] << 16 | (uint32_t)sb[0x1b] << 24;
	if (log > 6) /* 64 KiB blocks at most */
		return berr(err, 0, "disk %s: block size 1024 << %u is not ext4's", file, log);
	count = sb[4] | sb[5] << 8 | sb[6] << 16 | (uint64_t)sb[7] << 24;
	if (sb[0x60] & 0x80) /* INCOMPAT_64BIT: the high half of the block count */
		count |= (uint64_t)(sb[0x150] | sb[0x151] << 8 | sb[0x152] << 16 |
				    (uint64_t)sb[0x153] << 24)
			 << 32;
	*block = 1024ULL << log;
	*bytes = count * *block;
	return 0;
}

/* Grow file (stat st), mounted through loop device dev, to size bytes and its file system
 * with it, while the container runs: the loop device takes the file's new size
 * (LOOP_SET_CAPACITY) and resize2fs grows the mounted ext4 online (the kernel does it; the
 * file system stays in use). */
static int grow_online(const char *file, const struct stat *st, uint64_t size, const char *dev,
		       const char *log, struct berth_error *err)
{
	char *resize[] = { "/sbin/resize2fs", (char *)dev, NULL };
	_cleanup_close_ int lfd = open(dev, O_RDONLY | O_CLOEXEC);
	struct loop_info64 info;

	if (lfd < 0)
		return berr(err, errno, "disk %s: cannot open its loop device %s", file, dev);
	/* the device found by name may have been freed and taken for another file since */
	if (ioctl(lfd, LOOP_GET_STATUS64, &info) < 0 || info.lo_inode != st->st_ino ||
	    info.lo_device != st->st_dev)
		return berr(err, EBUSY, "disk %s: %s no longer holds it; try again", file, dev);
	if ((uint64_t)st->st_size < size && truncate(file, (off_t)size) < 0)
		return berr(err, errno, "cannot grow %s to %llu bytes", file,
			    (unsigned long long)size);
	if (ioctl(lfd, LOOP_SET_CAPACITY, 0) < 0)
		return berr(err, errno, "disk %s: %s cannot take its new size", file, dev);
	return run_tool(resize, file, log, GROW_MS, 0, err);
}

int ct_disk_grow(const char *file, uint64_t size, const char *log, struct berth_error *err)
{
	char *fsck[] = { "/sbin/e2fsck", "-f", "-p", (char *)file, NULL };
	char *resize[] = { "/sbin/resize2fs", (char *)file, NULL };
	uint64_t bytes = 0, block = 0;
	char dev[LOOP_DEV_MAX];
	struct stat st;

	if (stat(file, &st) < 0)
		return berr(err, errno, "cannot read %s", file);
	if ((uint64_t)st.st_size > size)
		return berr(err, EINVAL, "disk %s cannot shrink from %llu to %llu bytes", file,
			    (unsigned long long)st.st_size, (unsigned long long)size);
	/* by the file system, not the file: a grow cut short after the truncate is redone */
	if (fs_bytes(file, &bytes, &block, err) < 0)
		return -1;
	if (bytes + block > size)
		return 0;
	if (loop_uses(file, dev))
		return grow_online(file, &st, size, dev, log, err);
	/* e2fsck exits 1 when it corrected something (preen mode only fixes what is safe) */
	if (run_tool(fsck, file, log, GROW_MS, 1, err) < 0)
		return -1;
	if ((uint64_t)st.st_size < size && truncate(file, (off_t)size) < 0)
		return berr(err, errno, "cannot grow %s to %llu bytes", file,
			    (unsigned long long)size);
	return run_tool(resize, file, log, GROW_MS, 0, err);
}
