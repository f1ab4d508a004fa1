/* api_operations.c - GET /1.0/operations?limit=N (the newest first), /1.0/operations/ID and
 * /1.0/operations/ID/wait?timeout=S. */
#include <string.h>

#include "daemon/api/api.h"
#include "daemon/api/api_input.h"

#define WAIT_DEFAULT_S 30
#define WAIT_MAX_S     600
#define LIST_DEFAULT   100
#define LIST_MAX       1000

/* Operation ids are hex; anything else cannot name one. */
static bool bad_id(const char *id, struct http_reply *rep)
{
	if (strspn(id, "0123456789abcdef") == strlen(id) && strlen(id) == OP_ID_LEN)
		return false;
	http_reply_error(rep, 404, "no operation %.40s", id);
	return true;
}

void api_operations_list(struct berthd *d, const struct http_request *rq, const char *arg,
			 struct http_reply *rep)
{
	unsigned limit = LIST_DEFAULT;
	struct berth_error err;
	json_t *list;

	(void)arg;
	if (input_query_uint("limit", http_query(rq, "limit"), LIST_MAX, &limit, &err)) {
		api_reply_error(rep, &err);
		return;
	}
	list = ops_list(&d->ops, limit, &err);
	if (list)
		http_reply_json(rep, 200, list);
	else
		api_reply_error(rep, &err);
}

void api_operation_get(struct berthd *d, const struct http_request *rq, const char *arg,
		       struct http_reply *rep)
{
	struct berth_error err;
	json_t *j;

	(void)rq;
	if (bad_id(arg, rep))
		return;
	j = ops_get(&d->ops, arg, &err);
	if (j)
		http_reply_json(rep, 200, j);
	else
		api_reply_error(rep, &err);
}

void api_operation_wait(struct berthd *d, const struct http_request *rq, const char *arg,
			struct http_reply *rep)
{
	unsigned timeout = WAIT_DEFAULT_S;
	struct berth_error err;
	json_t *j;

	if (bad_id(arg, rep))
		return;
	if (input_query_uint("timeout", http_query(rq, "timeout"), WAIT_MAX_S, &timeout, &err)) {
		api_reply_error(rep, &err);
		return;
	}
	j = ops_get(&d->ops, arg, &err);
	if (!j) {
		api_reply_error(rep, &err);
		return;
	}
	/* Still running: no thread waits; the handler runs again after each event (an
	 * operation's end is one) and when the time is up. */
	if (timeout && !rq->last &&
	    !strcmp(json_string_value(json_object_get(j, "status")), "running")) {
		json_decref(j);
		http_reply_wait(rep, timeout);
		return;
	}
	http_reply_json(rep, 200, j);
}
