/* oci_json.h - the JSON documents of an OCI image (index.json, a manifest, a config), as a
 * customer brings them: hostile, so each is bounded in size, every descriptor's digest must be
 * a sha256 in its exact form (the blob's file name is made from it, never from a path the
 * image gives), and only the few facts an import needs are kept, each bounded. */
#ifndef BERTH_DAEMON_OCI_JSON_H
#define BERTH_DAEMON_OCI_JSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define OCI_JSON_MAX   (1024 * 1024) /* index, manifest or config */
#define OCI_LAYERS_MAX 128
#define OCI_ARGS_MAX   256 /* entrypoint + cmd */
#define OCI_ENV_MAX    1024
#define OCI_STRING_MAX 4096 /* one argument, variable or the working directory */

/* A content descriptor: a blob named by its sha256, of size bytes. */
struct oci_desc {
	char hex[65]; /* the digest's 64 lowercase hex digits: blobs/sha256/HEX */
	uint64_t size;
};

/* What a container of the image runs (its config's Entrypoint + Cmd, Env, WorkingDir). */
struct oci_process {
	char **args; /* NULL-terminated; args[0] NULL when the image names none */
	char **env;  /* NULL-terminated, each "NAME=value" */
	char *cwd;   /* absolute, or NULL */
};

/* The image's manifest in index.json: the first one for linux/amd64 (or with no platform).
 * Fails (EINVAL) on a document that is not an index, holds no such manifest, or only an index
 * nested in it. */
int oci_index_parse(const char *buf, size_t len, struct oci_desc *manifest,
		    struct berth_error *err);

/* The config and the layers (lowest first; *n of them, at most OCI_LAYERS_MAX) of a
 * manifest. */
int oci_manifest_parse(const char *buf, size_t len, struct oci_desc *config,
		       struct oci_desc layers[OCI_LAYERS_MAX], size_t *n, struct berth_error *err);

/* The process of an image config (its "config" object; none there: no args, no env). */
int oci_config_parse(const char *buf, size_t len, struct oci_process *p, struct berth_error *err);

/* The process as stored with an image: {"args": [...], "env": [...], "cwd": "..."}. */
json_t *oci_process_json(const struct oci_process *p);

/* Read it back, checked as oci_config_parse checks a config's. */
int oci_process_from_json(const json_t *j, struct oci_process *p, struct berth_error *err);

/* Free what p holds (p itself is the caller's). */
void oci_process_free(struct oci_process *p);

#endif
