/* upload.c - an image extracted from an archive as it arrives. The archive is hostile: GNU
 * tar extracts it (it refuses ".." members and writing through symlinks), what it made is
 * checked before the image is renamed into place, and the disk it takes is watched on the
 * file system itself (statvfs) while tar writes, so an archive that expands a thousandfold
 * is stopped within a few tens of MiB of its bound instead of filling the disk. */
#include "daemon/images/upload.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/size.h"
#include "daemon/images/copy.h"
#include "daemon/images/images.h"
#include "daemon/images/tar.h"

struct image_upload {
	char *name, *tmp, *final;
	char *into; /* where tar extracts: tmp (vm) or tmp/rootfs (ct) */
	enum server_kind kind;
	struct upload_bound bound;
	uint64_t free_at_start;
	unsigned char head[TAR_HEAD]; /* the archive's start, until tar runs */
	size_t head_len;
	struct tar_child tar;
	bool started, done;
	bool qcow2;	       /* disk.img is a qcow2, judged: it becomes raw at commit */
	bool converting;       /* ... and is being made raw: both are on disk for a while */
	uint64_t virtual_size; /* the qcow2's */
	char disk_what[96];    /* names disk.img in messages */
};

static int free_bytes(const char *path, uint64_t *out, struct berth_error *err)
{
	struct statvfs fs;

	if (statvfs(path, &fs) < 0)
		return berr(err, errno, "cannot tell the free space of %s", path);
	*out = (uint64_t)fs.f_bavail * fs.f_frsize;
	return 0;
}

/* The bound, looked at on the file system: what it lost since the start is what the
 * upload took (or more, when others write too: then the bound errs on the safe side). */
static int watch(void *ctx, struct berth_error *err)
{
	struct image_upload *u = ctx;
	char a[32], b[32];
	uint64_t now = 0, used;

	if (free_bytes(u->tmp, &now, err))
		return -1;
	used = u->free_at_start > now ? u->free_at_start - now : 0;
	if (used > u->bound.max_size && !u->converting)
		return refuse(err, EFBIG,
			      "image %s is larger than image_max_size (%s): the import was "
			      "stopped after %s and nothing was kept",
			      u->name, size_format(u->bound.max_size, a, sizeof(a)),
			      size_format(used, b, sizeof(b)));
	if (used > u->bound.may_take)
		return refuse(err, ENOSPC,
			      "not enough disk for image %s: the import was stopped after %s, "
			      "more than the %s the ledger could give; nothing was kept",
			      u->name, size_format(used, a, sizeof(a)),
			      size_format(u->bound.may_take, b, sizeof(b)));
	return 0;
}

int upload_open(struct image_upload **out, const char *state_dir, const char *name,
		enum server_kind kind, const struct upload_bound *b, struct berth_error *err)
{
	struct image_upload *u = calloc(1, sizeof(*u));

	*out = NULL;
	if (!u || !(u->name = strdup(name)))
		goto nomem;
	u->kind = kind;
	u->bound = *b;
	u->tar = (struct tar_child){ .in = -1, .errfd = -1 };
	if (free_bytes(state_dir, &u->free_at_start, err))
		goto fail;
	if (!b->may_take) {
		refuse(err, ENOSPC,
		       "not enough disk for image %s: the ledger has none left to give", name);
		goto fail;
	}
	if (image_begin(state_dir, name, &u->tmp, &u->final, err))
		goto fail;
	u->done = false;
	if (kind == KIND_CT) {
		if (asprintf(&u->into, "%s/rootfs", u->tmp) < 0) {
			u->into = NULL;
			goto nomem;
		}
		if (mkdir(u->into, 0755) < 0) {
			berr(err, errno, "cannot create %s", u->into);
			goto fail;
		}
	} else if (!(u->into = strdup(u->tmp))) {
		goto nomem;
	}
	*out = u;
	return 0;
nomem:
	berr(err, ENOMEM, "cannot import image %s", name);
fail:
	upload_free(u);
	return -1;
}

/* Start tar on the archive's first bytes (into its empty socket: they never wait). */
static int start_tar(struct image_upload *u, struct berth_error *err)
{
	const char *flag;

	if (tar_detect(u->head, u->head_len, "the uploaded archive", &flag, err) ||
	    tar_start(&u->tar, u->into, flag, u->kind == KIND_CT, err))
		return -1;
	u->started = true;
	return tar_feed(&u->tar, u->head, u->head_len, watch, u, err);
}

/* Why tar stopped reading, when it did. */
static int tar_refused(struct image_upload *u, struct berth_error *err)
{
	if (!u->tar.failed)
		return 0;
	tar_finish(&u->tar, "the uploaded archive", NULL, NULL, err);
	err->errnum = EINVAL; /* the archive's fault */
	return -1;
}

ssize_t upload_write(struct image_upload *u, const void *buf, size_t len, int *wait_fd,
		     struct berth_error *err)
{
	const unsigned char *p = buf;
	size_t took = 0;
	ssize_t n;

	if (!u->started) {
		took = len < TAR_HEAD - u->head_len ? len : TAR_HEAD - u->head_len;
		memcpy(u->head + u->head_len, p, took);
		u->head_len += took;
		if (u->head_len < TAR_HEAD)
			return (ssize_t)took;
		if (start_tar(u, err))
			return -1;
	}
	if (took < len) {
		n = tar_offer(&u->tar, p + took, len - took, watch, u, err);
		if (n < 0)
			return -1;
		took += (size_t)n;
	}
	*wait_fd = u->tar.in;
	return tar_refused(u, err) ? -1 : (ssize_t)took;
}

/* A VM image is kernel, initrd and disk.img, regular files, nothing else: a kernel that
 * boots (*boot BOOT_KERNEL), or a disk alone (BOOT_FIRMWARE), which takes no initrd and no
 * kernel command line (cmdline: the upload gives one). */
static int check_vm_files(struct image_upload *u, bool cmdline, enum server_boot *boot,
			  struct berth_error *err)
{
	static const char *const names[] = { "kernel", "initrd", "disk.img" };
	bool has[sizeof(names) / sizeof(names[0])] = { false };
	_cleanup_free_ char *kernel = NULL;
	struct dirent *e;
	struct stat st;
	size_t which = 0;
	bool known;
	DIR *d = opendir(u->tmp);
	int rc = 0;

	if (!d)
		return berr(err, errno, "cannot read %s", u->tmp);
	while (rc == 0 && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		known = false;
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			if (!strcmp(e->d_name, names[i])) {
				known = true;
				which = i;
			}
		}
		if (!known)
			rc = refuse(err, EINVAL,
				    "the archive for VM image %s holds '%.64s': a VM image is "
				    "kernel, initrd and disk.img, nothing else",
				    u->name, e->d_name);
		else if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			rc = berr(err, errno, "cannot stat %s/%s", u->tmp, e->d_name);
		else if (!S_ISREG(st.st_mode))
			rc = refuse(err, EINVAL, "%s in the archive for VM image %s is not a file",
				    e->d_name, u->name);
		else if (fchmodat(dirfd(d), e->d_name, 0600, 0) < 0)
			rc = berr(err, errno, "cannot chmod %s/%s", u->tmp, e->d_name);
		else
			has[which] = true;
	}
	closedir(d);
	if (rc)
		return -1;
	if (chmod(u->tmp, 0700) < 0)
		return berr(err, errno, "cannot chmod %s", u->tmp);
	if (image_check_boot(has[0], has[1], has[2], cmdline, err))
		return berr_wrap(err, "the archive for VM image %s", u->name);
	*boot = has[0] ? BOOT_KERNEL : BOOT_FIRMWARE;
	if (!has[0])
		return 0;
	if (asprintf(&kernel, "%s/kernel", u->tmp) < 0)
		return berr(err, ENOMEM, "image %s", u->name);
	return image_check_kernel(kernel, "in the archive", err);
}

/* A qcow2 disk.img is judged, its virtual size bounded by image_max_size and the disk the
 * ledger could give. */
static int judge_disk(struct image_upload *u, struct berth_error *err)
{
	bool ledger = u->bound.may_take < u->bound.max_size;

	snprintf(u->disk_what, sizeof(u->disk_what), "disk.img of image %s", u->name);
	if (image_disk_judge(u->tmp, u->disk_what, ledger ? u->bound.may_take : u->bound.max_size,
			     ledger ? "the disk the ledger could give" : "image_max_size",
			     &u->qcow2, &u->virtual_size, err) == 0)
		return 0;
	if (err->errnum == EFBIG && ledger)
		err->errnum = ENOSPC; /* 409, as when the archive itself is too large */
	return -1;
}

int upload_check(struct image_upload *u, bool cmdline, enum server_boot *boot, bool *convert,
		 struct berth_error *err)
{
	*boot = BOOT_NONE;
	*convert = false;
	if (!u->started) {
		if (!u->head_len)
			return refuse(err, EINVAL, "the upload of image %s is empty", u->name);
		if (start_tar(u, err))
			return -1;
	}
	if (tar_finish(&u->tar, "the uploaded archive", watch, u, err)) {
		if (err->errnum == 0)
			err->errnum = EINVAL; /* tar refused the archive */
		return -1;
	}
	if (u->kind == KIND_CT ? image_finish_ct(u->tmp, "the uploaded rootfs", watch, u, err)
			       : check_vm_files(u, cmdline, boot, err) || judge_disk(u, err)) {
		if (err->errnum == 0)
			err->errnum = EINVAL; /* what the archive holds is wrong */
		return -1;
	}
	*convert = u->qcow2;
	return 0;
}

int upload_commit(struct image_upload *u, progress_fn progress, void *ctx, uint64_t *size,
		  struct berth_error *err)
{
	char a[32], b[32];
	uint64_t used;
	int rc = 0;

	if (u->qcow2) {
		/* While a qcow2 becomes raw, both are on disk; the watch then binds the file
		 * system only (the raw disk's size was judged), image_max_size the end. */
		u->converting = true;
		rc = image_disk_convert(u->tmp, u->disk_what, u->virtual_size, progress, ctx, watch,
					u, err);
		u->converting = false;
		if (rc)
			return -1;
	}
	if (u->kind == KIND_VM)
		image_add_vmlinux(u->tmp, u->name, u->bound.max_size);
	used = tree_disk_usage(u->tmp);
	if (used > u->bound.max_size)
		return refuse(err, EFBIG,
			      "image %s takes %s, more than image_max_size (%s); nothing was kept",
			      u->name, size_format(used, a, sizeof(a)),
			      size_format(u->bound.max_size, b, sizeof(b)));
	if (image_commit(u->tmp, u->final, err))
		return -1;
	u->done = true;
	*size = tree_disk_usage(u->final);
	return 0;
}

void upload_free(struct image_upload *u)
{
	struct berth_error ignored;

	if (!u)
		return;
	tar_stop(&u->tar);
	/* A failed cleanup is retried at berthd's next start (image_remove_leftovers). */
	if (u->tmp && !u->done)
		remove_tree(u->tmp, &ignored);
	free(u->name);
	free(u->tmp);
	free(u->final);
	free(u->into);
	free(u);
}
