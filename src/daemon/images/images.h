/* images.h - the image store: STATE_DIR/images/NAME/, with rootfs/ for a container image,
 * kernel, initrd and disk.img for a VM image. The database row is the daemon core's; these
 * functions only make and remove the files. */
#ifndef BERTH_DAEMON_IMAGES_H
#define BERTH_DAEMON_IMAGES_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "daemon/images/tar.h"
#include "daemon/servers/driver.h"
#include "daemon/servers/server.h"

struct image_source {
	enum server_kind kind;
	const char *rootfs; /* ct: a tarball (.tar, .tar.gz, .tar.xz...) or a directory */
	/* vm: a kernel (a bzImage) with an optional initrd and disk, or a bootable disk alone
	 * (its servers boot it by firmware) */
	const char *kernel, *initrd, *disk;
	const char *cmdline; /* vm with a kernel: what its kernel command line gains, or NULL */
};

/* Check src before any work: files exist and are readable, a VM image has a kernel (a
 * bzImage) or a disk, a rootfs tarball or directory is there. A clear message names what is wrong.
 */
int image_check_source(const struct image_source *src, struct berth_error *err);

/* Build image name under state_dir from src: into images/NAME.tmp, renamed to images/NAME
 * when whole; *size gets the bytes it takes on disk. A ct rootfs must hold /bin/sh or
 * /sbin/init. On failure nothing is left behind. */
int image_import(const char *state_dir, const char *name, const struct image_source *src,
		 progress_fn progress, void *ctx, uint64_t *size, struct berth_error *err);

/* The steps of an import, for one that gets its files another way (upload.c): check name,
 * refuse one that exists, make images/NAME.tmp; *tmp and *final (images/NAME) are the
 * caller's to free. */
int image_begin(const char *state_dir, const char *name, char **tmp, char **final,
		struct berth_error *err);

/* Write tmp to disk and rename it to final (never over an existing image). */
int image_commit(const char *tmp, const char *final, struct berth_error *err);

/* Fail unless a VM image of these parts can boot: a kernel, or a disk alone (by firmware),
 * which takes no initrd and no kernel command line. */
int image_check_boot(bool kernel, bool initrd, bool disk, bool cmdline, struct berth_error *err);

/* Fail unless path is a bzImage berth-vmm can boot: the check berth-vmm makes itself.
 * Messages say "kernel WHAT". */
int image_check_kernel(const char *path, const char *what, struct berth_error *err);

/* If the VM image being made in dir has a kernel whose payload is a PVH vmlinux, extract it
 * once into dir/vmlinux, which its servers then boot through PVH (no decompressor in the
 * guest), unless the image's files would then take more than max_size bytes; otherwise
 * (said on stderr) its servers boot the bzImage. */
void image_add_vmlinux(const char *dir, const char *name, uint64_t max_size);

/* Fail unless the directory rootfs can boot a container: /sbin/init or /bin/sh, an
 * executable file found with symlinks resolved inside it. from names it in messages. */
int image_check_rootfs(const char *rootfs, const char *from, struct berth_error *err);

/* Is dir/disk.img a qcow2 (by its first bytes; none or a raw one: *qcow2 false)? If so,
 * judge it with qemu-img: no backing or external data file, whole, a virtual size (into
 * *virtual_size) of at most max_size, which limit names. what names the disk in messages. */
int image_disk_judge(const char *dir, const char *what, uint64_t max_size, const char *limit,
		     bool *qcow2, uint64_t *virtual_size, struct berth_error *err);

/* Make the judged qcow2 dir/disk.img of virtual_size bytes a sparse raw disk in its place, with
 * progress and watch (may be NULL) as qemu_img_convert's. */
int image_disk_convert(const char *dir, const char *what, uint64_t virtual_size,
		       progress_fn progress, void *ctx, tar_watch_fn watch, void *wctx,
		       struct berth_error *err);

/* Finish the container image being built in dir: when dir/rootfs holds an OCI image layout,
 * make it the rootfs its layers say (oci.c; watch, may be NULL, called while tar works); then
 * check that the rootfs can run: the OCI image's entrypoint when it is an absolute path, else
 * image_check_rootfs's /sbin/init or /bin/sh. from names the source in messages. */
int image_finish_ct(const char *dir, const char *from, tar_watch_fn watch, void *wctx,
		    struct berth_error *err);

/* Remove image name's files (and a leftover NAME.tmp). */
int image_remove(const char *state_dir, const char *name, struct berth_error *err);

/* Remove every images/ *.tmp left by an import that died with berthd. */
void image_remove_leftovers(const char *state_dir);

#endif
