/* proc.h - a server's process (a VMM or a container's init), which is not berthd's child,
 * held by a pidfd: once opened and checked to be the server's, a later signal or wait can
 * never hit another process that reused the pid. */
#ifndef BERTH_DAEMON_PROC_H
#define BERTH_DAEMON_PROC_H

#include <stdbool.h>

/* A pidfd for pid, or -1 (errno ESRCH when it is gone). */
int proc_open(long pid);

/* Wait up to timeout_ms for the process behind pidfd to exit; true once it has. */
bool proc_wait(int pidfd, int timeout_ms);

/* Send sig to the process behind pidfd; 0, or -1 with errno (ESRCH: already gone). */
int proc_signal(int pidfd, int sig);

/* Milliseconds of CLOCK_MONOTONIC, for deadlines. */
long proc_now_ms(void);

#endif
