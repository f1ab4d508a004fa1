/* proc.c - pidfds for processes berthd did not fork itself (it adopts them after a restart). */
#include "daemon/servers/proc.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/pidfd.h>
#include <time.h>

int proc_open(long pid)
{
	if (pid <= 0) {
		errno = ESRCH;
		return -1;
	}
	return pidfd_open((pid_t)pid, 0);
}

bool proc_wait(int pidfd, int timeout_ms)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	long deadline = proc_now_ms() + timeout_ms, left;

	do {
		left = deadline - proc_now_ms();
		if (poll(&p, 1, left > 0 ? (int)left : 0) > 0)
			return true;
	} while (left > 0);
	return false;
}

int proc_signal(int pidfd, int sig)
{
	return pidfd_send_signal(pidfd, sig, NULL, 0);
}

long proc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}
