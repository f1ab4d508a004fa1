/* api.c - routing of API paths to handlers, and the reply shapes they share. */
#include "daemon/api/api.h"

#include <errno.h>
#include <string.h>

#include "common/names.h"
#include "daemon/api/api_input.h"

struct route {
	const char *method;
	const char *path; /* a '*' segment matches one segment, handed to fn */
	api_fn fn;
};

static const struct route routes[] = {
	{ "GET", "/1.0", api_root },
	{ "GET", "/1.0/host", api_host },
	{ "GET", "/1.0/plans", api_plans },
	{ "GET", "/1.0/servers", api_servers_list },
	{ "POST", "/1.0/servers", api_servers_create },
	{ "GET", "/1.0/servers/*", api_server_get },
	{ "PATCH", "/1.0/servers/*", api_server_resize },
	{ "DELETE", "/1.0/servers/*", api_server_delete },
	{ "PUT", "/1.0/servers/*/state", api_server_state },
	{ "GET", "/1.0/servers/*/console", api_server_console },
	{ "POST", "/1.0/servers/*/exec", api_server_exec },
	{ "GET", "/1.0/images", api_images_list },
	{ "POST", "/1.0/images", api_images_import },
	{ "GET", "/1.0/images/*", api_image_get },
	{ "DELETE", "/1.0/images/*", api_image_delete },
	{ "GET", "/1.0/operations", api_operations_list },
	{ "GET", "/1.0/operations/*", api_operation_get },
	{ "GET", "/1.0/operations/*/wait", api_operation_wait },
	{ "GET", "/1.0/events", api_events },
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

unsigned api_route(const char *method, const char *path, api_fn *fn, char arg[API_ARG_MAX])
{
	bool path_known = false;
	unsigned i;

	*fn = NULL;
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (!match(routes[i].path, path, arg))
			continue;
		path_known = true;
		if (!strcmp(routes[i].method, method)) {
			*fn = routes[i].fn;
			return 200;
		}
	}
	arg[0] = '\0';
	return path_known ? 405 : 404;
}

void api_handle(void *app, const struct http_request *rq, struct http_reply *rep)
{
	char arg[API_ARG_MAX];
	api_fn fn;

	switch (api_route(rq->method, rq->path, &fn, arg)) {
	case 200:
		fn(app, rq, arg[0] ? arg : NULL, rep);
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
	char arg[API_ARG_MAX];

	if (strcmp(rq->method, "POST") || !match("/1.0/images", rq->path, arg)) {
		http_reply_error(rep, 415,
				 "a body of type " HTTP_UPLOAD_TYPE
				 " is only taken by POST /1.0/images");
		return;
	}
	api_images_upload(app, rq, up, rep);
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
