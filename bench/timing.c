/* timing.c - the benchmarks' stopwatch: runs commands with posix_spawn and wait4 and prints
 * one line per run, "MICROSECONDS PEAK_RSS_KIB STATUS", so that the harness adds a spawn
 * to what it measures, not a shell, GNU time and date (3 ms) or a Python fork (5 ms a
 * container cycle, more than berth-ct itself).
 *
 *   timing run N CMD...                    N runs of CMD (any exit status; stdio /dev/null)
 *   timing until N TEXT CMD...             N runs of CMD, each timed until TEXT shows on
 *                                          CMD's stdout (a pipe; a VMM's serial console),
 *                                          then CMD is killed: STATUS 0 if TEXT showed
 *   timing oci-cycle N RUNTIME ROOT BUNDLE N cycles of create -> start -> exit -> delete
 *   timing rounds N CMD... [::: CMD...]... N rounds, each running every CMD once; round r
 *                                          starts at CMD r mod K, so that no variant always
 *                                          runs first or after the same one. A line per
 *                                          run: "INDEX MICROSECONDS PEAK_RSS_KIB STATUS
 *                                          CPU_MICROSECONDS" (INDEX: the CMD's, from 0)
 *
 * Interleaved rounds put a change of the machine's load on every variant alike; the CPU
 * time (user + system of the command and the children it waited for) beside the wall time
 * leaves out the waits, such as the kernel's grace periods, whose length is the load's.
 *
 * In oci-cycle this process is a child subreaper, so the container's process (whose
 * parent, `create`, exits) is reparented here and the cycle waits for its real exit; a
 * runtime command that fails stops it (status 1). The peak RSS is the largest ru_maxrss
 * of the runtime processes of the cycle. */
#define _GNU_SOURCE /* memmem, pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static void die(const char *what)
{
	fprintf(stderr, "timing: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* Run argv with stdin and stdout on /dev/null; its peak RSS (KiB) into *rss, its CPU time
 * (us, user + system) into *cpu_us if not NULL, its wait status returned. */
static int spawn_wait(char **argv, long *rss, double *cpu_us)
{
	posix_spawn_file_actions_t fa;
	struct rusage ru;
	int status;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	errno = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (errno)
		die(argv[0]);
	if (wait4(pid, &status, 0, &ru) < 0)
		die("wait4");
	*rss = ru.ru_maxrss;
	if (cpu_us)
		*cpu_us = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 + ru.ru_utime.tv_usec +
			  ru.ru_stime.tv_usec;
	return status;
}

/* A runtime command of a cycle: its peak RSS; exits unless it succeeded. */
static long run_ok(char **argv)
{
	long rss;
	int status = spawn_wait(argv, &rss, NULL);

	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "timing: failed (wait status %#x): %s %s\n", status, argv[0],
			argv[3]);
		exit(1);
	}
	return rss;
}

static long max_l(long a, long b)
{
	return a > b ? a : b;
}

/* The container's pid from the runtime's --pid-file. */
static pid_t read_pid(const char *path)
{
	FILE *f = fopen(path, "r");
	long pid = 0;

	if (!f || fscanf(f, "%ld", &pid) != 1 || pid <= 0)
		die(path);
	fclose(f);
	return (pid_t)pid;
}

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

/* A wait status as a shell shows it: the exit code, or 128 + the signal. */
static int exit_code(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void run_many(int n, char **argv)
{
	int i;

	for (i = 0; i < n; i++) {
		double t0 = now_us();
		long rss;
		int status = spawn_wait(argv, &rss, NULL);

		printf("%.0f %ld %d\n", now_us() - t0, rss, exit_code(status));
		fflush(stdout);
	}
}

#define MAX_VARIANTS 32

/* N rounds of the commands in argv, separated by ":::" (each one's ":::" becomes its end). */
static int run_rounds(int n, char **argv)
{
	char **cmd[MAX_VARIANTS];
	int k = 0, r, i;

	cmd[k++] = argv;
	for (; *argv; argv++)
		if (!strcmp(*argv, ":::")) {
			if (k == MAX_VARIANTS || !argv[1])
				return -1;
			*argv = NULL;
			cmd[k++] = argv + 1;
		}
	for (i = 0; i < k; i++)
		if (!cmd[i][0])
			return -1; /* an empty command: "::: :::" */
	for (r = 0; r < n; r++)
		for (i = 0; i < k; i++) {
			int v = (r + i) % k, status;
			double t0 = now_us(), cpu;
			long rss;

			status = spawn_wait(cmd[v], &rss, &cpu);
			printf("%d %.0f %ld %d %.0f\n", v, now_us() - t0, rss, exit_code(status), cpu);
			fflush(stdout);
		}
	return 0;
}

/* The longest a run of "until" waits for its text: a guest that hangs fails its run. */
#define UNTIL_LIMIT_MS (600 * 1000)

/* Whether TEXT shows in what fd (CMD's stdout) says before it closes or the time limit.
 * Text split across reads is found: the last strlen(TEXT)-1 bytes are kept in front. */
static int wait_for_text(int fd, const char *text, double t0)
{
	size_t n = strlen(text), kept = 0;
	char buf[65536 + 256];

	if (n == 0 || n > 256)
		return 0;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int left = UNTIL_LIMIT_MS - (int)((now_us() - t0) / 1000);
		ssize_t got;

		if (left <= 0 || poll(&p, 1, left) <= 0)
			return 0;
		got = read(fd, buf + kept, sizeof(buf) - 256);
		if (got <= 0)
			return 0;
		kept += (size_t)got;
		if (memmem(buf, kept, text, n))
			return 1;
		if (kept >= n) {
			memmove(buf, buf + kept - (n - 1), n - 1);
			kept = n - 1;
		}
	}
}

/* Run argv with stdout on a pipe until TEXT shows there, then kill it: one row, its
 * time being spawn to TEXT, its status 0 if TEXT showed, 1 if not. */
static void run_until(const char *text, char **argv)
{
	posix_spawn_file_actions_t fa;
	struct rusage ru;
	int pipefd[2], status, seen;
	double t0, t;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		die("pipe2");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	t0 = now_us();
	errno = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (errno)
		die(argv[0]);
	close(pipefd[1]);
	seen = wait_for_text(pipefd[0], text, t0);
	t = now_us() - t0;
	kill(pid, SIGKILL);
	close(pipefd[0]);
	if (wait4(pid, &status, 0, &ru) < 0)
		die("wait4");
	printf("%.0f %ld %d\n", t, ru.ru_maxrss, seen ? 0 : 1);
	fflush(stdout);
}

static void oci_cycles(int n, char *runtime, char *root, char *bundle)
{
	char id[32], pidfile[4096];
	int i;

	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		die("PR_SET_CHILD_SUBREAPER");
	for (i = 0; i < n; i++) {
		char *create[] = { runtime, "--root",	  root,	   "create", "--bundle",
				   bundle,  "--pid-file", pidfile, id,	     NULL };
		char *start[] = { runtime, "--root", root, "start", id, NULL };
		char *del[] = { runtime, "--root", root, "delete", id, NULL };
		double t0;
		long rss;
		pid_t ct;

		snprintf(id, sizeof(id), "bench%d", i);
		snprintf(pidfile, sizeof(pidfile), "%s/%s.pid", root, id);
		t0 = now_us();
		rss = run_ok(create);
		ct = read_pid(pidfile);
		rss = max_l(rss, run_ok(start));
		if (waitpid(ct, NULL, 0) < 0)
			die("waitpid (the container)");
		rss = max_l(rss, run_ok(del));
		printf("%.0f %ld 0\n", now_us() - t0, rss);
		fflush(stdout);
	}
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[2]) : 0;

	if (argc >= 4 && n > 0 && !strcmp(argv[1], "run"))
		run_many(n, argv + 3);
	else if (argc >= 5 && n > 0 && !strcmp(argv[1], "until"))
		while (n-- > 0)
			run_until(argv[3], argv + 4);
	else if (argc == 6 && n > 0 && !strcmp(argv[1], "oci-cycle"))
		oci_cycles(n, argv[3], argv[4], argv[5]);
	else if (!(argc >= 4 && n > 0 && !strcmp(argv[1], "rounds") && !run_rounds(n, argv + 3))) {
		fprintf(stderr,
			"usage: timing run N CMD... | timing until N TEXT CMD... |\n"
			"       timing oci-cycle N RUNTIME ROOT BUNDLE |\n"
			"       timing rounds N CMD... [::: CMD...]...\n");
		return 2;
	}
	return 0;
}
