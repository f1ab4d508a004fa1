/* upload.c - the archive berth image import sends: a tarball as it is, a directory through
 * GNU tar run as the caller (so it reads only what the caller may), a VM's files through
 * tar_out.c. */
#include "cli/upload.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/operation.h"
#include "cli/tar_out.h"
#include "common/cleanup.h"

#define UPLOAD_STALL_S 600 /* berthd syncs a large image to disk before it answers */

extern char **environ;

/* What the upload reads. */
struct source {
	int fd;		   /* the tarball, or tar's stdout */
	pid_t tar;	   /* tar --create, or 0 */
	int errfd;	   /* tar's stderr (a memfd), or -1 */
	struct tar_out vm; /* vm: the archive made here */
	bool is_vm;
	const char *from;     /* names the source in messages */
	uint64_t total, sent; /* total is an estimate (0: unknown) */
	struct progress prog;
	struct berth_error err;
	bool failed;
};

/* The first complaint tar wrote to stderr (the last line only sums them up). */
static void tar_said(int fd, char *out, size_t size)
{
	char buf[300];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0) {
		snprintf(out, size, "no message");
		return;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	snprintf(out, size, "%s", buf);
}

static ssize_t source_read(void *ctx, char *buf, size_t max)
{
	struct source *s = ctx;
	char why[300];
	ssize_t n;
	int status;

	if (s->is_vm)
		n = tar_out_read(&s->vm, buf, max, &s->err);
	else
		while ((n = read(s->fd, buf, max)) < 0 && errno == EINTR)
			;
	if (n < 0 && s->is_vm) {
		s->failed = true;
		return -1;
	}
	if (n < 0) {
		berr(&s->err, errno, "cannot read %s", s->from);
		s->failed = true;
		return -1;
	}
	if (n == 0 && s->tar) {
		while (waitpid(s->tar, &status, 0) < 0 && errno == EINTR)
			;
		s->tar = 0;
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			tar_said(s->errfd, why, sizeof(why));
			berr(&s->err, 0, "cannot read all of %s (%s): nothing was imported",
			     s->from, why);
			s->failed = true;
			return -1; /* berthd sees the body cut and keeps nothing */
		}
	}
	s->sent += (uint64_t)n;
	if (s->total)
		progress_update(&s->prog,
				s->sent >= s->total ? 99 : (int)(s->sent * 100 / s->total));
	return n;
}

/* Run tar --create with args as the caller, its archive on s->fd. */
static int spawn_tar(struct source *s, char *const args[], struct berth_error *err)
{
	char *argv[16] = { "tar", "--create", "--file=-" };
	posix_spawn_file_actions_t fa;
	int pipefd[2], rc;
	size_t n = 3;

	for (size_t i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	s->errfd = memfd_create("tar-stderr", MFD_CLOEXEC);
	if (s->errfd < 0 || pipe2(pipefd, O_CLOEXEC) < 0)
		return berr(err, errno, "cannot run tar");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, s->errfd, 2);
	rc = posix_spawnp(&s->tar, "tar", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (rc) {
		close(pipefd[0]);
		s->tar = 0;
		return berr(err, rc, "cannot run tar (is GNU tar installed?)");
	}
	s->fd = pipefd[0];
	return 0;
}

/* Open path as the caller, for a clear message before anything is sent. */
static int readable(const char *key, const char *path, struct stat *st, struct berth_error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, st) < 0)
		return berr(err, errno, "--%s %s", key, path);
	return 0;
}

/* What tar will send of a directory (its files), for progress: nftw takes no context. */
static uint64_t tree_bytes;

static int count_file(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)path, (void)ftw;
	if (flag == FTW_F && S_ISREG(st->st_mode))
		tree_bytes += (uint64_t)st->st_size;
	return 0;
}

/* A container's rootfs: a tarball as it is, a directory through tar. */
static int open_ct(struct source *s, const char *rootfs, struct berth_error *err)
{
	char *args[] = { "--directory", (char *)rootfs,	      "--numeric-owner",
			 "--xattrs",	"--xattrs-include=*", ".",
			 NULL };
	struct stat st;

	s->from = rootfs;
	if (readable("rootfs", rootfs, &st, err))
		return -1;
	if (S_ISDIR(st.st_mode)) {
		tree_bytes = 0;
		nftw(rootfs, count_file, 64, FTW_PHYS);
		s->total = tree_bytes;
		return spawn_tar(s, args, err);
	}
	if (!S_ISREG(st.st_mode))
		return berr(err, 0, "--rootfs %s is neither a tarball nor a directory", rootfs);
	s->fd = open(rootfs, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0)
		return berr(err, errno, "--rootfs %s", rootfs);
	s->total = (uint64_t)st.st_size;
	return 0;
}

/* A VM's files, as kernel, initrd and disk.img. */
static int open_vm(struct source *s, const json_t *src, struct berth_error *err)
{
	static const char *const keys[] = { "kernel", "initrd", "disk" };
	static const char *const names[] = { "kernel", "initrd", "disk.img" };
	uint64_t data;
	struct stat st;
	int fd;

	s->from = "the VM's files";
	s->is_vm = true;
	tar_out_init(&s->vm);
	for (size_t i = 0; i < 3; i++) {
		const char *path = json_string_value(json_object_get(src, keys[i]));

		if (!path)
			continue;
		if (readable(keys[i], path, &st, err))
			return -1;
		if (!S_ISREG(st.st_mode))
			return berr(err, 0, "--%s %s is not a regular file", keys[i], path);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return berr(err, errno, "--%s %s", keys[i], path);
		if (tar_out_add(&s->vm, names[i], path, fd, &data, err))
			return -1;
		s->total += data;
	}
	return 0;
}

static void source_close(struct source *s)
{
	if (s->fd >= 0)
		close(s->fd);
	if (s->tar) {
		kill(s->tar, SIGKILL);
		while (waitpid(s->tar, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (s->errfd >= 0)
		close(s->errfd);
	if (s->is_vm)
		tar_out_free(&s->vm);
}

int upload_image(struct client *c, const char *path, const json_t *src, const char *what,
		 json_t **reply, struct berth_error *err)
{
	struct source s = { .fd = -1, .errfd = -1 };
	const char *kind = json_string_value(json_object_get(src, "kind"));
	json_t *final = NULL;
	const char *disk;
	bool later;
	int rc;

	*reply = NULL;
	s.prog = (struct progress){ stderr, isatty(STDERR_FILENO), what, -1 };
	if (kind && !strcmp(kind, "ct"))
		rc = open_ct(&s, json_string_value(json_object_get(src, "rootfs")), err);
	else
		rc = open_vm(&s, src, err);
	if (rc == 0) {
		rc = client_upload(c, path, source_read, &s, UPLOAD_STALL_S, reply, err);
		if (rc < 0 && s.failed)
			*err = s.err;
	}
	/* A qcow2 disk is converted after the upload, in an operation: its progress follows. */
	later = rc == 0 && json_object_get(*reply, "operation");
	progress_end(&s.prog, rc == 0 && !later);
	source_close(&s);
	if (later) {
		rc = op_wait(c, *reply, what, &final, err);
		json_decref(*reply);
		*reply = final;
	}
	/* berthd knows the disk as disk.img (a qcow2 it judged): name the caller's file. */
	disk = json_string_value(json_object_get(src, "disk"));
	if (rc < 0 && s.is_vm && disk && strstr(err->msg, "disk.img"))
		berr_wrap(err, "--disk %s", disk);
	if (rc < 0)
		return berr_wrap(err, "%s", what);
	return 0;
}
