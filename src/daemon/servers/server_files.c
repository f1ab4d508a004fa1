/* server_files.c - joining a server's or its image's directory with a file name. */
#include "daemon/servers/server_files.h"

#include <errno.h>
#include <stdio.h>

static int join(char buf[PATH_MAX], const char *dir, const char *leaf, struct berth_error *err)
{
	int n = snprintf(buf, PATH_MAX, "%s/%s", dir, leaf);

	if (n < 0 || n >= PATH_MAX)
		return berr(err, ENAMETOOLONG, "`%s/%s`", dir, leaf);
	return 0;
}

int server_file(char buf[PATH_MAX], const struct server *s, const char *leaf,
		struct berth_error *err)
{
	return join(buf, s->dir, leaf, err);
}

int image_file(char buf[PATH_MAX], const struct server *s, const char *leaf,
	       struct berth_error *err)
{
	return join(buf, s->image_dir, leaf, err);
}
