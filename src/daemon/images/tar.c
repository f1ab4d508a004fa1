/* tar.c - GNU tar as a child: berthd feeds the archive through a socket (so it can count
 * the bytes, watch the disk while tar writes, and tar never opens a customer's path
 * itself) and keeps tar's stderr in a memfd to quote it when tar fails. */
#include "daemon/images/tar.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "daemon/images/copy_data.h"
#include "daemon/servers/spawn.h"

#define FEED_CHUNK (1u << 20)
#define WATCH_MS   50
/* What may wait in the socket for tar: little, so that a compressed archive cannot expand
 * much on disk between two looks of the watch. */
#define TAR_SOCK_BUF (32 * 1024)

int tar_detect(const void *head, size_t len, const char *what, const char **flag,
	       struct berth_error *err)
{
	static const struct {
		const char *magic;
		size_t len;
		const char *flag;
	} kinds[] = {
		{ "\x1f\x8b", 2, "--gzip" },
		{ "BZh", 3, "--bzip2" },
		{ "\xfd\x37\x7a\x58\x5a\x00", 6, "--xz" },
		{ "\x28\xb5\x2f\xfd", 4, "--zstd" },
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (len >= kinds[i].len && !memcmp(head, kinds[i].magic, kinds[i].len)) {
			*flag = kinds[i].flag;
			return 0;
		}
	}
	/* A POSIX or GNU tar header has "ustar" at offset 257. */
	if (len >= TAR_HEAD && !memcmp((const char *)head + 257, "ustar", 5)) {
		*flag = "";
		return 0;
	}
	return refuse(err, EINVAL, "%s is not a tar archive (plain, gzip, bzip2, xz or zstd)",
		      what);
}

/* The last lines of what tar wrote to stderr (the memfd fd), joined with "; ". */
static void tar_complaint(int fd, char *out, size_t size)
{
	char buf[400];
	off_t end = lseek(fd, 0, SEEK_END);
	off_t start = end > (off_t)sizeof(buf) - 1 ? end - (off_t)sizeof(buf) + 1 : 0;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, start);
	char *p;

	if (n <= 0) {
		snprintf(out, size, "no message");
		return;
	}
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	p = start ? strchr(buf, '\n') : NULL; /* drop a cut first line */
	p = p ? p + 1 : buf;
	for (char *c = p; *c; c++)
		if (*c == '\n')
			*c = ';';
	snprintf(out, size, "%s", p);
}

int tar_start(struct tar_child *t, const char *dir, const char *flag, bool keep_owners,
	      struct berth_error *err)
{
	char *owners[] = { "--numeric-owner", "--same-owner",	    "--preserve-permissions",
			   "--xattrs",	      "--xattrs-include=*", NULL };
	char *plain[] = { "--no-same-owner", "--no-same-permissions", "--no-xattrs", NULL };
	/* Records of 128 KiB, each read whole from the socket: tar's default 10 KiB reads cost
	 * a wake-up each, four times the time of the extraction where those are dear (the
	 * test rig's nested KVM). */
	char *argv[16] = { "tar",
			   "--extract",
			   "--file=-",
			   "--directory",
			   (char *)dir,
			   "--blocking-factor=256",
			   "--read-full-records" };
	char *envp[] = { "LC_ALL=C", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	char **opts = keep_owners ? owners : plain;
	int sv[2], buf = TAR_SOCK_BUF, rc;
	size_t n = 7;

	for (size_t i = 0; opts[i]; i++)
		argv[n++] = opts[i];
	if (flag[0])
		argv[n++] = (char *)flag;
	argv[n] = NULL;
	*t = (struct tar_child){ .in = -1 };
	t->errfd = memfd_create("tar-stderr", MFD_CLOEXEC);
	if (t->errfd < 0)
		return berr(err, errno, "cannot run tar");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		rc = berr(err, errno, "cannot run tar");
		close(t->errfd);
		return rc;
	}
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	rc = spawn_child(argv, envp, &(struct spawn_fds){ sv[1], -1, t->errfd }, false, &t->pid,
			 err);
	close(sv[1]);
	if (rc) {
		close(sv[0]);
		close(t->errfd);
		return berr_wrap(err, "cannot run tar (is GNU tar installed?)");
	}
	t->in = sv[0];
	return 0;
}

/* Is it time to look at the bound again (every WATCH_MS)? */
static bool watch_due(struct tar_child *t)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	if (ms - t->watched < WATCH_MS)
		return false;
	t->watched = ms;
	return true;
}

ssize_t tar_offer(struct tar_child *t, const void *buf, size_t len, tar_watch_fn watch, void *ctx,
		  struct berth_error *err)
{
	const char *p = buf;
	size_t took = 0;
	ssize_t sent;

	if (watch && watch_due(t) && watch(ctx, err)) {
		tar_stop(t);
		return -1;
	}
	while (took < len && !t->failed) {
		sent = send(t->in, p + took, len - took, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (sent < 0 && errno == EINTR)
			continue;
		if (sent < 0 && errno == EAGAIN)
			break;	/* full */
		if (sent < 0) { /* tar stopped reading: its status says why */
			t->failed = true;
			break;
		}
		took += (size_t)sent;
	}
	return (ssize_t)took;
}

int tar_feed(struct tar_child *t, const void *buf, size_t len, tar_watch_fn watch, void *ctx,
	     struct berth_error *err)
{
	const char *p = buf;
	struct pollfd pfd = { .fd = t->in, .events = POLLOUT };
	ssize_t n;

	while (len && !t->failed) {
		n = tar_offer(t, p, len, watch, ctx, err);
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
		if (len && !t->failed)
			poll(&pfd, 1, WATCH_MS); /* until it takes more, or the watch is due */
	}
	return 0;
}

int tar_finish(struct tar_child *t, const char *what, tar_watch_fn watch, void *ctx,
	       struct berth_error *err)
{
	struct timespec nap = { 0, WATCH_MS * 1000000L };
	char why[400];
	int status;
	pid_t r;

	if (t->in >= 0)
		close(t->in); /* end of archive */
	t->in = -1;
	while ((r = waitpid(t->pid, &status, WNOHANG)) == 0 || (r < 0 && errno == EINTR)) {
		if (watch && watch(ctx, err)) {
			tar_stop(t);
			return -1;
		}
		nanosleep(&nap, NULL);
	}
	if (r < 0)
		return berr(err, errno, "cannot wait for tar extracting %s", what);
	t->pid = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	tar_complaint(t->errfd, why, sizeof(why));
	if (WIFSIGNALED(status))
		return berr(err, 0, "tar was killed by signal %d extracting %s: %s",
			    WTERMSIG(status), what, why);
	return berr(err, 0, "cannot extract %s (tar exit %d): %s", what, WEXITSTATUS(status), why);
}

void tar_stop(struct tar_child *t)
{
	if (t->in >= 0)
		close(t->in);
	t->in = -1;
	if (t->pid > 0) {
		kill(t->pid, SIGKILL);
		while (waitpid(t->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	t->pid = 0;
	if (t->errfd >= 0)
		close(t->errfd);
	t->errfd = -1;
}

int tar_extract_fd(int fd, const char *what, const char *dir, progress_fn progress, void *ctx,
		   tar_watch_fn watch, void *wctx, struct berth_error *err)
{
	_cleanup_free_ char *buf = malloc(FEED_CHUNK);
	struct copy_progress p;
	struct tar_child t;
	const char *flag;
	struct stat st;
	ssize_t n;
	int rc = 0;

	if (!buf)
		return berr(err, ENOMEM, "cannot extract %s", what);
	if (fstat(fd, &st) < 0)
		return berr(err, errno, "cannot stat %s", what);
	if (!S_ISREG(st.st_mode))
		return berr(err, 0, "%s is not a regular file", what);
	n = pread(fd, buf, TAR_HEAD, 0);
	if (n < 0)
		return berr(err, errno, "cannot read %s", what);
	if (tar_detect(buf, (size_t)n, what, &flag, err) || tar_start(&t, dir, flag, true, err))
		return -1;
	copy_progress_init(&p, st.st_size, progress, ctx);
	while (rc == 0 && !t.failed && (n = pread(fd, buf, FEED_CHUNK, (off_t)p.done)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rc = berr(err, errno, "cannot read %s", what);
		else if ((rc = tar_feed(&t, buf, (size_t)n, watch, wctx, err)) == 0)
			copy_progress_add(&p, (uint64_t)n);
	}
	if (rc == 0)
		rc = tar_finish(&t, what, watch, wctx, err);
	tar_stop(&t);
	return rc;
}

int tar_extract(const char *tarball, const char *dir, progress_fn progress, void *ctx,
		struct berth_error *err)
{
	_cleanup_close_ int fd = open(tarball, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return berr(err, errno, "cannot open %s", tarball);
	return tar_extract_fd(fd, tarball, dir, progress, ctx, NULL, NULL, err);
}
