/* seed_opts.c - create's --ssh-key and --user-data (seed_opts.h). */
#include "cli/seed_opts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cleanup.h"

/* The whole of file path (at most max bytes) into a malloc'd, NUL-terminated buffer. */
static char *read_file(const char *what, const char *path, size_t max, size_t *len,
		       struct berth_error *err)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char *buf;

	if (!f) {
		berr(err, errno, "%s: cannot open %s", what, path);
		return NULL;
	}
	buf = malloc(max + 2);
	if (!buf) {
		berr(err, ENOMEM, "%s: %s", what, path);
		return NULL;
	}
	*len = fread(buf, 1, max + 1, f);
	if (ferror(f) || *len > max) {
		if (ferror(f))
			berr(err, EIO, "%s: cannot read %s", what, path);
		else
			berr(err, 0, "%s: %s is over %zu bytes", what, path, max);
		free(buf);
		return NULL;
	}
	buf[*len] = '\0';
	return buf;
}

static int add_line(json_t *keys, const char *line, size_t n, struct berth_error *err)
{
	while (n && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r'))
		n--;
	if (!n || line[0] == '#')
		return 0;
	if (json_array_append_new(keys, json_stringn(line, n)) < 0)
		return berr(err, EINVAL, "--ssh-key: a key is not UTF-8 text");
	return 0;
}

int seed_add_keys(json_t *keys, const char *arg, struct berth_error *err)
{
	_cleanup_free_ char *text = NULL;
	const char *p, *nl;
	struct stat st;
	size_t len;

	if (stat(arg, &st) < 0 || !S_ISREG(st.st_mode)) {
		if (strchr(arg, ' ') == NULL)
			return berr(err, 0,
				    "--ssh-key %s: no such file, and not a key (\"TYPE BASE64 "
				    "[COMMENT]\")",
				    arg);
		return add_line(keys, arg, strlen(arg), err);
	}
	text = read_file("--ssh-key", arg, SEED_FILE_MAX, &len, err);
	if (!text)
		return -1;
	if (strlen(text) != len)
		return berr(err, 0, "--ssh-key: %s holds a NUL byte: not a public key file", arg);
	for (p = text; *p; p = nl ? nl + 1 : p + strlen(p)) {
		nl = strchr(p, '\n');
		if (add_line(keys, p, nl ? (size_t)(nl - p) : strlen(p), err) < 0)
			return -1;
	}
	return 0;
}

json_t *seed_user_data(const char *path, struct berth_error *err)
{
	size_t len = 0;
	_cleanup_free_ char *text = read_file("--user-data", path, SEED_USER_DATA_MAX, &len, err);
	json_t *j;

	if (!text)
		return NULL;
	j = strlen(text) == len ? json_stringn(text, len) : NULL;
	if (!j)
		berr(err, 0, "--user-data: %s is not UTF-8 text (a cloud-config or a script)",
		     path);
	return j;
}
