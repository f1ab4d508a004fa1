/* oci_json.c - reading an OCI image's index, manifest and config. Every string is bounded and
 * checked before it is kept: a digest is "sha256:" and 64 lowercase hex digits (nothing else
 * becomes a file name), sizes are non-negative integers, an argument or variable has no NUL
 * and a bounded length, the working directory is absolute. */
#include "daemon/images/oci_json.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static json_t *load(const char *buf, size_t len, const char *what, struct berth_error *err)
{
	json_error_t jerr;
	json_t *j;

	if (len > OCI_JSON_MAX) {
		refuse(err, EINVAL, "the image's %s is larger than %d bytes", what, OCI_JSON_MAX);
		return NULL;
	}
	j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j || !json_is_object(j)) {
		json_decref(j);
		refuse(err, EINVAL, "the image's %s is not a JSON object", what);
		return NULL;
	}
	return j;
}

static int desc_parse(const json_t *d, const char *what, struct oci_desc *out,
		      struct berth_error *err)
{
	const char *digest = json_string_value(json_object_get(d, "digest"));
	const json_t *size = json_object_get(d, "size");

	if (!json_is_object(d) || !digest || !json_is_integer(size) || json_integer_value(size) < 0)
		return refuse(err, EINVAL, "the image's %s has no valid descriptor", what);
	if (strlen(digest) != 7 + 64 || strncmp(digest, "sha256:", 7) ||
	    strspn(digest + 7, "0123456789abcdef") != 64)
		return refuse(err, EINVAL, "the image's %s has a digest that is not sha256:HEX",
			      what);
	memcpy(out->hex, digest + 7, 65);
	out->size = (uint64_t)json_integer_value(size);
	return 0;
}

static bool media_is(const json_t *d, const char *const types[])
{
	const char *t = json_string_value(json_object_get(d, "mediaType"));

	for (size_t i = 0; t && types[i]; i++)
		if (!strcmp(t, types[i]))
			return true;
	return false;
}

static const char *const manifest_types[] = {
	"application/vnd.oci.image.manifest.v1+json",
	"application/vnd.docker.distribution.manifest.v2+json", NULL
};

int oci_index_parse(const char *buf, size_t len, struct oci_desc *manifest, struct berth_error *err)
{
	json_t *j = load(buf, len, "index.json", err);
	json_t *list, *d, *platform;
	const char *arch, *os;
	size_t i;
	int rc = -1;

	if (!j)
		return -1;
	list = json_object_get(j, "manifests");
	if (!json_is_array(list)) {
		refuse(err, EINVAL, "the image's index.json lists no manifests");
		goto out;
	}
	json_array_foreach(list, i, d)
	{
		if (i >= OCI_LAYERS_MAX || !media_is(d, manifest_types))
			continue;
		platform = json_object_get(d, "platform");
		arch = json_string_value(json_object_get(platform, "architecture"));
		os = json_string_value(json_object_get(platform, "os"));
		if ((arch && strcmp(arch, "amd64")) || (os && strcmp(os, "linux")))
			continue;
		rc = desc_parse(d, "index.json", manifest, err);
		goto out;
	}
	refuse(err, EINVAL,
	       "the image's index.json holds no image manifest for linux/amd64 (a nested index "
	       "is not followed)");
out:
	json_decref(j);
	return rc;
}

int oci_manifest_parse(const char *buf, size_t len, struct oci_desc *config,
		       struct oci_desc layers[OCI_LAYERS_MAX], size_t *n, struct berth_error *err)
{
	json_t *j = load(buf, len, "manifest", err);
	json_t *list, *d;
	size_t i;
	int rc = -1;

	*n = 0;
	if (!j)
		return -1;
	list = json_object_get(j, "layers");
	if (desc_parse(json_object_get(j, "config"), "manifest's config", config, err))
		goto out;
	if (!json_is_array(list) || json_array_size(list) > OCI_LAYERS_MAX) {
		refuse(err, EINVAL, "the image's manifest has no list of at most %d layers",
		       OCI_LAYERS_MAX);
		goto out;
	}
	json_array_foreach(list, i, d)
	{
		if (desc_parse(d, "manifest's layer", &layers[i], err))
			goto out;
	}
	*n = json_array_size(list);
	rc = 0;
out:
	json_decref(j);
	return rc;
}

/* Append the strings of array a (may be NULL) to out (cap entries, *n used); each bounded,
 * with '=' required when need_eq. */
static int take_strings(const json_t *a, const char *what, bool need_eq, char **out, size_t cap,
			size_t *n, struct berth_error *err)
{
	const json_t *v;
	size_t i;

	if (!a || json_is_null(a))
		return 0;
	if (!json_is_array(a))
		return refuse(err, EINVAL, "the image's %s is not a list of strings", what);
	json_array_foreach(a, i, v)
	{
		const char *s = json_string_value(v);

		if (!s || json_string_length(v) != strlen(s) || strlen(s) > OCI_STRING_MAX)
			return refuse(err, EINVAL,
				      "the image's %s holds an entry that is not a string of at "
				      "most %d bytes",
				      what, OCI_STRING_MAX);
		if (need_eq && (!strchr(s, '=') || s[0] == '='))
			return refuse(err, EINVAL, "the image's %s holds '%.64s', not NAME=value",
				      what, s);
		if (*n >= cap)
			return refuse(err, EINVAL, "the image's %s has too many entries", what);
		if (!(out[(*n)++] = strdup(s)))
			return berr(err, ENOMEM, "the image's %s", what);
	}
	return 0;
}

/* Fill p from a process-like object: args (or Entrypoint + Cmd), env, cwd. */
static int process_fill(const json_t *args1, const json_t *args2, const json_t *env,
			const json_t *cwd, struct oci_process *p, struct berth_error *err)
{
	size_t na = 0, ne = 0;
	const char *dir = json_string_value(cwd);

	memset(p, 0, sizeof(*p));
	p->args = calloc(OCI_ARGS_MAX + 1, sizeof(char *));
	p->env = calloc(OCI_ENV_MAX + 1, sizeof(char *));
	if (!p->args || !p->env) {
		oci_process_free(p);
		return berr(err, ENOMEM, "the image's config");
	}
	if (take_strings(args1, "entrypoint", false, p->args, OCI_ARGS_MAX, &na, err) ||
	    take_strings(args2, "cmd", false, p->args, OCI_ARGS_MAX, &na, err) ||
	    take_strings(env, "env", true, p->env, OCI_ENV_MAX, &ne, err))
		goto fail;
	if (cwd && !json_is_null(cwd) && !(dir && !dir[0])) {
		if (!dir || dir[0] != '/' || strlen(dir) > OCI_STRING_MAX ||
		    json_string_length(cwd) != strlen(dir)) {
			refuse(err, EINVAL,
			       "the image's working directory is not an absolute path");
			goto fail;
		}
		if (!(p->cwd = strdup(dir))) {
			berr(err, ENOMEM, "the image's config");
			goto fail;
		}
	}
	if (na && !p->args[0][0]) {
		refuse(err, EINVAL, "the image's entrypoint starts with an empty string");
		goto fail;
	}
	return 0;
fail:
	oci_process_free(p);
	return -1;
}

int oci_config_parse(const char *buf, size_t len, struct oci_process *p, struct berth_error *err)
{
	json_t *j = load(buf, len, "config", err);
	json_t *c;
	int rc;

	memset(p, 0, sizeof(*p));
	if (!j)
		return -1;
	c = json_object_get(j, "config");
	if (c && !json_is_object(c) && !json_is_null(c)) {
		json_decref(j);
		return refuse(err, EINVAL, "the image's config has no valid \"config\" object");
	}
	rc = process_fill(json_object_get(c, "Entrypoint"), json_object_get(c, "Cmd"),
			  json_object_get(c, "Env"), json_object_get(c, "WorkingDir"), p, err);
	json_decref(j);
	return rc;
}

static json_t *strings(char *const *s)
{
	json_t *a = json_array();

	for (size_t i = 0; a && s && s[i]; i++)
		if (json_array_append_new(a, json_string(s[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

json_t *oci_process_json(const struct oci_process *p)
{
	return json_pack("{s:o, s:o, s:s?}", "args", strings(p->args), "env", strings(p->env),
			 "cwd", p->cwd);
}

int oci_process_from_json(const json_t *j, struct oci_process *p, struct berth_error *err)
{
	if (!json_is_object(j))
		return refuse(err, EINVAL, "the image's process is not a JSON object");
	return process_fill(json_object_get(j, "args"), NULL, json_object_get(j, "env"),
			    json_object_get(j, "cwd"), p, err);
}

void oci_process_free(struct oci_process *p)
{
	for (size_t i = 0; p->args && p->args[i]; i++)
		free(p->args[i]);
	for (size_t i = 0; p->env && p->env[i]; i++)
		free(p->env[i]);
	free(p->args);
	free(p->env);
	free(p->cwd);
	memset(p, 0, sizeof(*p));
}
