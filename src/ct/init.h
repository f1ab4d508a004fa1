/* init.h - the cloned container process: from namespaces to execve of process.args. */
#ifndef BERTH_CT_INIT_H
#define BERTH_CT_INIT_H

#include "ct/cgroup.h"
#include "ct/config.h"

struct init_args {
	const struct ct_config *c;
	const char *bundle;
	struct cgroup *cg;
	int sync_fd;	  /* child end of the sync socketpair */
	int fifo_fd;	  /* exec.fifo, read when `start` writes to it */
	int console_fd;	  /* connected console socket, or -1 */
	int preserve_fds; /* fds 3..3+N-1 stay open across execve */
};

/* Run in the child of clone(): set the container up, report READY, wait for start,
 * exec. Failures before READY go to the parent over sync_fd. Never returns. */
__attribute__((noreturn)) void init_main(const struct init_args *a);

#endif
