/* api_console.c - /1.0/servers/NAME/console (where to attach) and /1.0/servers/NAME/exec
 * (a command in a running container). Both answer with a socket the client talks to
 * directly: berthd never relays a byte of a terminal. */
#include <errno.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "daemon/api/api.h"
#include "daemon/api/exec_input.h"
#include "common/error.h"
#include "daemon/servers/server_console.h"
#include "daemon/state/server_rows.h"

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
	rc = exec_request_read(rq->body, &x, &err);
	if (rc == 0)
		rc = running(d, arg, true, &s, &err);
	if (rc == 0)
		rc = console_exec_start(&s, &d->env, &x, sock, &err);
	exec_request_free(&x);
	if (rc < 0)
		api_reply_error(rep, &err);
	else
		reply_socket(rep, sock);
}
