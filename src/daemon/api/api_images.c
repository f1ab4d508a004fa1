/* api_images.c - /1.0/images: list, import (an operation), show, delete. Paths in an
 * import are on berthd's host and must be absolute. */
#include <errno.h>
#include <string.h>

#include "daemon/api/api.h"
#include "daemon/api/api_input.h"
#include "daemon/images/image_actions.h"
#include "common/error.h"

void api_images_list(struct berthd *d, const struct http_request *rq, const char *arg,
		     struct http_reply *rep)
{
	struct berth_error err;
	sqlite3 *db = db_conn(&d->db, &err);
	json_t *list = db ? image_json_list(db, &err) : NULL;

	(void)rq, (void)arg;
	if (list)
		http_reply_json(rep, 200, list);
	else
		api_reply_error(rep, &err);
}

static int read_path(json_t *body, const char *key, bool required, const char **out,
		     struct berth_error *err)
{
	if (input_string(body, key, required, out, err))
		return -1;
	if (*out && (*out)[0] != '/')
		return refuse(err, EINVAL, "field '%s' must be an absolute path on berthd's host",
			      key);
	return 0;
}

static int read_source(json_t *body, struct image_source *src, struct berth_error *err)
{
	const char *kind = NULL;

	memset(src, 0, sizeof(*src));
	if (input_string(body, "kind", true, &kind, err))
		return -1;
	if (!strcmp(kind, "ct")) {
		src->kind = KIND_CT;
		if (json_object_get(body, "kernel") || json_object_get(body, "initrd") ||
		    json_object_get(body, "disk") || json_object_get(body, "cmdline"))
			return refuse(
			    err, EINVAL,
			    "a ct image takes 'rootfs' only (kernel, initrd, disk, cmdline "
			    "are for vm)");
		return read_path(body, "rootfs", true, &src->rootfs, err);
	}
	if (!strcmp(kind, "vm")) {
		src->kind = KIND_VM;
		if (json_object_get(body, "rootfs"))
			return refuse(err, EINVAL,
				      "a vm image takes 'kernel', 'initrd', 'disk' and 'cmdline', "
				      "not 'rootfs'");
		return read_path(body, "kernel", false, &src->kernel, err) ||
		       read_path(body, "initrd", false, &src->initrd, err) ||
		       read_path(body, "disk", false, &src->disk, err) ||
		       input_cmdline(body, "cmdline", SERVER_CMDLINE_MAX, &src->cmdline, err);
	}
	return refuse(err, EINVAL, "field 'kind' must be \"vm\" or \"ct\"");
}

void api_images_import(struct berthd *d, const struct http_request *rq, const char *arg,
		       struct http_reply *rep)
{
	static const char *const fields[] = { "name",	"kind", "rootfs",  "kernel",
					      "initrd", "disk", "cmdline", NULL };
	const char *name = NULL;
	char id[OP_ID_LEN + 1];
	struct image_source src;
	struct berth_error err;

	(void)arg;
	if (api_refuse_body(rq, fields, rep))
		return;
	if (input_string(rq->body, "name", true, &name, &err) ||
	    read_source(rq->body, &src, &err)) {
		api_reply_error(rep, &err);
		return;
	}
	if (api_refuse_name("image", name, rep))
		return;
	if (image_start_import(d, name, &src, id, &err))
		api_reply_error(rep, &err);
	else
		api_reply_operation(rep, id);
}

void api_image_get(struct berthd *d, const struct http_request *rq, const char *arg,
		   struct http_reply *rep)
{
	struct berth_error err;
	sqlite3 *db;
	json_t *j;

	(void)rq;
	if (api_refuse_name("image", arg, rep))
		return;
	db = db_conn(&d->db, &err);
	j = db ? image_json(db, arg, &err) : NULL;
	if (j)
		http_reply_json(rep, 200, j);
	else
		api_reply_error(rep, &err);
}

void api_image_delete(struct berthd *d, const struct http_request *rq, const char *arg,
		      struct http_reply *rep)
{
	struct berth_error err;

	(void)rq;
	if (api_refuse_name("image", arg, rep))
		return;
	if (image_delete(d, arg, &err))
		api_reply_error(rep, &err);
	else
		http_reply_json(rep, 200, json_pack("{s:s}", "deleted", arg));
}
