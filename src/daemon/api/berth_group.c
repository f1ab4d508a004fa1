/* berth_group.c - files that root and group berth share (see berth_group.h). */
#include "daemon/api/berth_group.h"

#include <errno.h>
#include <grp.h>
#include <unistd.h>

int berth_group_give(const char *path, struct berth_error *err)
{
	struct group *g = getgrnam(BERTH_GROUP);

	if (!g || chown(path, (uid_t)-1, g->gr_gid) == 0)
		return 0;
	if (errno == EPERM && geteuid() != 0)
		return 0;
	return berr(err, errno, "give `%s` to group %s", path, BERTH_GROUP);
}
