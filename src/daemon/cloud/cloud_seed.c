/* cloud_seed.c - the NoCloud documents of a server (cloud_seed.h). */
#include "daemon/cloud/cloud_seed.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"

void cloud_seed_free(struct cloud_seed *seed)
{
	json_decref(seed->ssh_keys);
	free(seed->user_data);
	seed->ssh_keys = NULL;
	seed->user_data = NULL;
}

int cloud_instance_id(char out[CLOUD_INSTANCE_ID_LEN + 1], struct berth_error *err)
{
	unsigned char r[8];

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return berr(err, errno, "cannot draw an instance-id");
	snprintf(out, CLOUD_INSTANCE_ID_LEN + 1, "i-%02x%02x%02x%02x%02x%02x%02x%02x", r[0], r[1],
		 r[2], r[3], r[4], r[5], r[6], r[7]);
	return 0;
}

static char *dump(json_t *j)
{
	char *text = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	char *nl = text ? malloc(strlen(text) + 2) : NULL;

	if (nl)
		sprintf(nl, "%s\n", text);
	free(text);
	json_decref(j);
	return nl;
}

char *cloud_meta_data(const struct cloud_seed *seed)
{
	json_t *j = json_pack("{s:s, s:s}", "instance-id", seed->instance_id, "local-hostname",
			      seed->hostname);

	if (j && seed->ssh_keys && json_array_size(seed->ssh_keys) &&
	    json_object_set(j, "public-keys", seed->ssh_keys) < 0)
		j = (json_decref(j), NULL);
	return dump(j);
}

char *cloud_network_config(const struct cloud_seed *seed)
{
	char cidr[24];

	if (!seed->address[0])
		return NULL;
	snprintf(cidr, sizeof(cidr), "%s/%u", seed->address, seed->prefix);
	return dump(json_pack("{s:i, s:{s:{s:{s:s}, s:s, s:[s], s:s}}}", "version", 2, "ethernets",
			      "eth0", "match", "macaddress", seed->mac, "set-name", "eth0",
			      "addresses", cidr, "gateway4", seed->gateway));
}

/* Write len bytes of data as dirfd/name: a new file in its place (no symlink followed). */
static int put(int dirfd, const char *name, const char *data, size_t len, mode_t mode, uid_t uid,
	       gid_t gid, struct berth_error *err)
{
	char tmp[64];
	_cleanup_close_ int fd = -1;
	size_t done = 0;
	ssize_t n;

	snprintf(tmp, sizeof(tmp), ".%s.berth-tmp", name);
	if (unlinkat(dirfd, tmp, 0) < 0 && errno != ENOENT)
		return berr(err, errno, "cannot remove %s", tmp);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return berr(err, errno, "cannot create %s", tmp);
	while (done < len) {
		n = write(fd, data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		done += (size_t)n;
	}
	if (fchown(fd, uid, gid) < 0 || fchmod(fd, mode) < 0 || fsync(fd) < 0 ||
	    renameat(dirfd, tmp, dirfd, name) < 0)
		goto fail;
	return 0;
fail:
	berr(err, errno ? errno : EIO, "cannot write %s", name);
	unlinkat(dirfd, tmp, 0);
	return -1;
}

int cloud_seed_write(int dirfd, const struct cloud_seed *seed, bool world_readable, uid_t uid,
		     gid_t gid, struct berth_error *err)
{
	static const char empty[] = "#cloud-config\n{}\n";
	mode_t mode = world_readable ? 0644 : 0600;
	_cleanup_free_ char *meta = cloud_meta_data(seed);
	_cleanup_free_ char *net = cloud_network_config(seed);
	int rc;

	if (!meta || (seed->address[0] && !net))
		return berr(err, ENOMEM, "the cloud-init seed");
	rc = put(dirfd, "meta-data", meta, strlen(meta), mode, uid, gid, err);
	if (rc == 0)
		rc = seed->user_data
			 ? put(dirfd, "user-data", seed->user_data, seed->user_data_len, mode, uid,
			       gid, err)
			 : put(dirfd, "user-data", empty, sizeof(empty) - 1, mode, uid, gid, err);
	if (rc == 0 && net)
		rc = put(dirfd, "network-config", net, strlen(net), mode, uid, gid, err);
	else if (rc == 0 && unlinkat(dirfd, "network-config", 0) < 0 && errno != ENOENT)
		rc = berr(err, errno, "cannot remove network-config");
	return rc;
}
