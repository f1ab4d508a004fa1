/* api.h - the REST API, version 1.0 (docs/api/openapi.yaml): routing of paths to the
 * handlers of api_*.c and the shapes every reply shares. */
#ifndef BERTH_DAEMON_API_H
#define BERTH_DAEMON_API_H

#include "common/error.h"
#include "daemon/berthd.h"
#include "daemon/api/http.h"

/* The http_handler of berthd: app is the struct berthd. Settles who calls (a token over
 * the network, else the operator) and what project the request acts in (rq->project). */
void api_handle(void *app, const struct http_request *rq, struct http_reply *rep);

/* The http_upload_handler of berthd: POST /1.0/images takes an archive; nothing else does. */
void api_upload(void *app, const struct http_request *rq, struct http_upload *up,
		struct http_reply *rep);

/* Reply with err: 400 EINVAL, 403 EPERM, 404 ENOENT, 409 EEXIST/EBUSY/ENOSPC, 413 EFBIG,
 * 503 ESHUTDOWN, else 500. */
void api_reply_error(struct http_reply *rep, const struct berth_error *err);

/* Reply 202 {"operation": "/1.0/operations/ID", "id": ID}. */
void api_reply_operation(struct http_reply *rep, const char *id);

/* Refuse a request without a JSON body or with fields not in allowed; true when refused. */
bool api_refuse_body(const struct http_request *rq, const char *const allowed[],
		     struct http_reply *rep);

/* Refuse a name that is not a valid server/image name (what says which); true when refused. */
bool api_refuse_name(const char *what, const char *name, struct http_reply *rep);

/* Handlers: arg is the path's {name} or {id}, or NULL. */
typedef void (*api_fn)(struct berthd *d, const struct http_request *rq, const char *arg,
		       struct http_reply *rep);

/* Longest {name} or {id} segment of a path, with its NUL. */
#define API_ARG_MAX 128

/* Route method and path: 200 with *fn its handler and arg the path's '*' segment ("" when
 * none), else 405 (a known path, another method) or 404, *fn NULL and arg "". */
unsigned api_route(const char *method, const char *path, api_fn *fn, char arg[API_ARG_MAX]);

void api_root(struct berthd *d, const struct http_request *rq, const char *arg,
	      struct http_reply *rep);
void api_host(struct berthd *d, const struct http_request *rq, const char *arg,
	      struct http_reply *rep);
void api_plans(struct berthd *d, const struct http_request *rq, const char *arg,
	       struct http_reply *rep);
void api_servers_list(struct berthd *d, const struct http_request *rq, const char *arg,
		      struct http_reply *rep);
void api_servers_create(struct berthd *d, const struct http_request *rq, const char *arg,
			struct http_reply *rep);
void api_server_get(struct berthd *d, const struct http_request *rq, const char *arg,
		    struct http_reply *rep);
void api_server_resize(struct berthd *d, const struct http_request *rq, const char *arg,
		       struct http_reply *rep);
void api_server_delete(struct berthd *d, const struct http_request *rq, const char *arg,
		       struct http_reply *rep);
void api_server_state(struct berthd *d, const struct http_request *rq, const char *arg,
		      struct http_reply *rep);
/* api_console.c: where to attach to a server's console; a command in a container. */
void api_server_console(struct berthd *d, const struct http_request *rq, const char *arg,
			struct http_reply *rep);
void api_server_exec(struct berthd *d, const struct http_request *rq, const char *arg,
		     struct http_reply *rep);
void api_images_list(struct berthd *d, const struct http_request *rq, const char *arg,
		     struct http_reply *rep);
void api_images_import(struct berthd *d, const struct http_request *rq, const char *arg,
		       struct http_reply *rep);
/* POST /1.0/images?name=NAME&kind=vm|ct with an archive body (api_upload). */
void api_images_upload(struct berthd *d, const struct http_request *rq, struct http_upload *up,
		       struct http_reply *rep);
void api_image_get(struct berthd *d, const struct http_request *rq, const char *arg,
		   struct http_reply *rep);
void api_image_delete(struct berthd *d, const struct http_request *rq, const char *arg,
		      struct http_reply *rep);
void api_operations_list(struct berthd *d, const struct http_request *rq, const char *arg,
			 struct http_reply *rep);
void api_operation_get(struct berthd *d, const struct http_request *rq, const char *arg,
		       struct http_reply *rep);
void api_operation_wait(struct berthd *d, const struct http_request *rq, const char *arg,
			struct http_reply *rep);
void api_events(struct berthd *d, const struct http_request *rq, const char *arg,
		struct http_reply *rep);
/* api_projects.c: projects and their quotas; tokens (the operator's). */
void api_projects_list(struct berthd *d, const struct http_request *rq, const char *arg,
		       struct http_reply *rep);
void api_projects_create(struct berthd *d, const struct http_request *rq, const char *arg,
			 struct http_reply *rep);
void api_project_get(struct berthd *d, const struct http_request *rq, const char *arg,
		     struct http_reply *rep);
void api_project_set(struct berthd *d, const struct http_request *rq, const char *arg,
		     struct http_reply *rep);
void api_project_delete(struct berthd *d, const struct http_request *rq, const char *arg,
			struct http_reply *rep);
void api_tokens_list(struct berthd *d, const struct http_request *rq, const char *arg,
		     struct http_reply *rep);
void api_tokens_create(struct berthd *d, const struct http_request *rq, const char *arg,
		       struct http_reply *rep);
void api_token_revoke(struct berthd *d, const struct http_request *rq, const char *arg,
		      struct http_reply *rep);

#endif
