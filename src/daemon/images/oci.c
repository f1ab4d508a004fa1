/* oci.c - an OCI image made a rootfs. The image is hostile: a file is opened only by a name
 * berthd makes (index.json, blobs/sha256/HEX from a checked digest) with openat2 beneath the
 * layout and through no symlink; every blob's size and sha256 must be its descriptor's
 * before a byte of it is used; JSON blobs are bounded (oci_json.c); layers go through the same
 * GNU tar extraction as a rootfs tarball, each into an empty directory, and are moved into the
 * rootfs by oci_merge.c. */
#include "daemon/images/oci.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "daemon/images/copy.h"
#include "daemon/images/oci_json.h"
#include "daemon/images/oci_merge.h"

#define HASH_CHUNK (1u << 20)

/* Open name beneath dirfd, through no symlink. */
static int open_beneath(int dirfd, const char *name)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC,
		.resolve =
		    RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};

	return (int)syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
}

bool oci_is_layout(const char *dir)
{
	_cleanup_close_ int d = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	return d >= 0 && fstatat(d, "oci-layout", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISREG(st.st_mode) && fstatat(d, "index.json", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISREG(st.st_mode);
}

/* Open the blob of desc (what names it) and check its size and sha256. */
static int open_blob(int layout, const struct oci_desc *desc, const char *what,
		     struct berth_error *err)
{
	char name[sizeof("blobs/sha256/") + 64];
	unsigned char md[EVP_MAX_MD_SIZE];
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	_cleanup_free_ char *buf = malloc(HASH_CHUNK);
	EVP_MD_CTX *h = EVP_MD_CTX_new();
	unsigned mdlen = 0;
	uint64_t done = 0;
	struct stat st;
	ssize_t n;
	int fd;

	snprintf(name, sizeof(name), "blobs/sha256/%s", desc->hex);
	fd = open_beneath(layout, name);
	if (fd < 0) {
		berr(err, errno, "the image's %s (%s) is not a file in blobs/sha256/", what, name);
		goto fail;
	}
	if (!buf || !h || EVP_DigestInit_ex(h, EVP_sha256(), NULL) != 1) {
		berr(err, ENOMEM, "the image's %s", what);
		goto fail;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != desc->size) {
		refuse(err, EINVAL,
		       "the image's %s (%s) is not a file of the %llu bytes its "
		       "descriptor says",
		       what, name, (unsigned long long)desc->size);
		goto fail;
	}
	while (done < desc->size && (n = pread(fd, buf, HASH_CHUNK, (off_t)done)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			berr(err, errno, "cannot read the image's %s", what);
			goto fail;
		}
		EVP_DigestUpdate(h, buf, (size_t)n);
		done += (uint64_t)n;
	}
	EVP_DigestFinal_ex(h, md, &mdlen);
	for (unsigned i = 0; i < mdlen; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
	if (done != desc->size || strcmp(hex, desc->hex)) {
		refuse(err, EINVAL, "the image's %s (%s) does not match its sha256 digest", what,
		       name);
		goto fail;
	}
	EVP_MD_CTX_free(h);
	return fd;
fail:
	EVP_MD_CTX_free(h);
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Read a whole JSON file of at most OCI_JSON_MAX bytes: a blob (desc) or, desc NULL, name. */
static char *read_json(int layout, const char *name, const struct oci_desc *desc, const char *what,
		       size_t *len, struct berth_error *err)
{
	_cleanup_close_ int fd =
	    desc ? open_blob(layout, desc, what, err) : open_beneath(layout, name);
	struct stat st;
	char *buf;
	ssize_t n;

	if (fd < 0) {
		if (!desc)
			berr(err, errno, "the image's %s", what);
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > OCI_JSON_MAX) {
		refuse(err, EINVAL, "the image's %s is not a file of at most %d bytes", what,
		       OCI_JSON_MAX);
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		berr(err, ENOMEM, "the image's %s", what);
		return NULL;
	}
	n = pread(fd, buf, (size_t)st.st_size, 0);
	if (n != st.st_size) {
		berr(err, n < 0 ? errno : EIO, "cannot read the image's %s", what);
		free(buf);
		return NULL;
	}
	*len = (size_t)n;
	return buf;
}

static int write_process(const char *image_dir, const struct oci_process *p,
			 struct berth_error *err)
{
	_cleanup_free_ char *path = NULL;
	json_t *j = oci_process_json(p);
	int rc;

	if (!j || asprintf(&path, "%s/%s", image_dir, OCI_PROCESS_FILE) < 0) {
		json_decref(j);
		return berr(err, ENOMEM, "the image's process");
	}
	rc = json_dump_file(j, path, JSON_COMPACT);
	json_decref(j);
	return rc < 0 ? berr(err, errno, "cannot write %s", path) : 0;
}

/* Extract layer i (fd) into work/layer and move it into rootfs. */
static int apply_layer(int fd, size_t i, const char *rootfs, const char *work, tar_watch_fn watch,
		       void *wctx, struct berth_error *err)
{
	_cleanup_free_ char *layer = NULL;
	char what[64];
	struct berth_error ignored;
	int rc;

	snprintf(what, sizeof(what), "layer %zu of the image", i + 1);
	if (asprintf(&layer, "%s/layer", work) < 0)
		return berr(err, ENOMEM, "%s", what);
	if (mkdir(layer, 0755) < 0)
		return berr(err, errno, "cannot create %s", layer);
	rc = tar_extract_fd(fd, what, layer, NULL, NULL, watch, wctx, err);
	if (rc == 0)
		rc = oci_merge(layer, rootfs, err);
	if (rc)
		berr_wrap(err, "%s", what);
	if (remove_tree(layer, rc ? &ignored : err) && rc == 0)
		rc = -1;
	return rc;
}

int oci_unpack(const char *layout, const char *rootfs, const char *work, const char *image_dir,
	       tar_watch_fn watch, void *wctx, char **entrypoint, struct berth_error *err)
{
	_cleanup_close_ int dir = open(layout, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_free_ char *index = NULL, *manifest = NULL, *config = NULL;
	_cleanup_free_ struct oci_desc *layers = calloc(OCI_LAYERS_MAX, sizeof(*layers));
	struct oci_desc mdesc, cdesc;
	struct oci_process p = { 0 };
	size_t len = 0, n = 0;
	int rc = 0;

	if (dir < 0)
		return berr(err, errno, "cannot open the image layout %s", layout);
	if (!layers)
		return berr(err, ENOMEM, "the image's layers");
	if (!(index = read_json(dir, "index.json", NULL, "index.json", &len, err)) ||
	    oci_index_parse(index, len, &mdesc, err) ||
	    !(manifest = read_json(dir, NULL, &mdesc, "manifest", &len, err)) ||
	    oci_manifest_parse(manifest, len, &cdesc, layers, &n, err) ||
	    !(config = read_json(dir, NULL, &cdesc, "config", &len, err)) ||
	    oci_config_parse(config, len, &p, err))
		return -1;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char what[64];
		int fd;

		snprintf(what, sizeof(what), "layer %zu", i + 1);
		fd = open_blob(dir, &layers[i], what, err);
		rc = fd < 0 ? -1 : apply_layer(fd, i, rootfs, work, watch, wctx, err);
		if (fd >= 0)
			close(fd);
	}
	if (rc == 0)
		rc = write_process(image_dir, &p, err);
	*entrypoint = NULL;
	if (rc == 0 && p.args[0] && !(*entrypoint = strdup(p.args[0])))
		rc = berr(err, ENOMEM, "the image's entrypoint");
	oci_process_free(&p);
	return rc;
}

/* Replace or add "NAME=value" in the env array by its NAME. */
static int env_set(json_t *env, const char *var)
{
	size_t name = strcspn(var, "="), i;
	json_t *v;

	json_array_foreach(env, i, v)
	{
		const char *s = json_string_value(v);

		if (s && !strncmp(s, var, name) && s[name] == '=')
			return json_array_set_new(env, i, json_string(var));
	}
	return json_array_append_new(env, json_string(var));
}

int oci_process_apply(json_t *config, const char *image_dir, struct berth_error *err)
{
	_cleanup_free_ char *path = NULL;
	json_t *proc = json_object_get(config, "process"), *env = json_object_get(proc, "env");
	struct oci_process p;
	json_error_t jerr;
	json_t *j, *args;
	int rc = 0;

	if (asprintf(&path, "%s/%s", image_dir, OCI_PROCESS_FILE) < 0)
		return berr(err, ENOMEM, "the image's process");
	if (access(path, F_OK) < 0)
		return errno == ENOENT ? 0 : berr(err, errno, "%s", path);
	j = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!j)
		return refuse(err, EINVAL, "%s is not valid JSON", path);
	rc = oci_process_from_json(j, &p, err);
	json_decref(j);
	if (rc)
		return -1;
	if (!json_is_object(proc) || !json_is_array(env)) {
		oci_process_free(&p);
		return refuse(err, EINVAL, "the container's config has no process");
	}
	if (p.args[0]) {
		args = json_array();
		for (size_t i = 0; args && p.args[i]; i++)
			json_array_append_new(args, json_string(p.args[i]));
		rc = json_object_set_new(proc, "args", args);
	}
	for (size_t i = 0; rc == 0 && p.env[i]; i++)
		rc = env_set(env, p.env[i]);
	if (rc == 0 && p.cwd)
		rc = json_object_set_new(proc, "cwd", json_string(p.cwd));
	oci_process_free(&p);
	return rc ? berr(err, ENOMEM, "the image's process") : 0;
}
