/* request.c - parsing API request lines and building reply lines (pure: no sockets, no VM). */
#include "request.h"

#include <stdlib.h>
#include <string.h>

/* Names longer than this are not echoed in error messages (cutting one could split UTF-8). */
#define API_MAX_NAME 64

static const char *const cmd_names[] = {
	[API_STATUS] = "status",
	[API_PAUSE] = "pause",
	[API_RESUME] = "resume",
	[API_SHUTDOWN] = "shutdown",
	[API_STOP] = "stop",
	[API_WATCH] = "watch",
	[API_DISK_RESIZE] = "disk-resize",
	[API_SCREENDUMP] = "screendump",
};

const char *api_cmd_name(enum api_cmd cmd)
{
	return cmd_names[cmd];
}

static int parse_cmd(json_t *v, enum api_cmd *cmd, struct berth_error *err)
{
	const char *name;
	size_t i;

	if (!json_is_string(v))
		return berr(err, 0, "\"cmd\" must be a string");
	name = json_string_value(v);
	for (i = 0; i < sizeof(cmd_names) / sizeof(cmd_names[0]); i++) {
		if (strlen(cmd_names[i]) == json_string_length(v) && !strcmp(name, cmd_names[i])) {
			*cmd = (enum api_cmd)i;
			return 0;
		}
	}
	return berr(err, 0,
		    "unknown command '%s' (status, pause, resume, shutdown, stop, watch, "
		    "disk-resize or screendump)",
		    json_string_length(v) <= API_MAX_NAME ? name : "...");
}

static int check_id(json_t *v, struct berth_error *err)
{
	if (json_is_integer(v))
		return 0;
	if (json_is_string(v) && json_string_length(v) <= API_MAX_ID)
		return 0;
	return berr(err, 0, "\"id\" must be an integer or a string of at most %d bytes",
		    API_MAX_ID);
}

static int parse_disk(json_t *v, unsigned *disk, struct berth_error *err)
{
	json_int_t n = json_is_integer(v) ? json_integer_value(v) : -1;

	if (n < 0 || n > API_MAX_DISK)
		return berr(err, 0, "\"disk\" must be a disk number from 0 to %d", API_MAX_DISK);
	*disk = (unsigned)n;
	return 0;
}

int api_request_parse(const char *line, size_t len, struct api_request *req,
		      struct berth_error *err)
{
	json_error_t jerr;
	json_t *root, *v;
	const char *key;
	bool have_cmd = false, have_disk = false;

	memset(req, 0, sizeof(*req));
	root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return berr(err, 0, "not JSON: %s (at byte %d)", jerr.text, jerr.position);
	if (!json_is_object(root)) {
		json_decref(root);
		return berr(err, 0, "a request must be a JSON object, e.g. {\"cmd\":\"status\"}");
	}
	json_object_foreach(root, key, v)
	{
		if (!strcmp(key, "cmd")) {
			if (parse_cmd(v, &req->cmd, err))
				goto fail;
			have_cmd = true;
		} else if (!strcmp(key, "id")) {
			if (check_id(v, err))
				goto fail;
			req->id = json_incref(v);
		} else if (!strcmp(key, "disk")) {
			if (parse_disk(v, &req->disk, err))
				goto fail;
			have_disk = true;
		} else {
			berr(err, 0,
			     "unknown field '%s' (a request has \"cmd\", an optional \"id\", and "
			     "for disk-resize an optional \"disk\")",
			     strlen(key) <= API_MAX_NAME ? key : "...");
			goto fail;
		}
	}
	if (!have_cmd) {
		berr(err, 0, "no \"cmd\" in the request, e.g. {\"cmd\":\"status\"}");
		goto fail;
	}
	if (have_disk && req->cmd != API_DISK_RESIZE) {
		berr(err, 0, "\"disk\" belongs to disk-resize only");
		goto fail;
	}
	json_decref(root);
	return 0;
fail:
	api_request_release(req);
	json_decref(root);
	return -1;
}

void api_request_release(struct api_request *req)
{
	json_decref(req->id);
	req->id = NULL;
}

/* {"ok":ok, "id":id, ...fields}: "ok" first, for a reader's eye. Takes fields. */
static json_t *reply(json_t *id, bool ok, json_t *fields)
{
	json_t *r = json_object();

	if (r &&
	    (json_object_set_new(r, "ok", json_boolean(ok)) ||
	     (id && json_object_set(r, "id", id)) || (fields && json_object_update(r, fields)))) {
		json_decref(r);
		r = NULL;
	}
	json_decref(fields);
	return r;
}

json_t *api_reply_ok(json_t *id, json_t *fields)
{
	return reply(id, true, fields);
}

json_t *api_reply_error(json_t *id, const char *msg)
{
	json_t *text = json_string(msg);

	/* Every message is built from valid UTF-8, but never reply without an error text. */
	if (!text)
		text = json_string("the request could not be handled");
	return reply(id, false, json_pack("{s:o}", "error", text));
}

char *api_line(json_t *msg, size_t *len)
{
	char *s, *line;
	size_t n;

	s = json_dumps(msg, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	if (!s)
		return NULL;
	n = strlen(s);
	line = realloc(s, n + 2);
	if (!line) {
		free(s);
		return NULL;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	*len = n + 1;
	return line;
}
