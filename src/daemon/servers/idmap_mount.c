/* idmap_mount.c - a file system mounted so that its files' ids 0..count-1 appear as the
 * host's start..start+count-1 (an idmapped mount, Linux 5.12+; which file systems allow it
 * grew with each release: ext4, xfs, btrfs since 5.12-5.15, tmpfs since 6.3, overlayfs
 * since 5.19). The files on the disk keep their container ids: the image's tree is copied
 * as it is, and the disk would move to another range without a change.
 *
 * The mount is built detached with the new mount API (fsopen, fsmount), given the id map
 * of a user namespace made for the purpose (mount_setattr with MOUNT_ATTR_IDMAP), then
 * moved onto its mount point: it is never visible without its map. */
#include "daemon/servers/idmap_mount.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"

/* Write "0 start count" to /proc/pid/file. */
static int write_map(pid_t pid, const char *file, uint32_t start, uint32_t count,
		     struct berth_error *err)
{
	char path[64], line[64];
	_cleanup_close_ int fd = -1;
	int n = snprintf(line, sizeof(line), "0 %u %u\n", start, count);

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, line, (size_t)n) != n)
		return berr(err, errno, "write %s of an id map", path);
	return 0;
}

/* A user namespace whose ids 0..count-1 are the host's start..: a child is cloned into a
 * new one and waits on a pipe while its maps are written and its namespace opened. */
static int userns_fd(uint32_t start, uint32_t count, struct berth_error *err)
{
	int pipefd[2], fd = -1, rc = -1;
	char path[64];
	pid_t pid;
	char b;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return berr(err, errno, "pipe for an id map");
	pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid == 0) {
		/* only async-signal-safe calls: berthd has threads. Every fd but the pipe's
		 * read end goes at once: a copy of another thread's pipe would keep its child
		 * waiting (on ours, two children would wait for each other), a copy of its loop
		 * device would keep a disk bound after its unmount. */
		if (pipefd[0] > 0)
			syscall(SYS_close_range, 0, pipefd[0] - 1, 0);
		syscall(SYS_close_range, pipefd[0] + 1, ~0U, 0);
		while (read(pipefd[0], &b, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(pipefd[0]);
	if (pid < 0) {
		close(pipefd[1]);
		return berr(err, errno, "a user namespace for an id map");
	}
	if (write_map(pid, "uid_map", start, count, err) == 0 &&
	    write_map(pid, "gid_map", start, count, err) == 0) {
		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		rc = fd < 0 ? berr(err, errno, "open %s", path) : 0;
	}
	close(pipefd[1]); /* the child ends */
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return rc < 0 ? -1 : fd;
}

int idmap_mount(const char *dev, const char *fstype, const char *dir, uint32_t start,
		uint32_t count, struct berth_error *err)
{
	_cleanup_close_ int fs = -1, mnt = -1, ns = -1;
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP };

	ns = userns_fd(start, count, err);
	if (ns < 0)
		return -1;
	attr.userns_fd = (uint64_t)ns;
	fs = fsopen(fstype, FSOPEN_CLOEXEC);
	if (fs < 0)
		return berr(err, errno, "fsopen %s", fstype);
	if (fsconfig(fs, FSCONFIG_SET_STRING, "source", dev, 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return berr(err, errno, "cannot make a %s file system of %s", fstype, dev);
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NODEV);
	if (mnt < 0)
		return berr(err, errno, "cannot mount %s", dev);
	if (mount_setattr(mnt, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0) {
		int e = errno;

		berr(err, e, "cannot idmap the mount of %s (%s) to ids %u..%u", dev, fstype, start,
		     start + count - 1);
		/* a file system without FS_ALLOW_IDMAP (EINVAL), no mount_setattr (ENOSYS) */
		return e == EINVAL || e == ENOSYS || e == EOPNOTSUPP ? IDMAP_UNSUPPORTED : -1;
	}
	if (move_mount(mnt, "", AT_FDCWD, dir, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return berr(err, errno, "cannot mount %s on %s", dev, dir);
	return 0;
}
