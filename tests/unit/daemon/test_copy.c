/* test_copy.c - copy_file, copy_tree, remove_tree and tree_disk_usage on real files. */
#include "testlib.h"
#include "daemon/scratch.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "daemon/images/copy.h"
#include "daemon/servers/mounts.h"
#include "daemon/images/tree.h"

static void write_at(const char *path, off_t off, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT, 0644);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, data, len, off), (ssize_t)len);
	close(fd);
}

/* A 65 MiB file: 1 MiB of data, a 63 MiB hole, 1 MiB of data. */
static void make_sparse(const char *path)
{
	static char mib[1 << 20];

	memset(mib, 'd', sizeof(mib));
	write_at(path, 0, mib, sizeof(mib));
	write_at(path, 64 << 20, mib, sizeof(mib));
}

static void same_content(const char *a, const char *b)
{
	char cmd[2 * PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "cmp -s '%s' '%s'", a, b);
	assert_int_equal(system(cmd), 0);
}

struct progress_log {
	int calls, last;
	bool monotonic;
};

static void log_progress(void *ctx, int pct)
{
	struct progress_log *l = ctx;

	if (pct < l->last || pct > 100)
		l->monotonic = false;
	l->last = pct;
	l->calls++;
}

static void test_sparse_copy_stays_sparse(void **state)
{
	struct progress_log log = { .last = -1, .monotonic = true };
	struct berth_error err = { 0 };
	struct stat s, d;

	(void)state;
	make_sparse(at("src"));
	assert_int_equal(copy_file(at("src"), at("dst"), 0, log_progress, &log, &err), 0);
	assert_int_equal(stat(at("src"), &s), 0);
	assert_int_equal(stat(at("dst"), &d), 0);
	assert_int_equal(d.st_size, s.st_size);
	/* 2 MiB of data: allocated blocks stay near that, far below 65 MiB. */
	assert_true(d.st_blocks * 512 <= s.st_blocks * 512 + (1 << 20));
	assert_int_equal(d.st_mode & 07777, 0600);
	same_content(at("src"), at("dst"));
	assert_true(log.monotonic);
	assert_int_equal(log.last, 100);
}

/* From tmpfs to /tmp's file system: no reflink, maybe no copy_file_range across. */
static void test_copy_across_file_systems(void **state)
{
	struct berth_error err = { 0 };
	struct stat s, d;

	(void)state;
	assert_int_equal(mkdir(at("tmpfs"), 0755), 0);
	assert_int_equal(mount("tmpfs", at("tmpfs"), "tmpfs", 0, "size=80m"), 0);
	make_sparse(at("tmpfs/src"));
	if (copy_file(at("tmpfs/src"), at("dst"), 0, NULL, NULL, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(stat(at("tmpfs/src"), &s), 0);
	assert_int_equal(stat(at("dst"), &d), 0);
	assert_int_equal(d.st_size, s.st_size);
	assert_true(d.st_blocks * 512 <= (4 << 20));
	same_content(at("tmpfs/src"), at("dst"));
	assert_int_equal(umount(at("tmpfs")), 0);
}

static void test_copy_grows_to_min_size(void **state)
{
	struct berth_error err = { 0 };
	struct stat d;

	(void)state;
	make_sparse(at("src"));
	assert_int_equal(copy_file(at("src"), at("dst"), 1ull << 30, NULL, NULL, &err), 0);
	assert_int_equal(stat(at("dst"), &d), 0);
	assert_int_equal(d.st_size, 1 << 30);
	assert_true(d.st_blocks * 512 < (4 << 20));
	/* A min_size below the file's size does not shrink it. */
	assert_int_equal(copy_file(at("src"), at("dst2"), 4096, NULL, NULL, &err), 0);
	assert_int_equal(stat(at("dst2"), &d), 0);
	assert_int_equal(d.st_size, 65 << 20);
}

static void test_copy_empty_and_holey_end(void **state)
{
	struct berth_error err = { 0 };
	struct stat d;

	(void)state;
	write_at(at("empty"), 0, "", 0);
	assert_int_equal(copy_file(at("empty"), at("empty2"), 0, NULL, NULL, &err), 0);
	assert_int_equal(stat(at("empty2"), &d), 0);
	assert_int_equal(d.st_size, 0);
	/* data then a trailing hole: the copy keeps the length */
	write_at(at("tail"), 0, "abc", 3);
	assert_int_equal(truncate(at("tail"), 10 << 20), 0);
	assert_int_equal(copy_file(at("tail"), at("tail2"), 0, NULL, NULL, &err), 0);
	assert_int_equal(stat(at("tail2"), &d), 0);
	assert_int_equal(d.st_size, 10 << 20);
	same_content(at("tail"), at("tail2"));
}

static void test_copy_file_errors(void **state)
{
	struct berth_error err = { 0 };

	(void)state;
	assert_int_equal(copy_file(at("missing"), at("dst"), 0, NULL, NULL, &err), -1);
	assert_contains(err.msg, "missing");
	assert_int_equal(access(at("dst"), F_OK), -1);

	assert_int_equal(copy_file(dir, at("dst"), 0, NULL, NULL, &err), -1);
	assert_contains(err.msg, "not a regular file");

	write_at(at("src"), 0, "x", 1);
	write_at(at("dst"), 0, "keep", 4);
	assert_int_equal(copy_file(at("src"), at("dst"), 0, NULL, NULL, &err), -1);
	assert_int_equal(err.errnum, EEXIST);
	same_content(at("dst"), at("dst")); /* still there */
	assert_int_equal(access(at("dst"), F_OK), 0);
}

/* Is the first extent of path shared with another file (a reflink)? */
static bool first_extent_shared(const char *path)
{
	struct {
		struct fiemap map;
		struct fiemap_extent extent;
	} f = { .map = { .fm_length = FIEMAP_MAX_OFFSET, .fm_extent_count = 1 } };
	int fd = open(path, O_RDONLY);
	int rc;

	assert_true(fd >= 0);
	rc = ioctl(fd, FS_IOC_FIEMAP, &f.map);
	close(fd);
	assert_int_equal(rc, 0);
	assert_int_equal(f.map.fm_mapped_extents, 1);
	return f.extent.fe_flags & FIEMAP_EXTENT_SHARED;
}

/* Reflinks, on a small btrfs loop-mounted for the test (skipped without mkfs.btrfs). */
static void test_reflink(void **state)
{
	struct berth_error err = { 0 };
	char cmd[512];
	struct stat d;

	(void)state;
	if (system("command -v mkfs.btrfs >/dev/null") != 0) {
		skip(); /* apt-get install btrfs-progs */
		return;
	}
	snprintf(cmd, sizeof(cmd),
		 "truncate -s 128M %s/fs.img && mkfs.btrfs -q %s/fs.img >/dev/null 2>&1 && "
		 "mkdir %s/mnt && mount -o loop %s/fs.img %s/mnt",
		 dir, dir, dir, dir, dir);
	assert_int_equal(system(cmd), 0);
	make_sparse(at("mnt/src"));
	assert_false(first_extent_shared(at("mnt/src")));
	assert_int_equal(copy_file(at("mnt/src"), at("mnt/dst"), 0, NULL, NULL, &err), 0);
	assert_true(first_extent_shared(at("mnt/dst")));
	assert_int_equal(stat(at("mnt/dst"), &d), 0);
	assert_int_equal(d.st_size, 65 << 20);
	same_content(at("mnt/src"), at("mnt/dst"));
	/* copy_tree reflinks each file too */
	assert_int_equal(mkdir(at("mnt/tree"), 0755), 0);
	assert_int_equal(rename(at("mnt/src"), at("mnt/tree/file")), 0);
	assert_int_equal(copy_tree(at("mnt/tree"), at("mnt/copy"), NULL, NULL, &err), 0);
	assert_true(first_extent_shared(at("mnt/copy/file")));
	assert_int_equal(umount(at("mnt")), 0);
}

static const char cap_value[] = /* vfs_cap_data v2: cap_net_bind_service, effective */
    "\x01\x00\x00\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00";

/* A tree with every file type, owners, modes, times, xattrs and hard links. */
static void make_tree(const char *t)
{
	char p[PATH_MAX];
	struct timespec old[2] = { { 1000000000, 0 }, { 1000000000, 123 } };

	assert_int_equal(mkdir(t, 0755), 0);
	snprintf(p, sizeof(p), "%s/dir", t);
	assert_int_equal(mkdir(p, 0750), 0);
	assert_int_equal(chown(p, 1234, 5678), 0);
	snprintf(p, sizeof(p), "%s/dir/deeper", t);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/dir/deeper/file", t);
	write_at(p, 0, "deep", 4);
	snprintf(p, sizeof(p), "%s/setuid", t);
	write_at(p, 0, "#!/bin/sh\n", 10);
	assert_int_equal(chown(p, 0, 0), 0);
	assert_int_equal(chmod(p, 04755), 0);
	snprintf(p, sizeof(p), "%s/capable", t);
	write_at(p, 0, "bin", 3);
	assert_int_equal(chmod(p, 0755), 0);
	assert_int_equal(setxattr(p, "security.capability", cap_value, sizeof(cap_value) - 1, 0),
			 0);
	assert_int_equal(setxattr(p, "user.note", "hello", 5, 0), 0);
	assert_int_equal(setxattr(p, "trusted.empty", "", 0, 0), 0);
	snprintf(p, sizeof(p), "%s/owned", t);
	write_at(p, 0, "o", 1);
	assert_int_equal(chown(p, 1000, 1001), 0);
	assert_int_equal(utimensat(AT_FDCWD, p, old, 0), 0);
	snprintf(p, sizeof(p), "%s/sparse", t);
	make_sparse(p);
	snprintf(p, sizeof(p), "%s/abs-link", t);
	assert_int_equal(symlink("/etc", p), 0);
	assert_int_equal(lchown(p, 1000, 1000), 0);
	snprintf(p, sizeof(p), "%s/dangling", t);
	assert_int_equal(symlink("../../nowhere", p), 0);
	snprintf(p, sizeof(p), "%s/null", t);
	assert_int_equal(mknod(p, S_IFCHR | 0666, makedev(1, 3)), 0);
	snprintf(p, sizeof(p), "%s/loop9", t);
	assert_int_equal(mknod(p, S_IFBLK | 0660, makedev(7, 9)), 0);
	snprintf(p, sizeof(p), "%s/fifo", t);
	assert_int_equal(mkfifo(p, 0640), 0);
	snprintf(p, sizeof(p), "%s/sock", t);
	assert_int_equal(mknod(p, S_IFSOCK | 0700, 0), 0);
	snprintf(p, sizeof(p), "%s/link1", t);
	write_at(p, 0, "linked", 6);
	snprintf(p, sizeof(p), "%s/dir/link2", t);
	char first[PATH_MAX];
	snprintf(first, sizeof(first), "%s/link1", t);
	assert_int_equal(link(first, p), 0);
	snprintf(p, sizeof(p), "%s/dir", t);
	assert_int_equal(utimensat(AT_FDCWD, p, old, 0), 0);
}

static void same_meta(const char *name)
{
	char s[PATH_MAX], d[PATH_MAX];
	struct stat a, b;

	snprintf(s, sizeof(s), "%s/tree/%s", dir, name);
	snprintf(d, sizeof(d), "%s/copy/%s", dir, name);
	assert_int_equal(lstat(s, &a), 0);
	assert_int_equal(lstat(d, &b), 0);
	if ((a.st_mode & S_IFMT) != (b.st_mode & S_IFMT) || a.st_mode != b.st_mode ||
	    a.st_uid != b.st_uid || a.st_gid != b.st_gid || a.st_rdev != b.st_rdev ||
	    a.st_size != b.st_size || a.st_mtim.tv_sec != b.st_mtim.tv_sec ||
	    a.st_mtim.tv_nsec != b.st_mtim.tv_nsec)
		fail_msg("%s: mode %o/%o owner %d:%d/%d:%d size %lld/%lld mtime %lld/%lld", name,
			 a.st_mode, b.st_mode, a.st_uid, a.st_gid, b.st_uid, b.st_gid,
			 (long long)a.st_size, (long long)b.st_size, (long long)a.st_mtim.tv_sec,
			 (long long)b.st_mtim.tv_sec);
	assert_int_not_equal(a.st_ino, b.st_ino); /* a copy, never a link to the source */
}

static void test_copy_tree_every_type(void **state)
{
	static const char *names[] = { "",	   "dir",      "dir/deeper", "dir/deeper/file",
				       "setuid",   "capable",  "owned",	     "sparse",
				       "abs-link", "dangling", "null",	     "loop9",
				       "fifo",	   "sock",     "link1",	     "dir/link2" };
	struct progress_log log = { .last = -1, .monotonic = true };
	struct berth_error err = { 0 };
	char buf[64], lnk[64];
	struct stat a, b;
	ssize_t n;

	(void)state;
	make_tree(at("tree"));
	if (copy_tree(at("tree"), at("copy"), log_progress, &log, &err))
		fail_msg("%s", err.msg);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		same_meta(names[i]);
	assert_true(log.monotonic);
	assert_int_equal(log.last, 100);

	n = getxattr(at("copy/capable"), "security.capability", buf, sizeof(buf));
	assert_int_equal(n, sizeof(cap_value) - 1);
	assert_memory_equal(buf, cap_value, n);
	n = getxattr(at("copy/capable"), "user.note", buf, sizeof(buf));
	assert_int_equal(n, 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(getxattr(at("copy/capable"), "trusted.empty", buf, sizeof(buf)), 0);

	n = readlink(at("copy/abs-link"), lnk, sizeof(lnk));
	assert_int_equal(n, 4);
	assert_memory_equal(lnk, "/etc", 4);

	/* hard links stay links in the copy, and separate from the source */
	assert_int_equal(stat(at("copy/link1"), &a), 0);
	assert_int_equal(stat(at("copy/dir/link2"), &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(a.st_nlink, 2);
	same_content(at("tree/link1"), at("copy/dir/link2"));

	assert_int_equal(stat(at("tree/sparse"), &a), 0);
	assert_int_equal(stat(at("copy/sparse"), &b), 0);
	assert_true(b.st_blocks <= a.st_blocks + 2048);
	same_content(at("tree/sparse"), at("copy/sparse"));

	/* a second copy onto an existing target fails and leaves the target alone */
	assert_int_equal(copy_tree(at("tree"), at("copy"), NULL, NULL, &err), -1);
	assert_int_equal(err.errnum, EEXIST);
	assert_int_equal(access(at("copy/dir/link2"), F_OK), 0);
}

/* into a directory that exists already (the root of a fresh file system) */
static void test_copy_tree_into(void **state)
{
	static const char *names[] = { "", "dir", "dir/deeper/file", "setuid", "null", "link1" };
	struct berth_error err = { 0 };

	(void)state;
	make_tree(at("tree"));
	assert_int_equal(mkdir(at("copy"), 0700), 0);
	if (copy_tree_into(at("tree"), at("copy"), NULL, NULL, &err))
		fail_msg("%s", err.msg);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		same_meta(names[i]); /* the root too: it gets the source root's owner and mode */
	/* a failure leaves the directory, which is not the copy's to remove */
	assert_int_equal(copy_tree_into(at("tree"), at("copy"), NULL, NULL, &err), -1);
	assert_int_equal(err.errnum, EEXIST);
	assert_int_equal(access(at("copy/dir/link2"), F_OK), 0);
	assert_int_equal(copy_tree_into(at("tree"), at("none"), NULL, NULL, &err), -1);
}

/* xattrs of a symlink are the symlink's: copied to the copy, never to what it points at */
static void test_copy_symlink_xattrs(void **state)
{
	struct berth_error err = { 0 };
	char buf[16];

	(void)state;
	assert_int_equal(mkdir(at("tree"), 0755), 0);
	assert_int_equal(mkdir(at("target"), 0755), 0);
	assert_int_equal(symlink(at("target"), at("tree/xlink")), 0);
	assert_int_equal(lsetxattr(at("tree/xlink"), "trusted.mark", "sym", 3, 0), 0);
	assert_int_equal(getxattr(at("target"), "trusted.mark", buf, sizeof(buf)), -1);
	if (copy_tree(at("tree"), at("copy"), NULL, NULL, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(lgetxattr(at("copy/xlink"), "trusted.mark", buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "sym", 3);
	assert_int_equal(getxattr(at("target"), "trusted.mark", buf, sizeof(buf)), -1);
	assert_int_equal(errno, ENODATA);
}

static void test_copy_tree_errors(void **state)
{
	struct berth_error err = { 0 };

	(void)state;
	assert_int_equal(copy_tree(at("none"), at("copy"), NULL, NULL, &err), -1);
	assert_contains(err.msg, "none");
	write_at(at("file"), 0, "x", 1);
	assert_int_equal(copy_tree(at("file"), at("copy"), NULL, NULL, &err), -1);
	assert_contains(err.msg, "is not a directory");
	assert_int_equal(access(at("copy"), F_OK), -1);

	/* a copy into the tree itself */
	assert_int_equal(mkdir(at("self"), 0755), 0);
	write_at(at("self/a"), 0, "a", 1);
	assert_int_equal(copy_tree(at("self"), at("self/copy"), NULL, NULL, &err), -1);
	assert_contains(err.msg, "inside it");
	assert_int_equal(access(at("self/copy"), F_OK), -1);

	/* a mount inside the source is refused, and the half copy removed */
	assert_int_equal(mkdir(at("src"), 0755), 0);
	write_at(at("src/a"), 0, "a", 1);
	assert_int_equal(mkdir(at("src/mnt"), 0755), 0);
	assert_int_equal(mount("tmpfs", at("src/mnt"), "tmpfs", 0, "size=1m"), 0);
	assert_int_equal(copy_tree(at("src"), at("copy"), NULL, NULL, &err), -1);
	umount(at("src/mnt"));
	assert_contains(err.msg, "refusing a mount point inside the tree");
	assert_int_equal(access(at("copy"), F_OK), -1);
}

static void test_remove_tree(void **state)
{
	struct berth_error err = { 0 };

	(void)state;
	make_tree(at("tree"));
	/* symlinks out of the tree are removed, never followed */
	assert_int_equal(mkdir(at("outside"), 0755), 0);
	write_at(at("outside/keep"), 0, "k", 1);
	assert_int_equal(symlink(at("outside"), at("tree/out")), 0);
	assert_int_equal(symlink(at("outside/keep"), at("tree/dir/keep")), 0);
	assert_int_equal(remove_tree(at("tree"), &err), 0);
	assert_int_equal(access(at("tree"), F_OK), -1);
	assert_int_equal(access(at("outside/keep"), F_OK), 0);
	/* gone already: fine */
	assert_int_equal(remove_tree(at("tree"), &err), 0);
	/* a single file */
	assert_int_equal(remove_tree(at("outside/keep"), &err), 0);
	assert_int_equal(access(at("outside/keep"), F_OK), -1);
}

static void test_remove_tree_refuses_mounts(void **state)
{
	struct berth_error err = { 0 };

	(void)state;
	assert_int_equal(mkdir(at("rootfs"), 0755), 0);
	assert_int_equal(mkdir(at("rootfs/etc"), 0755), 0);
	write_at(at("rootfs/file"), 0, "f", 1);
	assert_int_equal(mkdir(at("hostdir"), 0755), 0);
	write_at(at("hostdir/precious"), 0, "p", 1);
	/* a bind mount from the same file system: same st_dev, only mountinfo tells */
	assert_int_equal(mount(at("hostdir"), at("rootfs/etc"), NULL, MS_BIND, NULL), 0);
	assert_int_equal(remove_tree(at("rootfs"), &err), -1);
	umount(at("rootfs/etc"));
	assert_contains(err.msg, "rootfs/etc is mounted inside");
	assert_int_equal(access(at("rootfs/file"), F_OK), 0); /* nothing removed */
	assert_int_equal(access(at("hostdir/precious"), F_OK), 0);
	assert_int_equal(remove_tree(at("rootfs"), &err), 0);
}

static void test_unmount_below(void **state)
{
	struct berth_error err = { 0 };

	(void)state;
	assert_int_equal(mkdir(at("srv"), 0755), 0);
	assert_int_equal(mkdir(at("srv/rootfs"), 0755), 0);
	assert_int_equal(mkdir(at("hostdir"), 0755), 0);
	assert_int_equal(mkdir(at("hostdir/sub"), 0755), 0);
	write_at(at("hostdir/precious"), 0, "p", 1);
	/* stacked: one mount inside another, as a disk with something mounted in it */
	assert_int_equal(mount(at("hostdir"), at("srv/rootfs"), NULL, MS_BIND, NULL), 0);
	assert_int_equal(mount(at("hostdir"), at("srv/rootfs/sub"), NULL, MS_BIND, NULL), 0);
	assert_int_equal(unmount_below(at("srv"), &err), 0);
	assert_int_equal(remove_tree(at("srv"), &err), 0);
	assert_int_equal(access(at("hostdir/precious"), F_OK), 0); /* nothing removed through */
	/* nothing mounted, or nothing there: nothing to do */
	assert_int_equal(unmount_below(at("hostdir"), &err), 0);
	assert_int_equal(unmount_below(at("none"), &err), 0);
	assert_int_equal(unmount_dir(at("hostdir"), &err), 0);
}

/* Make a chain of depth directories "d" below path; returns the deepest one's fd. */
static int make_deep(const char *path, int depth)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY), next;

	assert_true(fd >= 0);
	for (int i = 0; i < depth; i++) {
		assert_int_equal(mkdirat(fd, "d", 0755), 0);
		next = openat(fd, "d", O_RDONLY | O_DIRECTORY);
		assert_true(next >= 0);
		close(fd);
		fd = next;
	}
	return fd;
}

static void test_deep_trees(void **state)
{
	struct rlimit lim;
	struct berth_error err = { 0 };
	int fd;

	(void)state;
	/* as berthd does: descriptors up to the hard limit */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &lim), 0);
	lim.rlim_cur = lim.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &lim), 0);
	if (lim.rlim_cur < 2 * TREE_MAX_DEPTH + 64) {
		skip();
		return;
	}
	/* 2047 levels, a path of about PATH_MAX: the deepest GNU tar can make */
	assert_int_equal(mkdir(at("deep"), 0755), 0);
	fd = make_deep(at("deep"), TREE_MAX_DEPTH - 1);
	assert_int_equal(openat(fd, "leaf", O_WRONLY | O_CREAT | O_CLOEXEC, 0600) >= 0, 1);
	close(fd);
	if (copy_tree(at("deep"), at("copy"), NULL, NULL, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(remove_tree(at("copy"), &err), 0);
	assert_int_equal(access(at("copy"), F_OK), -1);
	/* one more level is refused (and the half copy removed) */
	fd = make_deep(at("deep"), 0);
	close(fd);
	assert_int_equal(mkdir(at("deeper"), 0755), 0);
	close(make_deep(at("deeper"), TREE_MAX_DEPTH + 1));
	assert_int_equal(copy_tree(at("deeper"), at("copy"), NULL, NULL, &err), -1);
	assert_contains(err.msg, "nested deeper than");
	assert_int_equal(access(at("copy"), F_OK), -1);
	assert_int_equal(remove_tree(at("deep"), &err), 0);
}

static void test_disk_usage(void **state)
{
	struct stat a;
	uint64_t one, two;

	(void)state;
	assert_int_equal(mkdir(at("u"), 0755), 0);
	make_sparse(at("u/s"));
	assert_int_equal(stat(at("u/s"), &a), 0);
	one = tree_disk_usage(at("u"));
	assert_true(one >= (uint64_t)a.st_blocks * 512);
	assert_true(one < (8 << 20));
	/* a hard link adds nothing */
	assert_int_equal(link(at("u/s"), at("u/t")), 0);
	two = tree_disk_usage(at("u"));
	assert_int_equal(one, two);
	assert_int_equal(tree_disk_usage(at("u/s")), (uint64_t)a.st_blocks * 512);
	assert_int_equal(tree_disk_usage(at("nothing")), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sparse_copy_stays_sparse, scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_copy_across_file_systems, scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_copy_grows_to_min_size, scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_copy_empty_and_holey_end, scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_copy_file_errors, scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_reflink, scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_copy_tree_every_type, scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_copy_symlink_xattrs, scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_copy_tree_errors, scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_remove_tree, scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_remove_tree_refuses_mounts, scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_unmount_below, scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_copy_tree_into, scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_deep_trees, scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_disk_usage, scratch_setup, scratch_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
