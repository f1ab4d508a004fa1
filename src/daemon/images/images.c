/* images.c - the image store's files. An import builds STATE_DIR/images/NAME.tmp and
 * renames it to NAME only when whole, so a crash or a failure leaves a .tmp (removed) or
 * nothing, never a half image. A container image's rootfs comes from a customer: it is
 * extracted by GNU tar (which refuses ".." members and writing through symlinks) and its
 * /bin/sh or /sbin/init is resolved inside the rootfs, never on the host. */
#include "daemon/images/images.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/bzimage_header.h"
#include "common/cleanup.h"
#include "common/vmlinux_cache.h"
#include "daemon/images/copy.h"
#include "daemon/images/oci.h"
#include "daemon/images/qemu_img.h"
#include "daemon/images/tar.h"

/* Fail unless path is a readable file of the type S_IFMT bits want (0: file or directory). */
static int check_path(const char *what, const char *path, mode_t want, struct berth_error *err)
{
	struct stat st;

	if (!path || !path[0])
		return berr(err, 0, "no %s given", what);
	if (path[0] != '/')
		return berr(err, 0,
			    "%s %s is not an absolute path (berthd reads it on its own host)", what,
			    path);
	if (stat(path, &st) < 0)
		return berr(err, errno, "%s %s", what, path);
	if (want == S_IFREG && !S_ISREG(st.st_mode))
		return berr(err, 0, "%s %s is not a regular file", what, path);
	if (!want && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return berr(err, 0, "%s %s is neither a tarball nor a directory", what, path);
	if (access(path, R_OK) < 0)
		return berr(err, errno, "%s %s", what, path);
	return 0;
}

int image_check_kernel(const char *path, const char *what, struct berth_error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ uint8_t *head = malloc(BZ_HEAD_MAX);
	struct bzimage_header bh;
	struct stat st;
	ssize_t n;

	if (!head)
		return berr(err, ENOMEM, "kernel %s", what);
	if (fd < 0 || fstat(fd, &st) < 0)
		return berr(err, errno, "kernel %s", what);
	n = pread(fd, head, BZ_HEAD_MAX, 0);
	if (n < 0)
		return berr(err, errno, "kernel %s", what);
	if (bzimage_header_parse(head, (size_t)n, (uint64_t)st.st_size, &bh, err))
		return berr_wrap(err, "kernel %s", what);
	return 0;
}

int image_check_boot(bool kernel, bool initrd, bool disk, bool cmdline, struct berth_error *err)
{
	if (!kernel && !disk)
		return berr(err, 0,
			    "a VM image needs a kernel, or a bootable disk that its servers boot "
			    "by firmware");
	if (!kernel && (initrd || cmdline))
		return berr(err, 0,
			    "an initrd and a kernel command line need a kernel: a disk alone "
			    "boots by firmware, with its own bootloader's");
	return 0;
}

/* Fail unless a ct source is a tarball tar can read or a directory. */
static int check_rootfs_source(const char *path, struct berth_error *err)
{
	_cleanup_close_ int fd = -1;
	unsigned char head[TAR_HEAD];
	const char *flag;
	struct stat st;
	ssize_t n;

	if (check_path("rootfs", path, 0, err))
		return -1;
	if (stat(path, &st) < 0)
		return berr(err, errno, "rootfs %s", path);
	if (S_ISDIR(st.st_mode))
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return berr(err, errno, "rootfs %s", path);
	n = pread(fd, head, sizeof(head), 0);
	if (n < 0)
		return berr(err, errno, "cannot read %s", path);
	return tar_detect(head, (size_t)n, path, &flag, err);
}

int image_check_source(const struct image_source *src, struct berth_error *err)
{
	if (src->kind == KIND_CT) {
		if (src->kernel || src->initrd || src->disk)
			return berr(
			    err, 0,
			    "a container image takes a rootfs only, not a kernel, initrd or disk");
		return check_rootfs_source(src->rootfs, err);
	}
	if (src->rootfs)
		return berr(err, 0,
			    "a VM image takes a kernel (and an optional initrd and disk) or a "
			    "bootable disk alone, not a rootfs");
	if (image_check_boot(src->kernel, src->initrd, src->disk, src->cmdline, err))
		return -1;
	if (src->kernel && (check_path("kernel", src->kernel, S_IFREG, err) ||
			    image_check_kernel(src->kernel, src->kernel, err)))
		return -1;
	if (src->initrd && check_path("initrd", src->initrd, S_IFREG, err))
		return -1;
	if (src->disk && check_path("disk", src->disk, S_IFREG, err))
		return -1;
	return 0;
}

/* Is prog inside the rootfs (symlinks resolved with the rootfs as /) an executable file? */
static int rootfs_has(int rootfd, const char *prog)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	_cleanup_close_ int fd = (int)syscall(SYS_openat2, rootfd, prog, &how, sizeof(how));
	struct stat st;

	return fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
}

int image_check_rootfs(const char *rootfs, const char *from, struct berth_error *err)
{
	_cleanup_close_ int fd = open(rootfs, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return berr(err, errno, "the rootfs from %s is not a directory", from);
	if (!rootfs_has(fd, "sbin/init") && !rootfs_has(fd, "bin/sh"))
		return berr(err, 0,
			    "%s has neither /sbin/init nor /bin/sh (an executable file, "
			    "symlinks resolved inside it): a container image needs one of them",
			    from);
	return 0;
}

int image_finish_ct(const char *dir, const char *from, tar_watch_fn watch, void *wctx,
		    struct berth_error *err)
{
	_cleanup_free_ char *rootfs = NULL, *layout = NULL, *entry = NULL;
	_cleanup_close_ int fd = -1;
	struct berth_error ignored;
	int rc;

	if (asprintf(&rootfs, "%s/rootfs", dir) < 0 || asprintf(&layout, "%s/oci", dir) < 0)
		return berr(err, ENOMEM, "%s", from);
	if (!oci_is_layout(rootfs))
		return image_check_rootfs(rootfs, from, err);
	if (rename(rootfs, layout) < 0 || mkdir(rootfs, 0755) < 0)
		return berr(err, errno, "cannot make room for the layers of %s", from);
	rc = oci_unpack(layout, rootfs, dir, dir, watch, wctx, &entry, err);
	if (rc)
		berr_wrap(err, "%s", from);
	if (remove_tree(layout, rc ? &ignored : err) && rc == 0)
		return -1;
	if (rc)
		return -1;
	if (!entry || entry[0] != '/')
		return entry ? 0 : image_check_rootfs(rootfs, from, err); /* found in PATH at run */
	fd = open(rootfs, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || !rootfs_has(fd, entry + 1))
		return refuse(err, EINVAL,
			      "the entrypoint of %s, %.128s, is not an executable file in "
			      "its rootfs",
			      from, entry);
	return 0;
}

/* Progress of a VM import: files copied one after another, weighed by size. */
struct import_progress {
	progress_fn fn;
	void *ctx;
	uint64_t base, part, total; /* bytes before this file, this file's, all */
};

void image_add_vmlinux(const char *dir, const char *name, uint64_t max_size)
{
	_cleanup_free_ char *kernel = NULL, *vmlinux = NULL;
	struct berth_error err = { 0 };

	if (asprintf(&kernel, "%s/kernel", dir) < 0 || asprintf(&vmlinux, "%s/vmlinux", dir) < 0 ||
	    access(kernel, F_OK) < 0)
		return;
	if (vmlinux_extract(kernel, dir, "vmlinux", &err) < 0) {
		fprintf(stderr, "berthd: image '%s': %s; its servers boot the bzImage\n", name,
			err.msg);
	} else if (tree_disk_usage(dir) > max_size) {
		/* The image's own files fit; a copy the customer did not bring must not fail it. */
		unlink(vmlinux);
		fprintf(stderr,
			"berthd: image '%s': its kernel's vmlinux would pass image_max_size; its "
			"servers boot the bzImage\n",
			name);
	}
}

static void import_progress(void *ctx, int pct)
{
	struct import_progress *ip = ctx;
	double done = (double)ip->base + (double)ip->part * pct / 100;

	if (ip->fn)
		ip->fn(ip->ctx, ip->total ? (int)(done * 100 / (double)ip->total) : 100);
}

static int import_vm(const char *tmp, const char *name, const struct image_source *src,
		     progress_fn progress, void *ctx, struct berth_error *err)
{
	const char *from[] = { src->kernel, src->initrd, src->disk };
	const char *to[] = { "kernel", "initrd", "disk.img" };
	struct import_progress ip = { .fn = progress, .ctx = ctx };
	uint64_t vsize;
	struct stat st;
	bool qcow2;

	for (size_t i = 0; i < 3; i++)
		if (from[i] && stat(from[i], &st) == 0)
			ip.total += st.st_size;
	for (size_t i = 0; i < 3; i++) {
		_cleanup_free_ char *dst = NULL;

		if (!from[i])
			continue;
		if (stat(from[i], &st) < 0)
			return berr(err, errno, "%s %s", to[i], from[i]);
		if (asprintf(&dst, "%s/%s", tmp, to[i]) < 0)
			return berr(err, ENOMEM, "cannot import %s", from[i]);
		ip.part = st.st_size;
		if (copy_file(from[i], dst, 0, import_progress, &ip, err))
			return -1;
		ip.base += ip.part;
	}
	image_add_vmlinux(tmp, name, UINT64_MAX); /* root's own JSON form: no image_max_size */
	/* The JSON form is root's own: no image_max_size here. */
	if (image_disk_judge(tmp, src->disk ? src->disk : "disk", UINT64_MAX, "what berth holds",
			     &qcow2, &vsize, err))
		return -1;
	return qcow2 ? image_disk_convert(tmp, src->disk, vsize, progress, ctx, NULL, NULL, err)
		     : 0;
}

int image_disk_judge(const char *dir, const char *what, uint64_t max_size, const char *limit,
		     bool *qcow2, uint64_t *virtual_size, struct berth_error *err)
{
	_cleanup_free_ char *disk = NULL;

	*qcow2 = false;
	*virtual_size = 0;
	if (asprintf(&disk, "%s/disk.img", dir) < 0)
		return berr(err, ENOMEM, "%s", what);
	if (access(disk, F_OK) < 0 && errno == ENOENT)
		return 0; /* a kernel without a disk */
	if (qcow2_file(disk, qcow2, err))
		return -1;
	return *qcow2 ? qemu_img_judge(disk, what, max_size, limit, virtual_size, err) : 0;
}

int image_disk_convert(const char *dir, const char *what, uint64_t virtual_size,
		       progress_fn progress, void *ctx, tar_watch_fn watch, void *wctx,
		       struct berth_error *err)
{
	_cleanup_free_ char *disk = NULL, *raw = NULL;

	if (asprintf(&disk, "%s/disk.img", dir) < 0 || asprintf(&raw, "%s/disk.raw", dir) < 0)
		return berr(err, ENOMEM, "%s", what);
	if (qemu_img_convert(disk, raw, what, virtual_size, progress, ctx, watch, wctx, err))
		return -1;
	if (chmod(raw, 0600) < 0 || rename(raw, disk) < 0) {
		berr(err, errno, "cannot keep the raw form of %s", what);
		unlink(raw);
		return -1;
	}
	return 0;
}

static int import_ct(const char *tmp, const struct image_source *src, progress_fn progress,
		     void *ctx, struct berth_error *err)
{
	_cleanup_free_ char *rootfs = NULL;
	struct stat st;

	if (asprintf(&rootfs, "%s/rootfs", tmp) < 0)
		return berr(err, ENOMEM, "cannot import %s", src->rootfs);
	if (stat(src->rootfs, &st) < 0)
		return berr(err, errno, "rootfs %s", src->rootfs);
	if (S_ISDIR(st.st_mode)) {
		if (copy_tree(src->rootfs, rootfs, progress, ctx, err))
			return -1;
	} else {
		if (mkdir(rootfs, 0755) < 0)
			return berr(err, errno, "cannot create %s", rootfs);
		if (tar_extract(src->rootfs, rootfs, progress, ctx, err))
			return -1;
	}
	return image_finish_ct(tmp, src->rootfs, NULL, NULL, err);
}

/* Write path's file system to disk: an image is whole on disk before its name says so,
 * even across a power cut. */
static int sync_dir_fs(const char *path, struct berth_error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || syncfs(fd) < 0)
		return berr(err, errno, "cannot write %s to disk", path);
	return 0;
}

/* Fail unless name is safe as one path component (the API checks the full syntax). */
static int check_name(const char *name, struct berth_error *err)
{
	if (!name[0] || name[0] == '.' || strchr(name, '/') || strlen(name) > SERVER_NAME_MAX)
		return berr(err, 0, "image name '%s' is not valid", name);
	return 0;
}

int image_begin(const char *state_dir, const char *name, char **tmp, char **final,
		struct berth_error *err)
{
	_cleanup_free_ char *images = NULL;

	*tmp = *final = NULL;
	if (check_name(name, err))
		return -1;
	if (asprintf(&images, "%s/images", state_dir) < 0 ||
	    asprintf(tmp, "%s/%s.tmp", images, name) < 0 ||
	    asprintf(final, "%s/%s", images, name) < 0)
		goto nomem;
	if (access(*final, F_OK) == 0) {
		berr(err, EEXIST, "cannot import image %s: %s exists", name, *final);
		goto fail;
	}
	if (mkdir(images, 0700) < 0 && errno != EEXIST) {
		berr(err, errno, "cannot create %s", images);
		goto fail;
	}
	if (mkdir(*tmp, 0700) < 0) {
		berr(err, errno, "cannot create %s (an import of %s still running?)", *tmp, name);
		goto fail;
	}
	return 0;
nomem:
	berr(err, ENOMEM, "cannot import image %s", name);
fail:
	free(*tmp);
	free(*final);
	*tmp = *final = NULL;
	return -1;
}

int image_commit(const char *tmp, const char *final, struct berth_error *err)
{
	if (sync_dir_fs(tmp, err))
		return -1;
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_NOREPLACE) < 0)
		return berr(err, errno, "cannot rename %s to %s", tmp, final);
	return 0;
}

int image_import(const char *state_dir, const char *name, const struct image_source *src,
		 progress_fn progress, void *ctx, uint64_t *size, struct berth_error *err)
{
	_cleanup_free_ char *tmp = NULL, *final = NULL;
	struct berth_error ignored;
	int rc;

	if (check_name(name, err) || image_check_source(src, err) ||
	    image_begin(state_dir, name, &tmp, &final, err))
		return -1;
	if (src->kind == KIND_CT)
		rc = import_ct(tmp, src, progress, ctx, err);
	else
		rc = import_vm(tmp, name, src, progress, ctx, err);
	if (!rc)
		rc = image_commit(tmp, final, err);
	if (rc) {
		/* The cause matters more than a failed cleanup, which berthd's restart retries. */
		remove_tree(tmp, &ignored);
		return -1;
	}
	if (size)
		*size = tree_disk_usage(final);
	return 0;
}

int image_remove(const char *state_dir, const char *name, struct berth_error *err)
{
	_cleanup_free_ char *path = NULL;

	if (check_name(name, err))
		return -1;
	if (asprintf(&path, "%s/images/%s.tmp", state_dir, name) < 0)
		return berr(err, ENOMEM, "cannot remove image %s", name);
	if (remove_tree(path, err))
		return -1;
	path[strlen(path) - 4] = '\0';
	return remove_tree(path, err);
}

void image_remove_leftovers(const char *state_dir)
{
	_cleanup_free_ char *images = NULL;
	struct berth_error ignored;
	struct dirent *de;
	DIR *d;

	if (asprintf(&images, "%s/images", state_dir) < 0)
		return;
	d = opendir(images);
	if (!d)
		return;
	while ((de = readdir(d))) {
		_cleanup_free_ char *path = NULL;
		size_t len = strlen(de->d_name);

		if (len <= 4 || strcmp(de->d_name + len - 4, ".tmp"))
			continue;
		if (asprintf(&path, "%s/%s", images, de->d_name) >= 0)
			remove_tree(path, &ignored);
	}
	closedir(d);
}
