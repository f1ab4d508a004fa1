/* devices.h - device nodes in the container's /dev: the OCI default set plus
 * linux.devices, made with mknod, or bind-mounted from the host in a user namespace. */
#ifndef BERTH_CT_DEVICES_H
#define BERTH_CT_DEVICES_H

#include <stdbool.h>

#include "common/error.h"
#include "ct/config.h"

/* Create the default devices, c->devices and the /dev symlinks below rootfd. */
int devices_create(const struct ct_config *c, int rootfd, bool userns, struct berth_error *err);

#endif
