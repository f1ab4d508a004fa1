/* cloud_iso.c - a VM's seed disk (cloud_iso.h). Made again at every start, so that what it
 * says (the address, the keys, the user-data) is always the server's as it is now; the
 * instance-id in it only changes when the server is rebuilt. */
#include "daemon/cloud/cloud_iso.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "daemon/images/copy.h"
#include "daemon/servers/spawn.h"

#define ISO_MS 30000 /* xorriso on three small files */

int cloud_seed_iso(const char *path, const char *dir, const char *log,
		   const struct cloud_seed *seed, struct berth_error *err)
{
	char files[PATH_MAX], tmp[PATH_MAX];
	struct berth_error ignored;
	_cleanup_close_ int fd = -1;
	int status, rc = -1;
	char *argv[] = { CLOUD_XORRISO, "-as",	 "mkisofs", "-quiet", "-volid", "cidata",
			 "-joliet",	"-rock", "-output", tmp,      files,	NULL };

	if ((size_t)snprintf(files, sizeof(files), "%s/seed.d", dir) >= sizeof(files) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return berr(err, ENAMETOOLONG, "the seed disk's path is too long");
	if (remove_tree(files, err) < 0)
		return -1;
	if (mkdir(files, 0700) < 0)
		return berr(err, errno, "cannot make %s", files);
	fd = open(files, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		berr(err, errno, "cannot open %s", files);
		goto out;
	}
	if (cloud_seed_write(fd, seed, true, 0, 0, err) < 0 ||
	    spawn_run(argv, log, NULL, 0, ISO_MS, &status, err) < 0)
		goto out;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		berr(err, 0, "xorriso could not make the seed disk (see %s)", log);
		goto out;
	}
	if (rename(tmp, path) < 0) {
		berr(err, errno, "cannot rename %s to %s", tmp, path);
		goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		unlink(tmp);
	remove_tree(files, &ignored);
	return rc;
}
