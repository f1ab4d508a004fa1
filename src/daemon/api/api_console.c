/* api_console.c - /1.0/servers/NAME/console (where to attach) and /1.0/servers/NAME/exec
 * (a command in a running container). Both answer with a socket the client talks to
 * directly: berthd never relays a byte of a terminal. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "daemon/api/api.h"
#include "daemon/api/api_input.h"
#include "common/error.h"
#include "daemon/servers/server_console.h"
#include "daemon/state/server_rows.h"

#define EXEC_WORDS_MAX 256
#define EXEC_ENV_MAX   32 /* berth-ct takes 63 --env; what a person types is far less */
#define EXEC_BYTES_MAX (64 << 10)

/* Load running server name into s (of kind ct when ct_only); a clear refusal when it is
 * not running or not a container. */
static int running(struct berthd *d, const char *name, bool ct_only, struct server *s,
		   struct berth_error *err)
{
	sqlite3 *db = db_conn(&d->db, err);

	if (!db || server_load(db, d->state_dir, name, s, err) < 0)
		return -1;
	if (ct_only && s->kind != KIND_CT)
		return refuse(err, EINVAL,
			      "exec works on containers; %s is a VM: use `berth console %s`", name,
			      name);
	if (s->state != STATE_RUNNING)
		return refuse(err, EBUSY,
			      "server %s is not running; start it first (berth start %s)", name,
			      name);
	return 0;
}

static void reply_socket(struct http_reply *rep, const char *path)
{
	http_reply_json(rep, 200, json_pack("{s:s}", "socket", path));
}

void api_server_console(struct berthd *d, const struct http_request *rq, const char *arg,
			struct http_reply *rep)
{
	char sock[PATH_MAX];
	struct berth_error err;
	struct server s;

	(void)rq;
	if (api_refuse_name("server", arg, rep))
		return;
	if (running(d, arg, false, &s, &err) < 0 ||
	    console_socket(&d->env, s.name, sock, &err) < 0) {
		api_reply_error(rep, &err);
		return;
	}
	if (access(sock, F_OK) < 0) {
		http_reply_error(rep, 409,
				 "server %s has no console socket: it was started by an older "
				 "berthd; restart it (berth restart %s)",
				 s.name, s.name);
		return;
	}
	reply_socket(rep, sock);
}

/* body[key]: an array of 1..max strings without NULs (NULL-terminated into a new *out, the
 * strings borrowed from body); absent leaves *out NULL unless required. *bytes adds up. */
static int string_list(json_t *body, const char *key, size_t max, bool required, char ***out,
		       size_t *bytes, struct berth_error *err)
{
	json_t *a = json_object_get(body, key), *v;
	size_t i, n;

	*out = NULL;
	if (!a)
		return required ? refuse(err, EINVAL, "field '%s' is missing", key) : 0;
	n = json_array_size(a);
	if (!json_is_array(a) || n == 0 || n > max)
		return refuse(err, EINVAL, "field '%s' must be an array of 1 to %zu strings", key,
			      max);
	*out = calloc(n + 1, sizeof(char *));
	if (!*out)
		return berr(err, ENOMEM, "field '%s'", key);
	json_array_foreach(a, i, v)
	{
		if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
			return refuse(err, EINVAL,
				      "field '%s': item %zu is not a string without NULs", key, i);
		(*out)[i] = (char *)json_string_value(v);
		*bytes += json_string_length(v) + 1;
	}
	return 0;
}

static int read_exec(json_t *body, struct exec_request *rq, struct berth_error *err)
{
	size_t bytes = 0, i;

	if (string_list(body, "command", EXEC_WORDS_MAX, true, &rq->command, &bytes, err) ||
	    string_list(body, "env", EXEC_ENV_MAX, false, &rq->env, &bytes, err) ||
	    input_string(body, "cwd", false, &rq->cwd, err) ||
	    input_bool(body, "tty", &rq->tty, err))
		return -1;
	if (!rq->command[0][0])
		return refuse(err, EINVAL, "field 'command': the program's name is empty");
	for (i = 0; rq->env && rq->env[i]; i++)
		if (!strchr(rq->env[i], '=') || rq->env[i][0] == '=')
			return refuse(err, EINVAL, "field 'env': '%.64s' is not KEY=VALUE",
				      rq->env[i]);
	if (rq->cwd && rq->cwd[0] != '/')
		return refuse(err, EINVAL, "field 'cwd' must be an absolute path");
	if (bytes + (rq->cwd ? strlen(rq->cwd) : 0) > EXEC_BYTES_MAX)
		return refuse(err, EINVAL, "the command, env and cwd are longer than %d bytes",
			      EXEC_BYTES_MAX);
	return 0;
}

void api_server_exec(struct berthd *d, const struct http_request *rq, const char *arg,
		     struct http_reply *rep)
{
	static const char *const fields[] = { "command", "env", "cwd", "tty", NULL };
	struct exec_request x = { 0 };
	struct berth_error err;
	char sock[PATH_MAX];
	struct server s;
	int rc;

	if (api_refuse_name("server", arg, rep) || api_refuse_body(rq, fields, rep))
		return;
	rc = read_exec(rq->body, &x, &err);
	if (rc == 0)
		rc = running(d, arg, true, &s, &err);
	if (rc == 0)
		rc = console_exec_start(&s, &d->env, &x, sock, &err);
	free(x.command);
	free(x.env);
	if (rc < 0)
		api_reply_error(rep, &err);
	else
		reply_socket(rep, sock);
}
