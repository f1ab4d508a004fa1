/* remotes.c - berth remote add|list|remove, and reading a remote for --remote. */
#include "cli/remotes.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/table.h"
#include "common/names.h"

/* The file's path, and its directory's in dir (either may be NULL). */
static int store_path(char path[PATH_MAX], char dir[PATH_MAX], struct berth_error *err)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char d[PATH_MAX];
	int n;

	if (xdg && xdg[0] == '/')
		n = snprintf(d, sizeof(d), "%s/berth", xdg);
	else if (home && home[0] == '/')
		n = snprintf(d, sizeof(d), "%s/.config/berth", home);
	else
		return berr(err, 0,
			    "neither XDG_CONFIG_HOME nor HOME is set: where do remotes go?");
	if (n < 0 || (size_t)n >= sizeof(d) ||
	    (size_t)snprintf(path, PATH_MAX, "%s/remotes.json", d) >= PATH_MAX)
		return berr(err, ENAMETOOLONG, "the remotes' directory");
	if (dir)
		strcpy(dir, d);
	return 0;
}

/* The remotes (an object; empty when there is no file yet). */
static json_t *load(struct berth_error *err)
{
	char path[PATH_MAX];
	json_error_t jerr;
	json_t *j;

	if (store_path(path, NULL, err))
		return NULL;
	if (access(path, F_OK) && errno == ENOENT)
		return json_object();
	j = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!j || !json_is_object(j)) {
		json_decref(j);
		berr(err, 0, "%s: not a JSON object of remotes (%s)", path, jerr.text);
		return NULL;
	}
	return j;
}

/* Write the remotes, 0600, whole or not at all. */
static int save(json_t *remotes, struct berth_error *err)
{
	char path[PATH_MAX], dir[PATH_MAX], tmp[PATH_MAX + 8];
	int fd;

	if (store_path(path, dir, err))
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (mkdir(dir, 0700) < 0 && errno == ENOENT) {
		char parent[PATH_MAX];

		snprintf(parent, sizeof(parent), "%s", dir);
		*strrchr(parent, '/') = '\0';
		mkdir(parent, 0700);
		mkdir(dir, 0700);
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return berr(err, errno, "cannot write %s", tmp);
	if (json_dumpfd(remotes, fd, JSON_INDENT(2)) < 0 || write(fd, "\n", 1) != 1 ||
	    fsync(fd) < 0) {
		berr(err, errno, "cannot write %s", tmp);
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		return berr(err, errno, "cannot write %s", path);
	}
	return 0;
}

int remote_use(struct client *c, const char *name, json_t **store, struct berth_error *err)
{
	json_t *r;

	*store = load(err);
	if (!*store)
		return -1;
	r = json_object_get(*store, name);
	c->url = json_string_value(json_object_get(r, "url"));
	c->token = json_string_value(json_object_get(r, "token"));
	c->pin = json_string_value(json_object_get(r, "pin"));
	c->remote = name;
	if (!r)
		return berr(err, 0,
			    "no remote %s (berth remote list; berth remote add %s URL --token T)",
			    name, name);
	if (!c->url || !c->token || !c->pin)
		return berr(err, 0, "remote %s is missing its url, token or pin: add it again",
			    name);
	return 0;
}

/* https://HOST:PORT, its trailing slash dropped, into out. */
static int check_url(const char *url, char out[REMOTE_URL_MAX + 1], struct berth_error *err)
{
	size_t n = strnlen(url, REMOTE_URL_MAX + 1);

	if (strncmp(url, "https://", 8) || n <= 8 || n > REMOTE_URL_MAX ||
	    strpbrk(url + 8, "?#@ \t\r\n"))
		return berr(err, 0, "'%.80s' is not https://HOST:PORT", url);
	memcpy(out, url, n + 1);
	while (n > 9 && out[n - 1] == '/')
		out[--n] = '\0';
	if (strchr(out + 8, '/'))
		return berr(err, 0, "'%.80s' is not https://HOST:PORT (no path)", url);
	return 0;
}

static int remote_add(int argc, char **argv, FILE *out, struct berth_error *err)
{
	char url[REMOTE_URL_MAX + 1], pin[TLS_PIN_LEN + 1];
	const char *name = NULL, *url_arg = NULL, *token = NULL;
	struct client c = { 0 };
	json_t *remotes = NULL, *reply = NULL;
	int i, rc = -1;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--token") && i + 1 < argc)
			token = argv[++i];
		else if (!strncmp(argv[i], "--token=", 8))
			token = argv[i] + 8;
		else if (!name)
			name = argv[i];
		else if (!url_arg)
			url_arg = argv[i];
		else
			return berr(err, EINVAL, "remote add: unexpected '%s'", argv[i]);
	}
	if (!name || !url_arg || !token)
		return berr(err, EINVAL, "remote add: give NAME https://HOST:PORT --token TOKEN");
	if (name_check("remote", name, err) || check_url(url_arg, url, err))
		return -1;
	remotes = load(err);
	if (!remotes)
		return -1;
	if (json_object_get(remotes, name)) {
		berr(err, 0, "remote %s exists already (berth remote remove %s first)", name, name);
		goto out;
	}
	/* Trust on first use: the certificate shown now is the one every later call must show */
	if (client_fetch_pin(url, pin, err))
		goto out;
	fprintf(out, "remote %s: certificate public key %s (compare with berthd's log)\n", name,
		pin);
	if (client_open(&c, NULL, err))
		goto out;
	c.url = url, c.token = token, c.pin = pin, c.remote = name;
	if (client_call(&c, "GET", "/1.0/servers", NULL, 30, &reply, err))
		goto out;
	if (json_object_set_new(
		remotes, name,
		json_pack("{s:s, s:s, s:s}", "url", url, "token", token, "pin", pin)) < 0) {
		berr(err, ENOMEM, "remote add");
		goto out;
	}
	rc = save(remotes, err);
out:
	client_close(&c);
	json_decref(reply);
	json_decref(remotes);
	return rc;
}

static int remote_list(FILE *out, struct berth_error *err)
{
	json_t *remotes = load(err), *r;
	const char *name, *cells[3];
	struct table t;
	int rc;

	if (!remotes)
		return -1;
	table_init(&t, 3);
	cells[0] = "NAME", cells[1] = "URL", cells[2] = "PIN";
	rc = table_add(&t, cells);
	json_object_foreach(remotes, name, r)
	{
		cells[0] = name;
		cells[1] = json_string_value(json_object_get(r, "url"));
		cells[2] = json_string_value(json_object_get(r, "pin"));
		if (rc == 0)
			rc = table_add(&t, cells);
	}
	if (rc == 0)
		table_print(&t, out);
	table_free(&t);
	json_decref(remotes);
	return rc < 0 ? berr(err, ENOMEM, "table") : 0;
}

static int remote_remove(int argc, char **argv, struct berth_error *err)
{
	json_t *remotes;
	int rc;

	if (argc != 1)
		return berr(err, EINVAL, "remote remove: give one NAME");
	remotes = load(err);
	if (!remotes)
		return -1;
	if (json_object_del(remotes, argv[0]) < 0) {
		json_decref(remotes);
		return berr(err, 0, "no remote %s (berth remote list)", argv[0]);
	}
	rc = save(remotes, err);
	json_decref(remotes);
	return rc;
}

#define REMOTE_USAGE                                                                               \
	"Usage: berth remote add NAME https://HOST:PORT --token TOKEN\n"                           \
	"       berth remote list\n"                                                               \
	"       berth remote remove NAME\n\n"                                                      \
	"Remote berthds (their HTTPS listener, listen = in berthd.conf). add connects once,\n"     \
	"pins the certificate it is shown (every later call refuses another one) and checks\n"     \
	"the token; they are kept in ~/.config/berth/remotes.json (0600). Then\n"                  \
	"berth --remote NAME COMMAND (or BERTH_REMOTE=NAME) acts in the token's project.\n"

int remote_main(int argc, char **argv, FILE *out)
{
	struct berth_error err = { 0 };
	int rc;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(REMOTE_USAGE, argc < 2 ? stderr : out);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "add"))
		rc = remote_add(argc - 2, argv + 2, out, &err);
	else if (!strcmp(argv[1], "list") && argc == 2)
		rc = remote_list(out, &err);
	else if (!strcmp(argv[1], "remove"))
		rc = remote_remove(argc - 2, argv + 2, &err);
	else
		rc = berr(&err, EINVAL, "remote: unknown command '%s'", argv[1]);
	if (rc < 0) {
		berr_print("berth", &err);
		return err.errnum == EINVAL ? 2 : 1;
	}
	return 0;
}
