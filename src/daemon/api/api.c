/* api.c - routing of API paths to handlers, and the reply shapes they share. Who calls
 * is settled here, before any handler runs: over the network (TLS), a bearer token names
 * the project the request acts in, and a path naming another project's server, image or
 * operation is 404 as if it did not exist; on the Unix socket the operator acts in every
 * project, or in one with ?project=. */
#include "daemon/api/api.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "common/names.h"
#include "daemon/api/api_input.h"
#include "daemon/state/projects.h"
#include "daemon/state/tokens.h"

/* What a route's '*' names, for the project check; or that it is the operator's alone. */
enum route_scope {
	SCOPE_NONE,	 /* no '*', or nothing of a project's */
	SCOPE_SERVER,	 /* '*' is a server */
	SCOPE_IMAGE,	 /* '*' is an image */
	SCOPE_OPERATION, /* '*' is an operation, of a server or an image */
	SCOPE_PROJECT,	 /* '*' is a project: a token's own only */
	SCOPE_OPERATOR,	 /* the Unix socket's only: host paths, all projects, admin */
};

struct route {
	const char *method;
	const char *path; /* a '*' segment matches one segment, handed to fn */
	api_fn fn;
	enum route_scope scope;
};

static const struct route routes[] = {
	{ "GET", "/1.0", api_root, SCOPE_NONE },
	{ "GET", "/1.0/host", api_host, SCOPE_NONE },
	{ "GET", "/1.0/plans", api_plans, SCOPE_NONE },
	{ "GET", "/1.0/servers", api_servers_list, SCOPE_NONE },
	{ "POST", "/1.0/servers", api_servers_create, SCOPE_NONE },
	{ "GET", "/1.0/servers/*", api_server_get, SCOPE_SERVER },
	{ "PATCH", "/1.0/servers/*", api_server_resize, SCOPE_SERVER },
	{ "DELETE", "/1.0/servers/*", api_server_delete, SCOPE_SERVER },
	{ "PUT", "/1.0/servers/*/state", api_server_state, SCOPE_SERVER },
	/* a console and an exec are Unix sockets on berthd's host */
	{ "GET", "/1.0/servers/*/console", api_server_console, SCOPE_OPERATOR },
	{ "POST", "/1.0/servers/*/exec", api_server_exec, SCOPE_OPERATOR },
	{ "GET", "/1.0/images", api_images_list, SCOPE_NONE },
	/* the JSON form names files on berthd's host; an upload goes by api_upload */
	{ "POST", "/1.0/images", api_images_import, SCOPE_OPERATOR },
	{ "GET", "/1.0/images/*", api_image_get, SCOPE_IMAGE },
	{ "DELETE", "/1.0/images/*", api_image_delete, SCOPE_IMAGE },
	/* the list and the event stream name every project's servers */
	{ "GET", "/1.0/operations", api_operations_list, SCOPE_OPERATOR },
	{ "GET", "/1.0/operations/*", api_operation_get, SCOPE_OPERATION },
	{ "GET", "/1.0/operations/*/wait", api_operation_wait, SCOPE_OPERATION },
	{ "GET", "/1.0/events", api_events, SCOPE_OPERATOR },
	{ "GET", "/1.0/projects", api_projects_list, SCOPE_OPERATOR },
	{ "POST", "/1.0/projects", api_projects_create, SCOPE_OPERATOR },
	{ "GET", "/1.0/projects/*", api_project_get, SCOPE_PROJECT },
	{ "PATCH", "/1.0/projects/*", api_project_set, SCOPE_OPERATOR },
	{ "DELETE", "/1.0/projects/*", api_project_delete, SCOPE_OPERATOR },
	{ "GET", "/1.0/tokens", api_tokens_list, SCOPE_OPERATOR },
	{ "POST", "/1.0/tokens", api_tokens_create, SCOPE_OPERATOR },
	{ "DELETE", "/1.0/tokens/*", api_token_revoke, SCOPE_OPERATOR },
};

/* Does path match pattern? The '*' segment goes to arg ("" when none). */
static bool match(const char *pattern, const char *path, char arg[API_ARG_MAX])
{
	size_t n;

	arg[0] = '\0';
	while (*pattern && *path) {
		if (*pattern == '*') {
			n = strcspn(path, "/");
			if (n == 0 || n >= API_ARG_MAX)
				return false;
			memcpy(arg, path, n);
			arg[n] = '\0';
			path += n;
			pattern++;
			continue;
		}
		if (*pattern++ != *path++)
			return false;
	}
	if (*path == '/' && !path[1])
		path++; /* a trailing slash is fine */
	return !*pattern && !*path;
}

/* The route of method and path (see api_route), or NULL. */
static const struct route *find(const char *method, const char *path, char arg[API_ARG_MAX],
				unsigned *status)
{
	bool path_known = false;
	unsigned i;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (!match(routes[i].path, path, arg))
			continue;
		path_known = true;
		if (!strcmp(routes[i].method, method)) {
			*status = 200;
			return &routes[i];
		}
	}
	arg[0] = '\0';
	*status = path_known ? 405 : 404;
	return NULL;
}

unsigned api_route(const char *method, const char *path, api_fn *fn, char arg[API_ARG_MAX])
{
	const struct route *r;
	unsigned status;

	r = find(method, path, arg, &status);
	*fn = r ? r->fn : NULL;
	return status;
}

/* Who calls: a network request's bearer token gives its project (else 401); the operator's
 * ?project= picks one (else every project). rq->project then points into project. */
static int caller(struct berthd *d, struct http_request *rq, char project[SERVER_NAME_MAX + 1],
		  struct http_reply *rep)
{
	const char *auth, *q;
	struct berth_error err;
	sqlite3 *db = db_conn(&d->db, &err);

	if (!db) {
		api_reply_error(rep, &err);
		return -1;
	}
	if (rq->remote) {
		auth = http_header(rq, "Authorization");
		if (!auth || strncasecmp(auth, "Bearer ", 7)) {
			http_reply_error(
			    rep, 401,
			    "a bearer token is needed (Authorization: Bearer TOKEN; the "
			    "operator makes one with berth token create --project P)");
			return -1;
		}
		if (token_verify(db, auth + 7, project, &err)) {
			if (err.errnum == EACCES)
				http_reply_error(rep, 401, "wrong or revoked token");
			else
				api_reply_error(rep, &err);
			return -1;
		}
		rq->project = project;
		return 0;
	}
	q = http_query(rq, "project");
	if (!q)
		return 0;
	if (name_check("project", q, &err) || project_exists(db, q, &err)) {
		api_reply_error(rep, &err);
		return -1;
	}
	snprintf(project, SERVER_NAME_MAX + 1, "%s", q);
	rq->project = project;
	return 0;
}

/* Is what arg names (route r's scope) rq->project's? */
static bool owns(struct berthd *d, const struct http_request *rq, const struct route *r,
		 const char *arg)
{
	struct berth_error err;
	sqlite3 *db = db_conn(&d->db, &err);

	if (!db)
		return false;
	switch (r->scope) {
	case SCOPE_SERVER:
		return project_owns(db, rq->project, "servers", arg);
	case SCOPE_IMAGE:
		return project_owns(db, rq->project, "images", arg);
	case SCOPE_OPERATION:
		return project_owns(db, rq->project, "operations", arg);
	case SCOPE_PROJECT:
		return !strcmp(rq->project, arg);
	default:
		return true;
	}
}

void api_handle(void *app, const struct http_request *rq, struct http_reply *rep)
{
	char arg[API_ARG_MAX], project[SERVER_NAME_MAX + 1];
	struct http_request scoped = *rq;
	const struct route *r;
	unsigned status;

	if (caller(app, &scoped, project, rep))
		return;
	r = find(rq->method, rq->path, arg, &status);
	switch (status) {
	case 200:
		if (scoped.remote && r->scope == SCOPE_OPERATOR) {
			http_reply_error(
			    rep, 403, "%.16s %.200s is for the operator, on berthd's Unix socket",
			    rq->method, rq->path);
			break;
		}
		if (scoped.project && arg[0] && !owns(app, &scoped, r, arg)) {
			http_reply_error(rep, 404, "no %s %.128s",
					 r->scope == SCOPE_IMAGE       ? "image"
					 : r->scope == SCOPE_OPERATION ? "operation"
					 : r->scope == SCOPE_PROJECT   ? "project"
								       : "server",
					 arg);
			break;
		}
		r->fn(app, &scoped, arg[0] ? arg : NULL, rep);
		break;
	case 405:
		http_reply_error(rep, 405, "method %.16s is not allowed on %.200s", rq->method,
				 rq->path);
		break;
	default:
		http_reply_error(rep, 404, "no such API path: %.200s (see docs/api/openapi.yaml)",
				 rq->path);
	}
}

void api_upload(void *app, const struct http_request *rq, struct http_upload *up,
		struct http_reply *rep)
{
	char arg[API_ARG_MAX], project[SERVER_NAME_MAX + 1];
	struct http_request scoped = *rq;

	if (caller(app, &scoped, project, rep))
		return;
	if (strcmp(rq->method, "POST") || !match("/1.0/images", rq->path, arg)) {
		http_reply_error(rep, 415,
				 "a body of type " HTTP_UPLOAD_TYPE
				 " is only taken by POST /1.0/images");
		return;
	}
	api_images_upload(app, &scoped, up, rep);
}

void api_reply_error(struct http_reply *rep, const struct berth_error *err)
{
	unsigned status;

	switch (err->errnum) {
	case EINVAL:
		status = 400;
		break;
	case EPERM:
		status = 403;
		break;
	case ENOENT:
		status = 404;
		break;
	case EFBIG:
		status = 413;
		break;
	case EEXIST:
	case EBUSY:
	case ENOSPC:
		status = 409;
		break;
	case ESHUTDOWN:
		status = 503;
		break;
	default:
		status = 500;
	}
	http_reply_error(rep, status, "%s", err->msg[0] ? err->msg : "internal error");
}

void api_reply_operation(struct http_reply *rep, const char *id)
{
	char path[64 + OP_ID_LEN];

	snprintf(path, sizeof(path), "/1.0/operations/%s", id);
	http_reply_json(rep, 202, json_pack("{s:s, s:s}", "operation", path, "id", id));
}

bool api_refuse_body(const struct http_request *rq, const char *const allowed[],
		     struct http_reply *rep)
{
	struct berth_error err;

	if (!rq->body) {
		http_reply_error(rep, 400, "this request needs a JSON object body");
		return true;
	}
	if (input_fields(rq->body, allowed, &err)) {
		api_reply_error(rep, &err);
		return true;
	}
	return false;
}

bool api_refuse_name(const char *what, const char *name, struct http_reply *rep)
{
	struct berth_error err;

	if (name_check(what, name, &err) == 0)
		return false;
	http_reply_error(rep, 400, "%s", err.msg);
	return true;
}
