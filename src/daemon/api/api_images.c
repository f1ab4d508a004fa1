/* api_images.c - /1.0/images: list, import, show, delete. An import is an upload: the
 * client sends the files (a tar archive) in the request, read with its own rights. The
 * older form naming files on berthd's host (absolute paths, an operation) is root's only:
 * berthd, as root, would open any file for anyone who may reach its socket. */
#include <errno.h>
#include <string.h>

#include "daemon/api/api.h"
#include "daemon/api/api_input.h"
#include "daemon/images/image_actions.h"
#include "daemon/state/projects.h"
#include "common/error.h"

void api_images_list(struct berthd *d, const struct http_request *rq, const char *arg,
		     struct http_reply *rep)
{
	struct berth_error err;
	sqlite3 *db = db_conn(&d->db, &err);
	json_t *list = db ? image_json_list(db, rq->project, &err) : NULL;

	(void)arg;
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

	uid_t uid;

	(void)arg;
	if (http_peer_uid(rq, &uid, &err)) {
		api_reply_error(rep, &err);
		return;
	}
	if (uid != 0) {
		http_reply_error(rep, 403,
				 "naming files on berthd's host is for root only: upload them "
				 "(Content-Type " HTTP_UPLOAD_TYPE "), as berth image import does");
		return;
	}
	if (api_refuse_body(rq, fields, rep))
		return;
	if (input_string(rq->body, "name", true, &name, &err) ||
	    read_source(rq->body, &src, &err)) {
		api_reply_error(rep, &err);
		return;
	}
	if (api_refuse_name("image", name, rep))
		return;
	if (image_start_import(d, name, rq->project ? rq->project : PROJECT_DEFAULT, &src, id,
			       &err))
		api_reply_error(rep, &err);
	else
		api_reply_operation(rep, id);
}

static ssize_t upload_data(void *ctx, const char *buf, size_t len, int *wait_fd,
			   struct http_reply *rep)
{
	struct berth_error err;
	ssize_t n = image_receive_data(ctx, buf, len, wait_fd, &err);

	if (n < 0)
		api_reply_error(rep, &err);
	return n;
}

static void upload_end(void *ctx, struct http_reply *rep)
{
	struct berth_error err;
	char id[OP_ID_LEN + 1];
	json_t *image = image_receive_end(ctx, id, &err);

	if (image)
		http_reply_json(rep, 201, image);
	else if (id[0])
		api_reply_operation(rep, id); /* a qcow2 disk being converted */
	else
		api_reply_error(rep, &err);
}

static void upload_release(void *ctx)
{
	image_receive_free(ctx);
}

void api_images_upload(struct berthd *d, const struct http_request *rq, struct http_upload *up,
		       struct http_reply *rep)
{
	const char *name = http_query(rq, "name"), *kind = http_query(rq, "kind");
	const char *q = http_query(rq, "cmdline"), *cmdline = NULL;
	struct image_receipt *r = NULL;
	struct berth_error err;
	json_t *opts;

	if (!name || !kind) {
		http_reply_error(rep, 400, "an image upload needs ?name=NAME&kind=vm|ct");
		return;
	}
	if (strcmp(kind, "vm") && strcmp(kind, "ct")) {
		http_reply_error(rep, 400, "kind must be vm or ct");
		return;
	}
	if (api_refuse_name("image", name, rep))
		return;
	/* The query's cmdline gets the checks of the JSON form's field, before any byte is
	 * written (nocheck: input_cmdline refuses what is not printable ASCII). */
	opts = json_object();
	if (!opts || (q && json_object_set_new(opts, "cmdline", json_string_nocheck(q)))) {
		json_decref(opts);
		http_reply_error(rep, 500, "out of memory");
		return;
	}
	if (input_cmdline(opts, "cmdline", SERVER_CMDLINE_MAX, &cmdline, &err) == 0)
		r = image_receive_begin(d, name, rq->project ? rq->project : PROJECT_DEFAULT,
					!strcmp(kind, "vm") ? KIND_VM : KIND_CT, cmdline, &err);
	json_decref(opts);
	if (!r) {
		api_reply_error(rep, &err);
		return;
	}
	*up = (struct http_upload){
		.ctx = r, .data = upload_data, .end = upload_end, .release = upload_release
	};
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
