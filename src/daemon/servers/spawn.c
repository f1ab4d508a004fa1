/* spawn.c - starting berth-vmm and berth-ct from a threaded daemon.
 *
 * Short commands go through posix_spawn (vfork-like, safe with threads). A detached server
 * process needs a double fork so that init, not berthd, becomes its parent: it must outlive
 * berthd and must never linger as berthd's zombie (which kill(pid, 0) would call alive).
 * Between fork and exec the children only make async-signal-safe calls. */
#include "daemon/servers/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "daemon/servers/jail.h"
#include "daemon/servers/proc.h"

extern char **environ;

/* What the children of spawn_detached tell the parent through the pipe. */
struct spawn_msg {
	enum { MSG_PID, MSG_FORK_FAILED, MSG_CGROUP_FAILED, MSG_EXEC_FAILED, MSG_JAIL_FAILED } kind;
	int value; /* the pid or the errno */
	int step;  /* MSG_JAIL_FAILED: the jail_step */
};

/* open() with the result at fd 3 or above, so that it cannot collide with stdio. */
static int open_high(const char *path, int flags, mode_t mode)
{
	int fd = open(path, flags | O_CLOEXEC, mode), high;

	if (fd < 0 || fd > 2)
		return fd;
	high = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return high;
}

static int open_log(const char *path, struct berth_error *err)
{
	/* never through a link: a jailed VMM may write in the log's directory */
	int fd = open_high(path, O_WRONLY | O_CREAT | O_APPEND | O_NOCTTY | O_NOFOLLOW, 0600);

	if (fd < 0)
		return berr(err, errno, "open log file `%s`", path);
	return fd;
}

static void child_send_step(int fd, int kind, int value, int step)
{
	struct spawn_msg m = { .kind = kind, .value = value, .step = step };

	(void)!write(fd, &m, sizeof(m));
}

static void child_send(int fd, int kind, int value)
{
	child_send_step(fd, kind, value, 0);
}

/* The grandchild joins its cgroup before anything else: writing 0 to a cgroup.procs moves
 * the writer, and nothing it runs after (the program, its threads) is ever outside. */
static int child_enter_cgroup(const struct spawn_cgroup *cg)
{
	size_t i;

	for (i = 0; cg && i < cg->n; i++)
		if (write(cg->procs_fd[i], "0", 1) != 1)
			return -1;
	return 0;
}

/* The grandchild: stdio, default signals, no inherited fds, its jail (unless NULL), exec.
 * Never returns. */
static void __attribute__((noreturn))
child_exec(char *const argv[], int in_fd, int log_fd, int msg_fd, const struct jail *jail)
{
	enum jail_step step;

	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;
	int sig;

	if (dup2(in_fd, 0) < 0 || dup2(log_fd, 1) < 0 || dup2(log_fd, 2) < 0) {
		child_send(msg_fd, MSG_EXEC_FAILED, errno);
		_exit(127);
	}
	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL); /* fails harmlessly for SIGKILL, SIGSTOP, gaps */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	close_range(3, ~0U, CLOSE_RANGE_CLOEXEC); /* msg_fd must stay open until exec */
	if (jail && (step = jail_enter(jail)) != JAIL_OK) {
		child_send_step(msg_fd, MSG_JAIL_FAILED, errno, step);
		_exit(127);
	}
	execve(jail ? jail->exec_path : argv[0], argv, environ);
	child_send(msg_fd, MSG_EXEC_FAILED, errno);
	_exit(127);
}

/* spawn_detached_into(), in jail unless it is NULL. */
static int detach(char *const argv[], int in_fd, const struct spawn_cgroup *cg,
		  const char *log_path, const struct jail *jail, long *pid, struct berth_error *err)
{
	_cleanup_close_ int log_fd = -1, null_fd = -1;
	struct spawn_msg m;
	int pipe_fd[2], status;
	bool failed = false;
	long got = 0;
	pid_t child;
	ssize_t n;

	log_fd = open_log(log_path, err);
	if (log_fd < 0)
		return -1;
	null_fd = in_fd >= 0 ? -1 : open_high("/dev/null", O_RDONLY, 0);
	if (in_fd < 0 && null_fd < 0)
		return berr(err, errno, "open /dev/null");
	if (pipe2(pipe_fd, O_CLOEXEC) < 0)
		return berr(err, errno, "pipe");
	child = fork();
	if (child < 0) {
		close(pipe_fd[0]);
		close(pipe_fd[1]);
		return berr(err, errno, "fork for `%s`", argv[0]);
	}
	if (child == 0) {
		pid_t g;

		close(pipe_fd[0]);
		/* above the jail's console fd, which jail_enter puts at its fixed number */
		if (jail && pipe_fd[1] <= JAIL_CONSOLE_FD) {
			int high = fcntl(pipe_fd[1], F_DUPFD_CLOEXEC, JAIL_CONSOLE_FD + 1);

			if (high < 0) {
				child_send(pipe_fd[1], MSG_FORK_FAILED, errno);
				_exit(1);
			}
			pipe_fd[1] = high;
		}
		setsid();
		g = jail ? jail_clone() : fork();
		if (g < 0)
			child_send(pipe_fd[1], MSG_FORK_FAILED, errno);
		else if (g > 0)
			child_send(pipe_fd[1], MSG_PID, g);
		else if (child_enter_cgroup(cg) < 0)
			child_send(pipe_fd[1], MSG_CGROUP_FAILED, errno);
		else
			child_exec(argv, in_fd >= 0 ? in_fd : null_fd, log_fd, pipe_fd[1], jail);
		_exit(g <= 0);
	}
	close(pipe_fd[1]);
	/* EOF comes once the middle child has exited and the grandchild has exec'd. */
	while ((n = read(pipe_fd[0], &m, sizeof(m))) == sizeof(m) || (n < 0 && errno == EINTR)) {
		if (n < 0)
			continue;
		if (m.kind == MSG_PID)
			got = m.value;
		else if (m.kind == MSG_JAIL_FAILED)
			berr(err, m.value, "jail `%s`: cannot %s", argv[0],
			     jail_step_name((enum jail_step)m.step));
		else
			berr(err, m.value, "%s `%s`",
			     m.kind == MSG_FORK_FAILED	   ? "fork for"
			     : m.kind == MSG_CGROUP_FAILED ? "enter the cgroup of"
							   : "execute",
			     argv[0]);
		/* the grandchild's failure may come before the middle child's MSG_PID */
		if (m.kind != MSG_PID)
			failed = true;
	}
	close(pipe_fd[0]);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (failed)
		return -1;
	if (got == 0)
		return berr(err, 0, "start `%s`: its launcher died before it started", argv[0]);
	*pid = got;
	return 0;
}

int spawn_detached_into(char *const argv[], int in_fd, const struct spawn_cgroup *cg,
			const char *log_path, long *pid, struct berth_error *err)
{
	return detach(argv, in_fd, cg, log_path, NULL, pid, err);
}

int spawn_detached_in(char *const argv[], int in_fd, const char *log_path, long *pid,
		      struct berth_error *err)
{
	return detach(argv, in_fd, NULL, log_path, NULL, pid, err);
}

int spawn_detached(char *const argv[], const char *log_path, long *pid, struct berth_error *err)
{
	return detach(argv, -1, NULL, log_path, NULL, pid, err);
}

int spawn_jailed(char *const argv[], const struct spawn_cgroup *cg, const char *log_path,
		 const struct jail *jail, long *pid, struct berth_error *err)
{
	return detach(argv, -1, cg, log_path, jail, pid, err);
}

/* Append what is readable now on fd to out (at *len, keeping one byte for the NUL). */
static void drain(int fd, char *out, size_t out_size, size_t *len)
{
	char sink[512];
	ssize_t n;

	for (;;) {
		if (out && *len + 1 < out_size)
			n = read(fd, out + *len, out_size - 1 - *len);
		else
			n = read(fd, sink, sizeof(sink));
		if (n <= 0)
			return;
		if (out && *len + 1 < out_size)
			*len += (size_t)n;
	}
}

/* Put fd on the child's standard fd std, or /dev/null (opened with flags) when fd is -1. */
static void spawn_wire(posix_spawn_file_actions_t *fa, int fd, int std, int flags)
{
	if (fd < 0)
		posix_spawn_file_actions_addopen(fa, std, "/dev/null", flags, 0);
	else
		posix_spawn_file_actions_adddup2(fa, fd, std);
}

int spawn_child(char *const argv[], char *const envp[], const struct spawn_fds *fds, bool setsid,
		pid_t *pid, struct berth_error *err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int rc;

	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	spawn_wire(&fa, fds->in, 0, O_RDONLY);
	spawn_wire(&fa, fds->out, 1, O_WRONLY);
	spawn_wire(&fa, fds->err, 2, O_WRONLY);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	/* The daemon's threads may block or ignore signals (SIGPIPE): the child starts clean. */
	posix_spawnattr_setflags(&attr, (setsid ? POSIX_SPAWN_SETSID : 0) | POSIX_SPAWN_SETSIGMASK |
					    POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	rc = posix_spawnp(pid, argv[0], &fa, &attr, argv, envp ? envp : environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0)
		return berr(err, rc, "execute `%s`", argv[0]);
	return 0;
}

/* Wait for our child pid; an error if it cannot be waited for (SIGCHLD ignored). */
static int reap(pid_t pid, int *status, const char *prog, struct berth_error *err)
{
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return berr(err, errno, "wait for `%s`", prog);
	return 0;
}

/* Kill our child pid and reap it; returns -1 for the caller's error. */
static int kill_child(pid_t pid, int *status)
{
	struct berth_error ignored;

	kill(pid, SIGKILL);
	reap(pid, status, "", &ignored);
	return -1;
}

int spawn_run(char *const argv[], const char *log_path, char *out, size_t out_size, int timeout_ms,
	      int *status, struct berth_error *err)
{
	_cleanup_close_ int log_fd = -1, pidfd = -1, rd = -1;
	int pipe_fd[2] = { -1, -1 }, rc;
	long deadline = proc_now_ms() + timeout_ms;
	size_t len = 0;
	pid_t pid;

	log_fd = open_log(log_path, err);
	if (log_fd < 0)
		return -1;
	if (out && pipe2(pipe_fd, O_CLOEXEC | O_NONBLOCK) < 0)
		return berr(err, errno, "pipe");
	rc = spawn_child(argv, NULL, &(struct spawn_fds){ -1, out ? pipe_fd[1] : log_fd, log_fd },
			 true, &pid, err);
	if (pipe_fd[1] >= 0)
		close(pipe_fd[1]);
	rd = pipe_fd[0];
	if (rc < 0)
		return -1;
	pidfd = pidfd_open(pid, 0);
	if (pidfd < 0) {
		berr(err, errno, "watch `%s`", argv[0]);
		return kill_child(pid, status);
	}
	for (;;) {
		struct pollfd p[2] = { { .fd = pidfd, .events = POLLIN },
				       { .fd = rd, .events = POLLIN } };
		long left = deadline - proc_now_ms();

		if (left <= 0) {
			berr(err, 0, "`%s %s` did not finish within %.1f s; killed it", argv[0],
			     argv[1] ? argv[1] : "", timeout_ms / 1000.0);
			return kill_child(pid, status);
		}
		if (poll(p, 2, (int)left) < 0 && errno != EINTR) {
			berr(err, errno, "poll");
			return kill_child(pid, status);
		}
		if (p[1].revents & POLLIN)
			drain(rd, out, out_size, &len);
		else if (p[1].revents & (POLLHUP | POLLERR)) {
			close(rd);
			rd = -1; /* poll ignores a negative fd */
		}
		if (p[0].revents & POLLIN)
			break;
	}
	if (rd >= 0)
		drain(rd, out, out_size, &len);
	if (out)
		out[len] = '\0';
	return reap(pid, status, argv[0], err);
}

long log_size(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISREG(st.st_mode) ? (long)st.st_size : 0;
}

void log_tail(const char *path, long from, char *buf, size_t size)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	long end = log_size(path), start = from;
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0 || size < 2 || end <= from)
		return;
	if (end - start > (long)size - 1)
		start = end - ((long)size - 1);
	n = pread(fd, buf, (size_t)(end - start), start);
	if (n <= 0)
		return;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
}
