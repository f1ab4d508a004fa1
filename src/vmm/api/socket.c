/* socket.c - creating and removing the API socket's file.
 *
 * A VMM that died without cleaning up leaves its socket file behind; the next VMM given the
 * same path takes it over, but only after a connect() shows nobody listens on it, so two
 * VMMs never share (or steal) one control socket. */
#include "socket.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/cleanup.h"

#define API_BACKLOG 16

static int fill_addr(const char *path, struct sockaddr_un *addr, struct berth_error *err)
{
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	if (!*path || strlen(path) >= sizeof(addr->sun_path))
		return berr(err, 0, "--api-sock '%s': a socket path must be 1 to %zu bytes long", path,
			    sizeof(addr->sun_path) - 1);
	memcpy(addr->sun_path, path, strlen(path) + 1);
	return 0;
}

/* Make way for the socket: nothing there, or a stale socket file (removed). */
static int clear_stale(const char *path, const struct sockaddr_un *addr, struct berth_error *err)
{
	_cleanup_close_ int probe = -1;
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : berr(err, errno, "--api-sock: cannot look at %s", path);
	if (!S_ISSOCK(st.st_mode))
		return berr(err, 0, "--api-sock: %s exists and is not a socket; give another path", path);
	/* Non-blocking: a live VMM with a full backlog answers EAGAIN instead of stalling us. */
	probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (probe < 0)
		return berr(err, errno, "socket");
	if (connect(probe, (const struct sockaddr *)addr, sizeof(*addr)) == 0)
		return berr(err, 0, "another VMM owns %s: it is listening on that socket (stop it or give another path)",
			    path);
	if (errno != ECONNREFUSED)
		return berr(err, errno, "--api-sock: cannot tell whether %s is in use", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return berr(err, errno, "--api-sock: cannot remove the stale socket %s", path);
	return 0;
}

int api_socket_listen(const char *path, struct api_socket_file *file, struct berth_error *err)
{
	_cleanup_close_ int fd = -1;
	struct sockaddr_un addr;
	struct stat st;
	mode_t old;
	int r;

	if (fill_addr(path, &addr, err) || clear_stale(path, &addr, err))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return berr(err, errno, "socket");
	/* The umask makes the file 0600 from its first moment (no window before a chmod); this
	 * runs before any other thread exists, so changing the process's umask is safe. */
	old = umask(0177);
	r = bind(fd, (const struct sockaddr *)&addr, sizeof(addr));
	umask(old);
	if (r < 0)
		return berr(err, errno, "--api-sock: cannot create the socket %s", path);
	if (lstat(path, &st) < 0 || listen(fd, API_BACKLOG) < 0) {
		r = errno;
		unlink(path);
		return berr(err, r, "--api-sock: cannot listen on %s", path);
	}
	file->dev = st.st_dev;
	file->ino = st.st_ino;
	return steal_fd(&fd);
}

void api_socket_remove(const char *path, const struct api_socket_file *file)
{
	struct stat st;

	if (lstat(path, &st) == 0 && st.st_dev == file->dev && st.st_ino == file->ino)
		unlink(path);
}
