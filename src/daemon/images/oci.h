/* oci.h - a container image brought as an OCI image (a layout directory, or an archive as
 * `podman save --format oci-archive` writes it, which berthd extracts as it would a rootfs):
 * its layers applied in order into a rootfs, whiteouts honoured, and what its config says a
 * container runs (entrypoint and cmd, env, working directory) kept with the image as
 * process.json, which a container of the image runs as its process. */
#ifndef BERTH_DAEMON_OCI_H
#define BERTH_DAEMON_OCI_H

#include <jansson.h>
#include <stdbool.h>

#include "common/error.h"
#include "daemon/images/tar.h"

/* The process file an image keeps beside its rootfs/. */
#define OCI_PROCESS_FILE "process.json"

/* Is the directory dir an OCI image layout (an oci-layout file and index.json in it)? */
bool oci_is_layout(const char *dir);

/* Apply the image in the layout directory layout to the empty directory rootfs: every blob
 * read is named by its digest under blobs/sha256/, bounded, and checked against its sha256
 * before use; each layer is extracted by GNU tar (tar.c, as a rootfs tarball is) into an empty
 * directory work/layer, then moved into rootfs by descriptors, never following a symlink,
 * after its whiteouts (.wh.NAME, .wh..wh..opq) removed what lower layers made. Writes
 * image_dir/process.json; *entrypoint gets a copy of its args[0] (NULL: none). watch (may be NULL)
 * is called at least every 50 ms while tar works. */
int oci_unpack(const char *layout, const char *rootfs, const char *work, const char *image_dir,
	       tar_watch_fn watch, void *wctx, char **entrypoint, struct berth_error *err);

/* Make the process of config (an OCI runtime config.json) the one image_dir/process.json
 * names, when there is one: its args (when it has any) and working directory replace
 * config's, its env is added (a name it sets replaces config's). */
int oci_process_apply(json_t *config, const char *image_dir, struct berth_error *err);

#endif
