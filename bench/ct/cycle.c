/* cycle.c - bench helper for bench/ct/run: N cycles of create -> start -> exit -> delete
 * of one bundle with one OCI runtime, timed here in C so that the harness adds a few
 * posix_spawns to a cycle, not a Python fork each (which cost more than berth-ct itself).
 *
 *   cycle RUNTIME ROOT BUNDLE N      prints "MICROSECONDS PEAK_RSS_KIB" per cycle
 *   cycle --spawn-only N             the harness alone: three spawns of /bin/true a cycle
 *
 * This process is a child subreaper, so the container's process (whose parent, `create`,
 * exits) is reparented here and the cycle waits for its real exit. The peak RSS is the
 * largest ru_maxrss of the cycle's runtime processes. */
#include <errno.h>
#include <fcntl.h>
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
	fprintf(stderr, "cycle: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* Run argv with stdin/stdout on /dev/null; return its peak RSS in KiB, exit on failure. */
static long run(char **argv)
{
	posix_spawn_file_actions_t fa;
	struct rusage ru;
	int status;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	errno = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (errno)
		die(argv[0]);
	if (wait4(pid, &status, 0, &ru) < 0)
		die("wait4");
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "cycle: failed (status %#x): %s %s\n", status, argv[0], argv[3]);
		exit(1);
	}
	return ru.ru_maxrss;
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

int main(int argc, char **argv)
{
	char id[32], pidfile[4096];
	int i, n;

	if (argc == 3 && !strcmp(argv[1], "--spawn-only")) {
		char *t[] = { "/bin/true", "-", "-", "-", NULL };

		n = atoi(argv[2]);
		for (i = 0; i < n; i++) {
			double t0 = now_us();
			long rss = max_l(max_l(run(t), run(t)), run(t));

			printf("%.0f %ld\n", now_us() - t0, rss);
		}
		return 0;
	}
	if (argc != 5 || (n = atoi(argv[4])) <= 0) {
		fprintf(stderr, "usage: cycle RUNTIME ROOT BUNDLE N | cycle --spawn-only N\n");
		return 2;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		die("PR_SET_CHILD_SUBREAPER");
	for (i = 0; i < n; i++) {
		char *create[] = { argv[1], "--root", argv[2], "create", "--bundle", argv[3], "--pid-file", pidfile, id, NULL };
		char *start[] = { argv[1], "--root", argv[2], "start", id, NULL };
		char *del[] = { argv[1], "--root", argv[2], "delete", id, NULL };
		double t0;
		long rss;

		snprintf(id, sizeof(id), "bench%d", i);
		snprintf(pidfile, sizeof(pidfile), "%s/%s.pid", argv[2], id);
		t0 = now_us();
		rss = run(create);
		pid_t ct = read_pid(pidfile);
		rss = max_l(rss, run(start));
		if (waitpid(ct, NULL, 0) < 0)
			die("waitpid (the container)");
		rss = max_l(rss, run(del));
		printf("%.0f %ld\n", now_us() - t0, rss);
		fflush(stdout);
	}
	return 0;
}
