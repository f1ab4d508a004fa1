/* api_projects.c - /1.0/projects (projects and their quotas) and /1.0/tokens (the network
 * API's bearer tokens): the operator's, on the Unix socket only (api.c). */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "daemon/api/api.h"
#include "daemon/api/api_input.h"
#include "daemon/state/projects.h"
#include "daemon/state/tokens.h"

/* The quota fields of body into q: a field absent stays UINT64_MAX (unchanged / none); 0
 * lifts a limit. */
static int read_quota(json_t *body, struct quota *q, struct berth_error *err)
{
	unsigned cpus = UINT32_MAX;

	*q = (struct quota){ UINT64_MAX, UINT64_MAX, UINT64_MAX };
	if (input_uint(body, "cpus", 0, 1u << 20, &cpus, err) ||
	    input_size(body, "memory", &q->memory, err) || input_size(body, "disk", &q->disk, err))
		return -1;
	if (cpus != UINT32_MAX)
		q->cpus = cpus;
	return 0;
}

static void reply_project(struct http_reply *rep, sqlite3 *db, const char *name, unsigned status)
{
	struct berth_error err;
	json_t *j = project_json(db, name, &err);

	if (j)
		http_reply_json(rep, status, j);
	else
		api_reply_error(rep, &err);
}

void api_projects_list(struct berthd *d, const struct http_request *rq, const char *arg,
		       struct http_reply *rep)
{
	struct berth_error err;
	sqlite3 *db = db_conn(&d->db, &err);
	json_t *list = db ? project_json_list(db, &err) : NULL;

	(void)rq, (void)arg;
	if (list)
		http_reply_json(rep, 200, list);
	else
		api_reply_error(rep, &err);
}

void api_projects_create(struct berthd *d, const struct http_request *rq, const char *arg,
			 struct http_reply *rep)
{
	static const char *const fields[] = { "name", "cpus", "memory", "disk", NULL };
	const char *name = NULL;
	struct berth_error err;
	struct quota q;
	sqlite3 *db;

	(void)arg;
	if (api_refuse_body(rq, fields, rep))
		return;
	db = db_conn(&d->db, &err);
	if (!db || input_string(rq->body, "name", true, &name, &err) ||
	    name_check("project", name, &err) || read_quota(rq->body, &q, &err) ||
	    project_create(db, name, &q, &err)) {
		api_reply_error(rep, &err);
		return;
	}
	reply_project(rep, db, name, 201);
}

void api_project_get(struct berthd *d, const struct http_request *rq, const char *arg,
		     struct http_reply *rep)
{
	struct berth_error err;
	sqlite3 *db;

	(void)rq;
	if (api_refuse_name("project", arg, rep))
		return;
	db = db_conn(&d->db, &err);
	if (!db)
		api_reply_error(rep, &err);
	else
		reply_project(rep, db, arg, 200);
}

void api_project_set(struct berthd *d, const struct http_request *rq, const char *arg,
		     struct http_reply *rep)
{
	static const char *const fields[] = { "cpus", "memory", "disk", NULL };
	struct berth_error err;
	struct quota q;
	sqlite3 *db;

	if (api_refuse_name("project", arg, rep) || api_refuse_body(rq, fields, rep))
		return;
	db = db_conn(&d->db, &err);
	if (!db || read_quota(rq->body, &q, &err) || project_set(db, arg, &q, &err)) {
		api_reply_error(rep, &err);
		return;
	}
	reply_project(rep, db, arg, 200);
}

void api_project_delete(struct berthd *d, const struct http_request *rq, const char *arg,
			struct http_reply *rep)
{
	struct berth_error err;
	sqlite3 *db;

	(void)rq;
	if (api_refuse_name("project", arg, rep))
		return;
	db = db_conn(&d->db, &err);
	if (!db || project_delete(db, arg, &err))
		api_reply_error(rep, &err);
	else
		http_reply_json(rep, 200, json_pack("{s:s}", "deleted", arg));
}

void api_tokens_list(struct berthd *d, const struct http_request *rq, const char *arg,
		     struct http_reply *rep)
{
	struct berth_error err;
	sqlite3 *db = db_conn(&d->db, &err);
	json_t *list = db ? token_json_list(db, rq->project, &err) : NULL;

	(void)arg;
	if (list)
		http_reply_json(rep, 200, list);
	else
		api_reply_error(rep, &err);
}

void api_tokens_create(struct berthd *d, const struct http_request *rq, const char *arg,
		       struct http_reply *rep)
{
	static const char *const fields[] = { "project", NULL };
	char token[TOKEN_LEN + 1], id[TOKEN_ID_LEN + 1];
	const char *project = NULL;
	struct berth_error err;
	sqlite3 *db;

	(void)arg;
	if (api_refuse_body(rq, fields, rep))
		return;
	db = db_conn(&d->db, &err);
	if (!db || input_string(rq->body, "project", true, &project, &err) ||
	    name_check("project", project, &err) || token_create(db, project, token, id, &err)) {
		api_reply_error(rep, &err);
		return;
	}
	http_reply_json(rep, 201,
			json_pack("{s:s, s:s, s:s}", "id", id, "project", project, "token", token));
}

void api_token_revoke(struct berthd *d, const struct http_request *rq, const char *arg,
		      struct http_reply *rep)
{
	struct berth_error err;
	sqlite3 *db;

	(void)rq;
	db = db_conn(&d->db, &err);
	if (!db || token_revoke(db, arg, &err))
		api_reply_error(rep, &err);
	else
		http_reply_json(rep, 200, json_pack("{s:s}", "revoked", arg));
}
