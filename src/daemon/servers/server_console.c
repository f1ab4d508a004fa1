/* server_console.c - console sockets, keepers and exec sessions (see server_console.h).
 *
 * berthd makes the listening sockets it hands to berth-console itself (unix_listen). */
#include "daemon/servers/server_console.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/unix_sock.h"
#include "daemon/api/berth_group.h"
#include "daemon/servers/proc.h"
#include "daemon/servers/server_files.h"
#include "daemon/servers/spawn.h"

#define CONSOLE_DIR_MODE 02750
#define EXEC_ARGS_FIXED	 16 /* berth-console exec's own words, at most */

static int console_dir(const struct driver_env *e, char out[PATH_MAX], struct berth_error *err)
{
	if ((size_t)snprintf(out, PATH_MAX, "%s/console", e->state_dir) >= PATH_MAX)
		return berr(err, ENAMETOOLONG, "`%s/console`", e->state_dir);
	if (mkdir(out, CONSOLE_DIR_MODE) < 0 && errno != EEXIST)
		return berr(err, errno, "create `%s`", out);
	if (berth_group_give(out, err) < 0)
		return -1;
	if (chmod(out, CONSOLE_DIR_MODE) < 0) /* chown drops the set-group-ID bit */
		return berr(err, errno, "chmod `%s`", out);
	return 0;
}

/* A socket's path must fit sun_path, with a byte to spare for the exec session's pty
 * socket (PATH + "p"). */
static int socket_path(char out[PATH_MAX], const char *dir, const char *name, const char *suffix,
		       struct berth_error *err)
{
	size_t max = sizeof(((struct sockaddr_un *)0)->sun_path) - 2;
	int n = snprintf(out, PATH_MAX, "%s/%s%s", dir, name, suffix);

	if (n < 0 || (size_t)n > max)
		return berr(err, ENAMETOOLONG,
			    "the socket path `%s/%s%s` is longer than %zu bytes; give berthd a "
			    "shorter --state-dir",
			    dir, name, suffix, max);
	return 0;
}

int console_socket(const struct driver_env *e, const char *name, char out[PATH_MAX],
		   struct berth_error *err)
{
	char dir[PATH_MAX];

	if (console_dir(e, dir, err) < 0)
		return -1;
	return socket_path(out, dir, name, ".sock", err);
}

/* A listening socket at path (replacing a stale one), mode mode, blocking: it is handed to
 * berth-console as its stdin. */
static int listen_at(const char *path, mode_t mode, struct berth_error *err)
{
	struct unix_listen_file file;
	int fd = unix_listen(path, mode, "console", &file, err);

	if (fd >= 0 && fcntl(fd, F_SETFL, 0) < 0) {
		berr(err, errno, "socket `%s`", path);
		unix_listen_remove(path, &file);
		close(fd);
		return -1;
	}
	return fd;
}

int console_keeper_start(const struct server *s, const struct driver_env *e, char rt[PATH_MAX],
			 long *pid, struct berth_error *err)
{
	char sock[PATH_MAX], log[PATH_MAX], keeper_log[PATH_MAX], max[24];
	_cleanup_close_ int listener = -1;
	char *argv[] = {
		(char *)e->console_path, "keep", "--log", log, "--max", max, "--socket", sock, NULL
	};

	if (console_socket(e, s->name, sock, err) < 0 ||
	    socket_path(rt, s->dir, "console-rt", ".sock", err) < 0 ||
	    server_file(log, s, "console.log", err) < 0 ||
	    server_file(keeper_log, s, "ct.log", err) < 0)
		return -1;
	snprintf(max, sizeof(max), "%llu", (unsigned long long)e->console_log_max);
	listener = listen_at(rt, 0600, err);
	if (listener < 0 || spawn_detached_in(argv, listener, keeper_log, pid, err) < 0)
		return berr_wrap(err, "start the console keeper of %s", s->name);
	return 0;
}

/* Is anybody accepting on socket path? */
static bool listened(const char *path)
{
	struct berth_error err;
	int fd = unix_connect(path, SOCK_NONBLOCK, &err);

	if (fd < 0)
		return err.errnum != ECONNREFUSED;
	close(fd);
	return true;
}

/* Is pid a console keeper serving sock (`berth-console keep ... --socket sock`)? */
static bool keeper_of(long pid, const char *sock)
{
	char path[64], cmdline[8192], *arg, *end;
	_cleanup_close_ int fd = -1;
	bool keep = false;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (n = read(fd, cmdline, sizeof(cmdline) - 1)) <= 0)
		return false;
	cmdline[n] = '\0';
	end = cmdline + n;
	for (arg = cmdline; arg < end; arg += strlen(arg) + 1) {
		keep = keep || strcmp(arg, "keep") == 0;
		if (keep && strcmp(arg, "--socket") == 0 && arg + strlen(arg) + 1 < end)
			return strcmp(arg + strlen(arg) + 1, sock) == 0;
	}
	return false;
}

/* A keeper of a server that is not running waits for a runtime that never comes (berthd
 * was killed between starting it and berth-ct's create): it goes, by a pidfd taken before
 * its command line is read, so no recycled pid is hit. */
static void kill_orphan_keepers(const char *sock)
{
	DIR *proc = opendir("/proc");
	struct dirent *d;
	char *end;
	long pid;

	while (proc && (d = readdir(proc))) {
		_cleanup_close_ int pidfd = -1;

		pid = strtol(d->d_name, &end, 10);
		if (pid <= 0 || *end)
			continue;
		pidfd = proc_open(pid);
		if (pidfd >= 0 && keeper_of(pid, sock))
			proc_signal(pidfd, SIGKILL);
	}
	if (proc)
		closedir(proc);
}

void console_cleanup(const struct server *s, const struct driver_env *e)
{
	char sock[PATH_MAX];
	struct berth_error ignored;

	if (s->kind == KIND_CT && console_socket(e, s->name, sock, &ignored) == 0)
		kill_orphan_keepers(sock);

	if (console_socket(e, s->name, sock, &ignored) == 0 && access(sock, F_OK) == 0 &&
	    !listened(sock))
		unlink(sock);
	if (socket_path(sock, s->dir, "console-rt", ".sock", &ignored) == 0)
		unlink(sock);
}

/* STATE_DIR/console/NAME.exec-RANDOM.sock: nobody can guess another's session. */
static int exec_socket(const struct server *s, const struct driver_env *e, char out[PATH_MAX],
		       struct berth_error *err)
{
	char dir[PATH_MAX], suffix[32];
	unsigned char r[8];

	if (getrandom(r, sizeof(r), 0) != sizeof(r))
		return berr(err, errno, "getrandom");
	snprintf(suffix, sizeof(suffix), ".exec-%02x%02x%02x%02x%02x%02x%02x%02x.sock", r[0], r[1],
		 r[2], r[3], r[4], r[5], r[6], r[7]);
	if (console_dir(e, dir, err) < 0)
		return -1;
	return socket_path(out, dir, s->name, suffix, err);
}

static size_t count(char **v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

int console_exec_start(const struct server *s, const struct driver_env *e,
		       const struct exec_request *rq, char sock[PATH_MAX], struct berth_error *err)
{
	size_t n = 0, i, nenv = count(rq->env), ncmd = count(rq->command);
	_cleanup_free_ char **argv = calloc(EXEC_ARGS_FIXED + 2 * nenv + ncmd + 1, sizeof(char *));
	_cleanup_close_ int listener = -1;
	char root[PATH_MAX], log[PATH_MAX];
	long pid;

	if (!argv)
		return berr(err, ENOMEM, "exec in %s", s->name);
	if ((size_t)snprintf(root, sizeof(root), "%s/run", e->state_dir) >= sizeof(root))
		return berr(err, ENAMETOOLONG, "`%s/run`", e->state_dir);
	if (server_file(log, s, "ct.log", err) < 0 || exec_socket(s, e, sock, err) < 0)
		return -1;
	argv[n++] = (char *)e->console_path;
	argv[n++] = "exec";
	argv[n++] = "--socket";
	argv[n++] = sock;
	argv[n++] = "--ct";
	argv[n++] = (char *)e->ct_path;
	argv[n++] = "--root";
	argv[n++] = root;
	if (rq->tty)
		argv[n++] = "--tty";
	for (i = 0; i < nenv; i++) {
		argv[n++] = "--env";
		argv[n++] = rq->env[i];
	}
	if (rq->cwd) {
		argv[n++] = "--cwd";
		argv[n++] = (char *)rq->cwd;
	}
	argv[n++] = (char *)s->name;
	argv[n++] = "--";
	for (i = 0; i < ncmd; i++)
		argv[n++] = rq->command[i];
	listener = listen_at(sock, 0660, err);
	if (listener < 0 || spawn_detached_in(argv, listener, log, &pid, err) < 0) {
		if (listener >= 0)
			unlink(sock);
		return berr_wrap(err, "exec in %s", s->name);
	}
	return 0;
}
