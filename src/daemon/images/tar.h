/* tar.h - extracting a rootfs tarball with GNU tar, run as a child process that berthd
 * feeds the archive: from a file, or piece by piece as an upload arrives. */
#ifndef BERTH_DAEMON_TAR_H
#define BERTH_DAEMON_TAR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"
#include "daemon/servers/driver.h"

/* The first bytes tar_detect looks at (a tar header is 512 bytes). */
#define TAR_HEAD 512

/* Check that head (the first len bytes of an archive, len <= TAR_HEAD; fewer only when the
 * archive is shorter) starts a tar archive, plain or compressed with gzip, bzip2, xz or zstd;
 * *flag gets tar's option for the compression ("" when plain). what names it in messages. */
int tar_detect(const void *head, size_t len, const char *what, const char **flag,
	       struct berth_error *err);

/* A running tar extracting what it is fed. */
struct tar_child {
	pid_t pid;	   /* 0 once reaped */
	int in;		   /* the archive goes here; -1 once closed */
	int errfd;	   /* tar's stderr (a memfd) */
	bool failed;	   /* tar stopped reading: its exit status says why */
	long long watched; /* when tar_feed last called its watch (CLOCK_MONOTONIC, ms) */
};

/* Called while tar works: non-zero (with err set) stops the extraction. */
typedef int (*tar_watch_fn)(void *ctx, struct berth_error *err);

/* Start tar extracting into the existing empty directory dir, decompressing with flag (from
 * tar_detect). keep_owners: numeric owners, modes and xattrs kept (a rootfs); else the files
 * are root's, with tar's default modes (a VM image's plain files). */
int tar_start(struct tar_child *t, const char *dir, const char *flag, bool keep_owners,
	      struct berth_error *err);

/* Give tar what its socket takes of the len bytes now, calling watch (may be NULL) when
 * 50 ms passed since it last did; never blocks. The bytes taken (0: the socket is full, or
 * tar stopped reading), or -1 when watch failed (tar is then killed). */
ssize_t tar_offer(struct tar_child *t, const void *buf, size_t len, tar_watch_fn watch, void *ctx,
		  struct berth_error *err);

/* Feed len bytes of the archive, calling watch (may be NULL) at least every 50 ms while tar
 * is busy. Fails when watch does (tar is then killed); a tar that stopped reading is not an
 * error here (tar_finish reports it). */
int tar_feed(struct tar_child *t, const void *buf, size_t len, tar_watch_fn watch, void *ctx,
	     struct berth_error *err);

/* End of archive: wait for tar (calling watch as tar_feed does) and fail with tar's last
 * lines, naming what, unless it extracted everything. */
int tar_finish(struct tar_child *t, const char *what, tar_watch_fn watch, void *ctx,
	       struct berth_error *err);

/* Kill tar if it still runs, reap it and close its fds (after tar_finish too). */
void tar_stop(struct tar_child *t);

/* Extract tarball (a file berthd opens) into the existing empty directory dir with owners
 * (numeric), modes and xattrs kept. GNU tar refuses members with ".." and never writes
 * through a symlink the archive made; any error of tar fails the whole extraction with
 * tar's own words. progress counts the archive's bytes read. */
int tar_extract(const char *tarball, const char *dir, progress_fn progress, void *ctx,
		struct berth_error *err);

/* tar_extract() of the open file fd (what names it), calling watch (may be NULL) at least
 * every 50 ms while tar works: non-zero stops it. */
int tar_extract_fd(int fd, const char *what, const char *dir, progress_fn progress, void *ctx,
		   tar_watch_fn watch, void *wctx, struct berth_error *err);

#endif
