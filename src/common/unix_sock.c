/* unix_sock.c - connecting to a Unix socket by path; creating and removing a listening
 * socket's file.
 *
 * A process that died without cleaning up leaves its socket file behind; the next one given
 * the same path takes it over, but only after a connect() shows nobody listens on it, so two
 * processes never share (or steal) one socket. */
#include "unix_sock.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/cleanup.h"

#define LISTEN_BACKLOG 64

static int fill_addr(const char *path, const char *what, struct sockaddr_un *addr,
		     struct berth_error *err)
{
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	if (!*path || strlen(path) >= sizeof(addr->sun_path)) {
		return refuse(err, *path ? ENAMETOOLONG : EINVAL,
			      "%s '%s': a socket path must be 1 to %zu bytes long", what, path,
			      sizeof(addr->sun_path) - 1);
	}
	memcpy(addr->sun_path, path, strlen(path) + 1);
	return 0;
}

int unix_connect(const char *path, int flags, struct berth_error *err)
{
	_cleanup_close_ int fd = -1;
	struct sockaddr_un addr;

	if (fill_addr(path, "socket", &addr, err))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);
	if (fd < 0)
		return berr(err, errno, "socket");
	if (connect(fd, (const struct sockaddr *)&addr, sizeof(addr)) < 0)
		return berr(err, errno, "connect to %s", path);
	return steal_fd(&fd);
}

/* Make way for the socket: nothing there, or a stale socket file (removed). */
static int clear_stale(const char *path, const char *what, struct berth_error *err)
{
	struct stat st;
	int probe;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : berr(err, errno, "%s: cannot look at %s", what, path);
	if (!S_ISSOCK(st.st_mode))
		return berr(err, 0, "%s: %s exists and is not a socket; give another path", what,
			    path);
	/* Non-blocking: a live owner with a full backlog answers EAGAIN instead of stalling us. */
	probe = unix_connect(path, SOCK_NONBLOCK, err);
	if (probe >= 0) {
		close(probe);
		return berr(err, 0,
			    "%s: another process listens on %s (stop it or give another path)",
			    what, path);
	}
	if (err->errnum != ECONNREFUSED)
		return berr(err, err->errnum, "%s: cannot tell whether %s is in use", what, path);
	if (unlink(path) < 0 && errno != ENOENT)
		return berr(err, errno, "%s: cannot remove the stale socket %s", what, path);
	return 0;
}

int unix_listen(const char *path, mode_t mode, const char *what, struct unix_listen_file *file,
		struct berth_error *err)
{
	_cleanup_close_ int fd = -1;
	struct sockaddr_un addr;
	struct stat st;
	int r;

	if (fill_addr(path, what, &addr, err) || clear_stale(path, what, err))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return berr(err, errno, "socket");
	/* Thread-safe, without touching the umask: Linux gives the file the socket inode's mode
	 * less the umask, so the fchmod before bind keeps it from ever being wider than mode;
	 * the chmod after it restores bits the umask took. */
	if (fchmod(fd, mode) < 0)
		return berr(err, errno, "%s: socket mode", what);
	if (bind(fd, (const struct sockaddr *)&addr, sizeof(addr)) < 0)
		return berr(err, errno, "%s: cannot create the socket %s", what, path);
	if (chmod(path, mode) < 0) {
		r = errno;
		unlink(path);
		return berr(err, r, "%s: cannot set the mode of %s", what, path);
	}
	if (lstat(path, &st) < 0 || listen(fd, LISTEN_BACKLOG) < 0) {
		r = errno;
		unlink(path);
		return berr(err, r, "%s: cannot listen on %s", what, path);
	}
	file->dev = st.st_dev;
	file->ino = st.st_ino;
	return steal_fd(&fd);
}

int unix_listen_inherited(int fd, const char *what, struct unix_listen_file *file,
			  struct berth_error *err)
{
	int domain = 0, type = 0, listening = 0, flags;
	socklen_t len = sizeof(int);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0)
		return berr(err, errno, "%s: fd %d is not a socket", what, fd);
	if (domain != AF_UNIX || type != SOCK_STREAM || !listening)
		return berr(err, 0, "%s: fd %d is not a listening Unix stream socket", what, fd);
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return berr(err, errno, "%s: fd %d", what, fd);
	memset(file, 0, sizeof(*file));
	return fd;
}

void unix_listen_remove(const char *path, const struct unix_listen_file *file)
{
	struct stat st;

	if (!file->ino)
		return; /* inherited: not ours to remove */
	if (lstat(path, &st) == 0 && st.st_dev == file->dev && st.st_ino == file->ino)
		unlink(path);
}
