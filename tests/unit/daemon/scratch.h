/* scratch.h - a scratch directory per test for the daemon's storage tests: real files in
 * /tmp, mounts a failed test left taken down and everything removed afterwards. */
#ifndef BERTH_TESTS_DAEMON_SCRATCH_H
#define BERTH_TESTS_DAEMON_SCRATCH_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[64]; /* this test's scratch directory */

/* path of name below dir (one of four rotating buffers: a path that must live longer
 * goes into a buffer of its own with keep()). */
static const char *at(const char *name)
{
	static char bufs[4][PATH_MAX];
	static int next;
	char *p = bufs[next++ % 4];

	snprintf(p, PATH_MAX, "%s/%s", dir, name);
	return p;
}

/* Copy path into buf (PATH_MAX bytes). */
static inline const char *keep(char *buf, const char *path)
{
	snprintf(buf, PATH_MAX, "%s", path);
	return buf;
}

/* cmocka setup: a new scratch directory. */
static int scratch_setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/berth-storage-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

/* cmocka teardown: unmount what a failed test left mounted in it, then remove it. */
static int scratch_teardown(void **state)
{
	char cmd[256];

	(void)state;
	snprintf(cmd, sizeof(cmd),
		 "findmnt -rn -o TARGET | grep '^%s/' | sort -r | xargs -r umount; "
		 "rm -rf --one-file-system '%s'",
		 dir, dir);
	return system(cmd);
}

#endif
