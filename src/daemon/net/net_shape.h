/* net_shape.h - a container's network limit (its plan's net_bps): a tbf qdisc, through
 * libnl-route, on each end of its veth. The host's end shapes what the container receives;
 * the container's own eth0 shapes what it sends. (The classifiers and actions that would
 * police the host end's ingress instead, or redirect it to an ifb, are not in every
 * kernel; a bare tbf is.) */
#ifndef BERTH_DAEMON_NET_SHAPE_H
#define BERTH_DAEMON_NET_SHAPE_H

#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

/* The most a tbf set through libnl can take: its rate is an int of bytes a second. */
#define NET_SHAPE_BPS_MAX 2147483647ULL

/* Make a tbf of bps bytes a second (a 100 ms burst, at least 64 KiB) the root qdisc of
 * interface name: in berthd's network namespace when pid is 0, else in process pid's (by a
 * thread of its own, as net_link_veth configures a container's eth0). */
int net_shape(const char *name, pid_t pid, uint64_t bps, struct berth_error *err);

#endif
