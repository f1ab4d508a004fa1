/* mounts.c - finding and unmounting the host's mounts inside a server's directory. */
#include "daemon/servers/mounts.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>

#include "common/cleanup.h"

#define UNMOUNT_TRIES 20 /* of 50 ms each before a busy mount is detached lazily */
#define UNMOUNT_MAX   64 /* mounts below one server's directory, at most */

/* Undo mountinfo's octal escapes (\040 for a space) in place. */
static void unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

int mounts_below(const char *dir, mount_fn fn, void *ctx, struct berth_error *err)
{
	_cleanup_free_ char *real = realpath(dir, NULL);
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	size_t cap = 0, len;
	int rc;

	if (!real)
		return errno == ENOENT ? 0 : berr(err, errno, "cannot resolve %s", dir);
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return berr(err, errno, "cannot read /proc/self/mountinfo to check %s", dir);
	len = strlen(real);
	while (getline(&line, &cap, f) > 0) {
		char mnt[4096];

		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT ... */
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
			continue;
		unescape(mnt);
		if (!strncmp(mnt, real, len) && (mnt[len] == '\0' || mnt[len] == '/' || len == 1)) {
			rc = fn(ctx, mnt, err);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int unmount_dir(const char *dir, struct berth_error *err)
{
	const struct timespec pause = { .tv_nsec = 50 * 1000 * 1000 };

	for (int i = 0; i < UNMOUNT_TRIES; i++) {
		if (umount2(dir, UMOUNT_NOFOLLOW) == 0 || errno == EINVAL || errno == ENOENT)
			return 0; /* EINVAL: not a mount point */
		if (errno != EBUSY)
			return berr(err, errno, "cannot unmount %s", dir);
		nanosleep(&pause, NULL);
	}
	if (umount2(dir, UMOUNT_NOFOLLOW | MNT_DETACH) < 0 && errno != EINVAL)
		return berr(err, errno, "cannot unmount %s, which is busy", dir);
	fprintf(stderr,
		"berthd: %s was busy (a process of the host uses it): detached it lazily; its "
		"file system and loop device go when that process lets go (see fuser -vm)\n",
		dir);
	return 0;
}

static int remember(void *ctx, const char *mnt, struct berth_error *err)
{
	char *last = ctx;

	(void)err;
	snprintf(last, 4096, "%s", mnt);
	return 0;
}

int unmount_below(const char *dir, struct berth_error *err)
{
	char last[4096];

	for (int i = 0; i < UNMOUNT_MAX; i++) {
		last[0] = '\0';
		if (mounts_below(dir, remember, last, err))
			return -1;
		if (!last[0])
			return 0;
		if (unmount_dir(last, err))
			return -1;
	}
	return berr(err, 0, "more than %d mounts inside %s: unmount them (umount -R %s)",
		    UNMOUNT_MAX, dir, dir);
}
