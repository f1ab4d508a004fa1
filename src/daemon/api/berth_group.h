/* berth_group.h - who may use berthd besides root: the members of group `berth`. */
#ifndef BERTH_DAEMON_BERTH_GROUP_H
#define BERTH_DAEMON_BERTH_GROUP_H

#include "common/error.h"

/* The group's name. */
#define BERTH_GROUP "berth"

/* Give path to group berth when that group exists (looked up each time: it may come
 * later). A berthd that is not root and not in the group leaves the file its own. */
int berth_group_give(const char *path, struct berth_error *err);

#endif
