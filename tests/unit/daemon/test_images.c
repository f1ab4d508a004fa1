/* test_images.c - image_import, image_remove and friends on real files: container images
 * from directories and tarballs (hostile ones too), VM images from a real bzImage. */
#include "testlib.h"
#include "daemon/scratch.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/images/copy.h"
#include "daemon/images/images.h"
#include "payload_fixture.h"

#define TINY_KERNEL "build/guests/tiny-poweroff.bzImage" /* make guests */

static void write_file(const char *path, const char *data, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, strlen(data)), (ssize_t)strlen(data));
	close(fd);
}

static void run(const char *fmt, const char *arg)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), fmt, arg, arg, arg, arg);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Nothing of image name is left in the store: no NAME, no NAME.tmp. */
static void assert_no_image(const char *name)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/state/images/%s", dir, name);
	assert_false(exists(p));
	snprintf(p, sizeof(p), "%s/state/images/%s.tmp", dir, name);
	assert_false(exists(p));
}

/* A minimal rootfs in dir/name: a busybox with /bin/sh and /sbin/init as symlinks. */
static void make_rootfs(const char *name)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	run("mkdir -p %s/bin %s/sbin %s/etc && cp /bin/busybox %s/bin/busybox", p);
	run("ln -s busybox %s/bin/sh && ln -s /bin/busybox %s/sbin/init && chmod 0755 %s", p);
	run("echo root:x:0:0::/root:/bin/sh > %s/etc/passwd", p);
}

static int setup(void **state)
{
	scratch_setup(state);
	assert_int_equal(mkdir(at("state"), 0700), 0);
	return 0;
}

static void test_ct_from_directory(void **state)
{
	char path[PATH_MAX];
	struct image_source src = { .kind = KIND_CT, .rootfs = keep(path, at("rootfs")) };
	struct berth_error err = { 0 };
	uint64_t size = 0;
	struct stat st;

	(void)state;
	make_rootfs("rootfs");
	if (image_import(at("state"), "bb", &src, NULL, NULL, &size, &err))
		fail_msg("%s", err.msg);
	assert_true(size > 1000000); /* busybox is about 2 MB */
	assert_int_equal(lstat(at("state/images/bb/rootfs/sbin/init"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(stat(at("state/images/bb/rootfs/bin/busybox"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0755);
	assert_false(exists(at("state/images/bb.tmp")));

	/* the same name again: refused, the first image intact */
	assert_int_equal(image_import(at("state"), "bb", &src, NULL, NULL, &size, &err), -1);
	assert_contains(err.msg, "images/bb");
	assert_false(exists(at("state/images/bb.tmp")));
	assert_true(exists(at("state/images/bb/rootfs/bin/busybox")));

	assert_int_equal(image_remove(at("state"), "bb", &err), 0);
	assert_no_image("bb");
}

static void test_ct_from_tarballs(void **state)
{
	static const struct {
		const char *file, *flag;
	} kinds[] = { { "r.tar", "" },
		      { "r.tar.gz", "-z" },
		      { "r.tar.xz", "-J" },
		      { "r.tar.zst", "--zstd" } };
	struct berth_error err = { 0 };
	char cmd[PATH_MAX * 2], path[PATH_MAX];
	struct stat st;

	(void)state;
	make_rootfs("rootfs");
	run("chown -R 1234:4321 %s/rootfs/etc && chmod 4755 %s/rootfs/bin/busybox", dir);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct image_source src = { .kind = KIND_CT,
					    .rootfs = keep(path, at(kinds[i].file)) };
		int last = -1;

		snprintf(cmd, sizeof(cmd), "tar %s -C %s/rootfs -cf %s/%s .", kinds[i].flag, dir,
			 dir, kinds[i].file);
		assert_int_equal(system(cmd), 0);
		assert_int_equal(image_check_source(&src, &err), 0);
		if (image_import(at("state"), "t", &src, NULL, &last, NULL, &err))
			fail_msg("%s: %s", kinds[i].file, err.msg);
		/* owners and modes as in the archive (numeric ids) */
		assert_int_equal(stat(at("state/images/t/rootfs/etc/passwd"), &st), 0);
		assert_int_equal(st.st_uid, 1234);
		assert_int_equal(st.st_gid, 4321);
		assert_int_equal(stat(at("state/images/t/rootfs/bin/busybox"), &st), 0);
		assert_int_equal(st.st_mode & 07777, 04755);
		assert_int_equal(st.st_uid, 0);
		assert_int_equal(image_remove(at("state"), "t", &err), 0);
		assert_no_image("t");
	}
}

/* The image scripts/mkimage builds, imported, then copied for a server as the ct driver
 * does: busybox's absolute applet symlinks resolve inside the rootfs. */
static void test_ct_from_mkimage(void **state)
{
	char path[PATH_MAX], cmd[PATH_MAX + 64];
	struct image_source src = { .kind = KIND_CT, .rootfs = keep(path, at("bb.tar.gz")) };
	struct berth_error err = { 0 };
	struct stat st;

	(void)state;
	snprintf(cmd, sizeof(cmd), "scripts/mkimage busybox-ct %s 2>/dev/null", src.rootfs);
	assert_int_equal(system(cmd), 0);
	if (image_import(at("state"), "busybox", &src, NULL, NULL, NULL, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(lstat(at("state/images/busybox/rootfs/sbin/init"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(stat(at("state/images/busybox/rootfs/etc/inittab"), &st), 0);
	assert_int_equal(mkdir(at("server"), 0700), 0);
	if (copy_tree(at("state/images/busybox/rootfs"), at("server/rootfs"), NULL, NULL, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(stat(at("server/rootfs/etc/init.d/rcS"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0755);
	assert_int_equal(stat(at("server/rootfs/tmp"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 01777);
}

static void note_progress(void *ctx, int pct)
{
	int *last = ctx;

	assert_true(pct >= *last && pct <= 100);
	*last = pct;
}

static void test_progress(void **state)
{
	char path[PATH_MAX];
	struct image_source src = { .kind = KIND_CT, .rootfs = keep(path, at("r.tar")) };
	struct berth_error err = { 0 };
	int last = -1;

	(void)state;
	make_rootfs("rootfs");
	run("tar -C %s/rootfs -cf %s/r.tar .", dir);
	assert_int_equal(image_import(at("state"), "p", &src, note_progress, &last, NULL, &err), 0);
	assert_int_equal(last, 100);
	last = -1;
	src.rootfs = keep(path, at("rootfs"));
	assert_int_equal(image_import(at("state"), "q", &src, note_progress, &last, NULL, &err), 0);
	assert_int_equal(last, 100);
}

/* A tarball with ".." members, an absolute symlink and a file written through it, a
 * relative symlink climbing out, and a hard link to a host path. */
static void make_hostile_tar(const char *out, const char *victim)
{
	char script[4096];

	assert_true(strlen(out) + 6 * strlen(victim) < 2048);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-truncation"
	snprintf(script, sizeof(script),
		 "python3 - <<'EOF'\n"
		 "import io, tarfile\n"
		 "def add(t, name, data=b'x', **kw):\n"
		 "    ti = tarfile.TarInfo(name)\n"
		 "    for k, v in kw.items(): setattr(ti, k, v)\n"
		 "    ti.size = len(data) if ti.type == tarfile.REGTYPE else 0\n"
		 "    t.addfile(ti, io.BytesIO(data) if ti.type == tarfile.REGTYPE else None)\n"
		 "with tarfile.open('%s', 'w', format=tarfile.GNU_FORMAT) as t:\n"
		 "    add(t, '.', type=tarfile.SYMTYPE, linkname='%s')\n"
		 "    add(t, './dot-through', b'dot')\n"
		 "    add(t, 'bin/sh', b'#!/bin/sh\\n', mode=0o755)\n"
		 "    add(t, '../escape-dotdot', b'dotdot')\n"
		 "    add(t, 'a/../../escape-mid', b'mid')\n"
		 "    add(t, '%s/escape-abs', b'abs')\n"
		 "    add(t, 'etc', type=tarfile.SYMTYPE, linkname='%s')\n"
		 "    add(t, 'etc/passwd', b'pwned')\n"
		 "    add(t, 'up', type=tarfile.SYMTYPE, linkname='../../../../../../..%s')\n"
		 "    add(t, 'up/passwd', b'pwned2')\n"
		 "    add(t, 'hl', type=tarfile.LNKTYPE, linkname='%s/passwd')\n"
		 "    add(t, 'lib', type=tarfile.SYMTYPE, linkname='%s')\n"
		 "    add(t, 'lib/', type=tarfile.DIRTYPE)\n"
		 "    add(t, 'lib/through-dir', b'pwned3')\n"
		 "EOF",
		 out, victim, victim, victim, victim, victim, victim);
#pragma GCC diagnostic pop
	assert_int_equal(system(script), 0);
}

static void test_hostile_tarball(void **state)
{
	char path[PATH_MAX];
	struct image_source src = { .kind = KIND_CT, .rootfs = keep(path, at("evil.tar")) };
	struct berth_error err = { 0 };
	char victim[PATH_MAX], buf[16] = { 0 };
	int fd;

	(void)state;
	if (system("command -v python3 >/dev/null") != 0) {
		skip(); /* the hostile archive is written with python3's tarfile */
		return;
	}
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	assert_int_equal(mkdir(victim, 0755), 0);
	write_file(at("victim/passwd"), "orig", 0644);
	make_hostile_tar(at("evil.tar"), victim);
	assert_int_equal(image_import(at("state"), "evil", &src, NULL, NULL, NULL, &err), -1);
	assert_contains(err.msg, "evil.tar");
	assert_contains(err.msg, "tar exit");
	assert_no_image("evil");
	/* nothing written outside: the victim unchanged, no escaped files anywhere near */
	fd = open(at("victim/passwd"), O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf) - 1), 4);
	close(fd);
	assert_string_equal(buf, "orig");
	assert_false(exists(at("escape-dotdot")));
	assert_false(exists(at("escape-mid")));
	assert_false(exists(at("state/escape-dotdot")));
	assert_false(exists(at("state/images/escape-dotdot")));
	assert_false(exists(at("victim/escape-abs")));
	assert_false(exists(at("victim/dot-through")));
	assert_false(exists(at("victim/through-dir")));
	assert_false(exists("/escape-dotdot"));
}

static void test_ct_refused(void **state)
{
	char path[PATH_MAX];
	struct image_source src = { .kind = KIND_CT, .rootfs = keep(path, at("rootfs")) };
	struct berth_error err = { 0 };

	(void)state;
	/* no /bin/sh, no /sbin/init */
	run("mkdir -p %s/rootfs/etc && echo x > %s/rootfs/etc/motd", dir);
	assert_int_equal(image_import(at("state"), "bad", &src, NULL, NULL, NULL, &err), -1);
	assert_contains(err.msg, "neither /sbin/init nor /bin/sh");
	assert_contains(err.msg, at("rootfs"));
	assert_no_image("bad");

	/* an init that exists on the host but not in the rootfs: resolved inside, refused */
	run("mkdir -p %s/rootfs/sbin && ln -s /bin/busybox %s/rootfs/sbin/init", dir);
	run("ln -s ../../../../../../../../bin/sh %s/rootfs/sh-up && mkdir %s/rootfs/bin", dir);
	run("ln -s ../sh-up %s/rootfs/bin/sh", dir);
	assert_int_equal(image_import(at("state"), "bad", &src, NULL, NULL, NULL, &err), -1);
	assert_contains(err.msg, "neither /sbin/init nor /bin/sh");
	assert_no_image("bad");

	/* a /bin/sh that is not executable */
	run("rm %s/rootfs/bin/sh && echo > %s/rootfs/bin/sh", dir);
	assert_int_equal(image_import(at("state"), "bad", &src, NULL, NULL, NULL, &err), -1);
	assert_no_image("bad");

	/* missing, relative, not a tar, corrupt tar */
	src.rootfs = keep(path, at("none"));
	assert_int_equal(image_import(at("state"), "bad", &src, NULL, NULL, NULL, &err), -1);
	assert_contains(err.msg, at("none"));
	src.rootfs = "rootfs.tar";
	assert_int_equal(image_check_source(&src, &err), -1);
	assert_contains(err.msg, "not an absolute path");
	write_file(at("junk"), "this is no archive", 0644);
	src.rootfs = keep(path, at("junk"));
	assert_int_equal(image_check_source(&src, &err), -1);
	assert_contains(err.msg, "is not a tar archive");
	/* a gzip'd tarball cut in half: tar fails after writing some files */
	make_rootfs("good");
	run("tar -C %s/good -czf %s/cut.tgz . && truncate -s 300000 %s/cut.tgz", dir);
	src.rootfs = keep(path, at("cut.tgz"));
	assert_int_equal(image_import(at("state"), "bad", &src, NULL, NULL, NULL, &err), -1);
	assert_contains(err.msg, "cut.tgz");
	assert_no_image("bad");

	/* a kernel for a container */
	src.rootfs = keep(path, at("good"));
	src.kernel = TINY_KERNEL;
	assert_int_equal(image_check_source(&src, &err), -1);
	assert_contains(err.msg, "rootfs only");
}

/* The tiny test guest's absolute path, or NULL when it is not built. */
static const char *tiny_kernel(void)
{
	static char path[PATH_MAX];

	return realpath(TINY_KERNEL, path);
}

static void test_vm_import(void **state)
{
	struct image_source src = { .kind = KIND_VM, .kernel = tiny_kernel() };
	struct berth_error err = { 0 };
	uint64_t size = 0;
	struct stat a, b;
	int last = -1, fd;
	char initrd[PATH_MAX], disk[PATH_MAX];

	(void)state;
	if (!src.kernel) {
		skip(); /* make guests */
		return;
	}
	write_file(at("initrd"), "not really an initrd", 0644);
	fd = open(at("disk.img"), O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "ext4", 4, 1024), 4);
	assert_int_equal(ftruncate(fd, 256 << 20), 0);
	close(fd);
	src.initrd = keep(initrd, at("initrd"));
	src.disk = keep(disk, at("disk.img"));
	if (image_import(at("state"), "tiny", &src, note_progress, &last, &size, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(last, 100);
	assert_true(size < (1 << 20)); /* the disk stayed sparse */
	assert_int_equal(stat(src.kernel, &a), 0);
	assert_int_equal(stat(at("state/images/tiny/kernel"), &b), 0);
	assert_int_equal(a.st_size, b.st_size);
	assert_int_equal(stat(at("state/images/tiny/disk.img"), &b), 0);
	assert_int_equal(b.st_size, 256 << 20);
	assert_true(b.st_blocks < 1024);
	assert_true(exists(at("state/images/tiny/initrd")));
	assert_false(exists(at("state/images/tiny.tmp")));
	/* The tiny guest's bzImage has no payload to extract: its servers boot it as it is. */
	assert_false(exists(at("state/images/tiny/vmlinux")));

	/* kernel only */
	src.initrd = src.disk = NULL;
	assert_int_equal(image_import(at("state"), "bare", &src, NULL, NULL, NULL, &err), 0);
	assert_false(exists(at("state/images/bare/disk.img")));
	assert_false(exists(at("state/images/bare/initrd")));
}

/* A bzImage whose payload is a PVH vmlinux: the import stores the vmlinux beside it. */
static void test_vm_import_vmlinux(void **state)
{
	static uint8_t vmlinux[PVH_FIX_LEN], packed[1 << 16], bz[1 << 17];
	struct image_source src = { .kind = KIND_VM };
	struct berth_error err = { 0 };
	char kernel[PATH_MAX], got[PVH_FIX_LEN + 1];
	size_t len;
	int fd;

	(void)state;
	fixture_vmlinux(vmlinux);
	len =
	    payload_bzimage(bz, packed, payload_gzip(packed, sizeof(packed), vmlinux, PVH_FIX_LEN));
	fd = open(at("pvh-bzImage"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, bz, len), (ssize_t)len);
	close(fd);
	src.kernel = keep(kernel, at("pvh-bzImage"));
	if (image_import(at("state"), "pvh", &src, NULL, NULL, NULL, &err))
		fail_msg("%s", err.msg);
	fd = open(at("state/images/pvh/vmlinux"), O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, got, sizeof(got)), PVH_FIX_LEN);
	close(fd);
	assert_memory_equal(got, vmlinux, PVH_FIX_LEN);
}

static void test_vm_refused(void **state)
{
	char path[PATH_MAX];
	struct image_source src = { .kind = KIND_VM, .kernel = keep(path, at("vmlinux")) };
	struct berth_error err = { 0 };
	char hdr[0x400] = { 0 };
	int fd;

	(void)state;
	assert_int_equal(image_check_source(&src, &err), -1);
	assert_contains(err.msg, at("vmlinux"));

	write_file(at("vmlinux"),
		   "\x7f"
		   "ELF not a bzImage",
		   0644);
	assert_int_equal(image_import(at("state"), "v", &src, NULL, NULL, NULL, &err), -1);
	assert_contains(err.msg, "not a Linux bzImage");
	assert_contains(err.msg, at("vmlinux"));
	assert_no_image("v");

	/* a real header with boot protocol 2.00: too old */
	hdr[0x1fe] = 0x55;
	hdr[0x1ff] = (char)0xaa;
	memcpy(hdr + 0x202, "HdrS", 4);
	hdr[0x206] = 0x00;
	hdr[0x207] = 0x02;
	fd = open(at("old"), O_WRONLY | O_CREAT, 0644);
	assert_int_equal(write(fd, hdr, sizeof(hdr)), (ssize_t)sizeof(hdr));
	close(fd);
	src.kernel = keep(path, at("old"));
	assert_int_equal(image_check_source(&src, &err), -1);
	assert_contains(err.msg, "boot protocol 2.00");

	src.kernel = tiny_kernel();
	if (!src.kernel)
		return;
	src.disk = keep(path, at("nodisk"));
	assert_int_equal(image_import(at("state"), "v", &src, NULL, NULL, NULL, &err), -1);
	assert_contains(err.msg, "disk");
	assert_contains(err.msg, at("nodisk"));
	assert_no_image("v");
	src.disk = dir;
	assert_int_equal(image_check_source(&src, &err), -1);
	assert_contains(err.msg, "not a regular file");
	src.disk = NULL;
	src.initrd = "relative/initrd";
	assert_int_equal(image_check_source(&src, &err), -1);
	assert_contains(err.msg, "not an absolute path");
	src.initrd = NULL;
	src.rootfs = dir;
	assert_int_equal(image_check_source(&src, &err), -1);
	assert_contains(err.msg, "not a rootfs");
}

static void test_leftovers_and_names(void **state)
{
	char path[PATH_MAX];
	struct image_source src = { .kind = KIND_CT, .rootfs = keep(path, at("rootfs")) };
	struct berth_error err = { 0 };

	(void)state;
	run("mkdir -p %s/state/images/dead.tmp/rootfs/etc %s/state/images/keep", dir);
	make_rootfs("rootfs");
	/* a leftover .tmp blocks an import of that name until it is removed */
	assert_int_equal(image_import(at("state"), "dead", &src, NULL, NULL, NULL, &err), -1);
	assert_contains(err.msg, "dead.tmp");
	image_remove_leftovers(at("state"));
	assert_false(exists(at("state/images/dead.tmp")));
	assert_true(exists(at("state/images/keep")));
	assert_int_equal(image_import(at("state"), "dead", &src, NULL, NULL, NULL, &err), 0);

	assert_int_equal(image_import(at("state"), "../x", &src, NULL, NULL, NULL, &err), -1);
	assert_contains(err.msg, "not valid");
	assert_int_equal(image_import(at("state"), ".hidden", &src, NULL, NULL, NULL, &err), -1);
	assert_int_equal(image_remove(at("state"), "a/b", &err), -1);
	assert_int_equal(image_remove(at("state"), "never-was", &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ct_from_directory, setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_ct_from_tarballs, setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_ct_from_mkimage, setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_progress, setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_hostile_tarball, setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_ct_refused, setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_vm_import, setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_vm_import_vmlinux, setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_vm_refused, setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_leftovers_and_names, setup, scratch_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
