/* sysctl.h - which linux.sysctl keys a container may set: only those of a kernel
 * namespace the container has of its own, so that none reaches the host (runc's rule). */
#ifndef BERTH_CT_SYSCTL_H
#define BERTH_CT_SYSCTL_H

#include "common/error.h"
#include "ct/config.h"

/* The CLONE_NEW* type of the namespace a sysctl key belongs to (ipc, network or uts), or
 * 0 when the key is not in a separate kernel namespace. */
int sysctl_namespace(const char *key);

/* Refuse a linux.sysctl key whose namespace is missing from the config or is the runtime's
 * own namespace joined by path. */
int sysctl_check(const struct ct_config *c, struct berth_error *err);

#endif
