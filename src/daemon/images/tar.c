/* tar.c - GNU tar as a child: berthd feeds the archive through a socket (so it can count
 * the bytes for progress and tar never opens a customer's path itself) and keeps tar's
 * stderr in a memfd to quote it when tar fails. */
#include "daemon/images/tar.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "daemon/images/copy_data.h"
#include "daemon/servers/spawn.h"

#define FEED_CHUNK (1u << 20)

int tar_detect(int fd, const char *path, const char **flag, struct berth_error *err)
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
	unsigned char head[512];
	ssize_t n = pread(fd, head, sizeof(head), 0);

	if (n < 0)
		return berr(err, errno, "cannot read %s", path);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if ((size_t)n >= kinds[i].len && !memcmp(head, kinds[i].magic, kinds[i].len)) {
			*flag = kinds[i].flag;
			return 0;
		}
	}
	/* A POSIX or GNU tar header has "ustar" at offset 257. */
	if (n == sizeof(head) && !memcmp(head + 257, "ustar", 5)) {
		*flag = "";
		return 0;
	}
	return berr(err, 0, "%s is not a tar archive (plain, gzip, bzip2, xz or zstd)", path);
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

/* Start tar reading the archive from in and writing complaints to errfd. */
static int tar_spawn(const char *dir, const char *flag, int in, int errfd, pid_t *pid,
		     struct berth_error *err)
{
	char *argv[] = { "tar",
			 "--extract",
			 "--file=-",
			 "--directory",
			 (char *)dir,
			 "--numeric-owner",
			 "--same-owner",
			 "--preserve-permissions",
			 "--xattrs",
			 "--xattrs-include=*",
			 flag[0] ? (char *)flag : NULL,
			 NULL };
	char *envp[] = { "LC_ALL=C", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };

	if (spawn_child(argv, envp, &(struct spawn_fds){ in, -1, errfd }, false, pid, err))
		return berr_wrap(err, "cannot run tar (is GNU tar installed?)");
	return 0;
}

/* Send the archive to tar; stops early (without error) when tar hangs up. */
static int tar_feed(int fd, int out, const char *tarball, struct copy_progress *p,
		    struct berth_error *err)
{
	_cleanup_free_ char *buf = malloc(FEED_CHUNK);
	ssize_t n, sent, done;

	if (!buf)
		return berr(err, ENOMEM, "cannot extract %s", tarball);
	while ((n = read(fd, buf, FEED_CHUNK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return berr(err, errno, "cannot read %s", tarball);
		for (done = 0; done < n; done += sent) {
			sent = send(out, buf + done, n - done, MSG_NOSIGNAL);
			if (sent < 0 && errno == EINTR)
				sent = 0;
			else if (sent < 0) /* tar stopped reading: its status says why */
				return 0;
		}
		copy_progress_add(p, n);
	}
	return 0;
}

int tar_extract(const char *tarball, const char *dir, progress_fn progress, void *ctx,
		struct berth_error *err)
{
	_cleanup_close_ int fd = -1, errfd = -1;
	int sv[2], status, rc;
	const char *flag;
	struct copy_progress p;
	struct stat st;
	pid_t pid;
	char why[400];

	fd = open(tarball, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return berr(err, errno, "cannot open %s", tarball);
	if (fstat(fd, &st) < 0)
		return berr(err, errno, "cannot stat %s", tarball);
	if (!S_ISREG(st.st_mode))
		return berr(err, 0, "%s is not a regular file", tarball);
	if (tar_detect(fd, tarball, &flag, err))
		return -1;
	errfd = memfd_create("tar-stderr", MFD_CLOEXEC);
	if (errfd < 0)
		return berr(err, errno, "cannot extract %s", tarball);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return berr(err, errno, "cannot extract %s", tarball);
	rc = tar_spawn(dir, flag, sv[1], errfd, &pid, err);
	close(sv[1]);
	if (rc) {
		close(sv[0]);
		return -1;
	}
	copy_progress_init(&p, st.st_size, progress, ctx);
	rc = tar_feed(fd, sv[0], tarball, &p, err);
	close(sv[0]); /* end of archive */
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return berr(err, errno, "cannot wait for tar extracting %s", tarball);
	}
	if (rc)
		return -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	tar_complaint(errfd, why, sizeof(why));
	if (WIFSIGNALED(status))
		return berr(err, 0, "tar was killed by signal %d extracting %s: %s",
			    WTERMSIG(status), tarball, why);
	return berr(err, 0, "cannot extract %s (tar exit %d): %s", tarball, WEXITSTATUS(status),
		    why);
}
