/* path.c - openat2(RESOLVE_IN_ROOT) walks that create what is missing. */
#include "ct/path.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"

static int open_in_root(int rootfd, const char *path)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	return (int)syscall(SYS_openat2, rootfd, path[0] ? path : ".", &how, sizeof(how));
}

/* Make the missing last component of prefix (its parent exists). */
static int make_last(int rootfd, char *prefix, bool as_file, struct berth_error *err)
{
	_cleanup_close_ int parent = -1;
	char *slash = strrchr(prefix, '/');
	const char *name = slash ? slash + 1 : prefix;
	int fd;

	if (slash)
		*slash = '\0';
	parent = open_in_root(rootfd, slash ? prefix : "");
	if (slash)
		*slash = '/';
	if (parent < 0)
		return berr(err, errno, "resolve `/%s` in the container", prefix);
	if (as_file) {
		fd = openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
			    0644);
		if (fd >= 0)
			close(fd);
	} else {
		fd = mkdirat(parent, name, 0755);
	}
	if (fd < 0 && errno != EEXIST)
		return berr(err, errno, "create `/%s` in the container", prefix);
	return 0;
}

int path_open_in_root(int rootfd, const char *path, enum path_create create,
		      struct berth_error *err)
{
	char buf[4096];
	char *p;
	int fd;

	while (*path == '/')
		path++;
	if (strlen(path) >= sizeof(buf))
		return berr(err, ENAMETOOLONG, "path `/%s`", path);
	strcpy(buf, path);
	fd = open_in_root(rootfd, buf);
	if (fd >= 0 || errno != ENOENT || create == PATH_EXISTING) {
		if (fd < 0)
			berr(err, errno, "resolve `/%s` in the container", buf);
		return fd;
	}
	/* walk down, making each missing component */
	for (p = buf;; p++) {
		bool last = !*p;

		if (*p != '/' && !last)
			continue;
		*p = '\0';
		fd = open_in_root(rootfd, buf);
		if (fd < 0 && errno == ENOENT) {
			if (make_last(rootfd, buf, last && create == PATH_MKFILE, err) < 0)
				return -1;
			fd = open_in_root(rootfd, buf);
		}
		if (fd < 0)
			return berr(err, errno, "resolve `/%s` in the container", buf);
		if (last)
			return fd;
		close(fd);
		*p = '/';
	}
}

const char *path_fd_link(int fd, char *buf, size_t len)
{
	snprintf(buf, len, "/proc/self/fd/%d", fd);
	return buf;
}
