/* nofile.h - raising this process's limit on open files (RLIMIT_NOFILE) to what it needs.
 *
 * The soft limit is often 1024 while the hard limit is far higher; a program that knows it
 * may need more (a VMM with user-mode networking, a daemon walking deep trees) raises its
 * soft limit itself, up to the hard one (raising that needs CAP_SYS_RESOURCE). */
#ifndef BERTH_COMMON_NOFILE_H
#define BERTH_COMMON_NOFILE_H

#include <sys/resource.h>

/* Raise the soft RLIMIT_NOFILE to want (RLIM_INFINITY: the hard limit), never above the hard
 * limit and never lower than it is; the soft limit in force afterwards. */
rlim_t nofile_raise(rlim_t want);

#endif
