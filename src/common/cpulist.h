/* cpulist.h - sets of CPUs in the kernel's list format ("0-3,8,10-11"), as cpuset.cpus and
 * /sys/devices/system/cpu/online write them. CPUs 0..CPU_SETSIZE-1 only. */
#ifndef BERTH_COMMON_CPULIST_H
#define BERTH_COMMON_CPULIST_H

#include <sched.h>
#include <stddef.h>

/* Parse list ("" is the empty set) into set; -1 on junk, a reversed range or a CPU past
 * CPU_SETSIZE. */
int cpulist_parse(const char *list, cpu_set_t *set);

/* Write set as a list ("0-1,3") into buf; -1 when it does not fit. */
int cpulist_format(const cpu_set_t *set, char *buf, size_t len);

#endif
