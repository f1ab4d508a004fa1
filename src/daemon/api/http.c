/* http.c - libmicrohttpd on berthd's Unix socket: bounded JSON bodies in, JSON out. */
#include "daemon/api/http.h"

#include <errno.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/unix_sock.h"
#include "daemon/api/berth_group.h"

struct http_server {
	struct MHD_Daemon *mhd;
	http_handler handler;
	void *app;
};

/* What has arrived of one request. */
struct pending {
	char *body;
	size_t len;
	bool too_large;
};

static int make_parent(const char *path, struct berth_error *err)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) && errno != EEXIST)
		return berr(err, errno, "cannot make the socket's directory %s", dir);
	return 0;
}

int http_listen(const char *path, int *out, struct berth_error *err)
{
	struct unix_listen_file file;
	int fd;

	if (make_parent(path, err))
		return -1;
	/* Root and the berth group may talk to berthd; nobody else. */
	fd = unix_listen(path, 0660, "--socket", &file, err);
	if (fd < 0)
		return -1;
	if (berth_group_give(path, err) < 0) {
		unix_listen_remove(path, &file);
		close(fd);
		return -1;
	}
	*out = fd;
	return 0;
}

const char *http_query(const struct http_request *rq, const char *key)
{
	return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, key);
}

void http_reply_json(struct http_reply *rep, unsigned status, json_t *json)
{
	json_decref(rep->json);
	rep->status = status;
	rep->json = json;
}

void http_reply_error(struct http_reply *rep, unsigned status, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	http_reply_json(rep, status, json_pack("{s:s, s:i}", "error", msg, "code", (int)status));
}

/* The body as a JSON object, or an error reply. */
static json_t *parse_body(const struct pending *p, struct http_reply *rep)
{
	json_error_t jerr;
	json_t *j;

	if (p->too_large) {
		http_reply_error(rep, 413, "request body too large: at most %d bytes",
				 HTTP_MAX_BODY);
		return NULL;
	}
	j = json_loadb(p->body, p->len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j) {
		http_reply_error(rep, 400, "malformed JSON at line %d column %d: %s", jerr.line,
				 jerr.column, jerr.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		http_reply_error(rep, 400, "the request body must be a JSON object");
		return NULL;
	}
	return j;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct http_reply *rep = cls;

	(void)pos;
	return rep->stream(rep->stream_ctx, buf, max);
}

static void stream_done(void *cls)
{
	struct http_reply *rep = cls;

	if (rep->stream_free)
		rep->stream_free(rep->stream_ctx);
	free(rep);
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, struct http_reply *rep)
{
	struct MHD_Response *resp;
	struct http_reply *kept;
	enum MHD_Result r;
	char *text;

	if (rep->stream) {
		kept = malloc(sizeof(*kept));
		if (!kept)
			return MHD_NO;
		*kept = *rep;
		resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_read, kept,
							 stream_done);
		if (!resp) {
			stream_done(kept);
			return MHD_NO;
		}
		MHD_add_response_header(resp, "Content-Type", "application/x-ndjson");
	} else {
		if (!rep->json)
			http_reply_error(rep, 500, "internal error: no reply");
		text = json_dumps(rep->json, JSON_COMPACT);
		if (!text || !(text = realloc(text, strlen(text) + 2)))
			return MHD_NO;
		strcat(text, "\n");
		resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
		if (!resp) {
			free(text);
			return MHD_NO;
		}
		MHD_add_response_header(resp, "Content-Type", "application/json");
	}
	r = MHD_queue_response(conn, rep->status, resp);
	MHD_destroy_response(resp);
	return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct http_server *srv = cls;
	struct pending *p = *con_cls;
	struct http_reply rep = { 0 };
	struct http_request rq = { .method = method, .path = url, .conn = conn };
	enum MHD_Result r;
	char *grown;

	(void)version;
	if (!p) {
		p = calloc(1, sizeof(*p));
		*con_cls = p;
		return p ? MHD_YES : MHD_NO;
	}
	if (*upload_size) {
		/* Past the limit the rest is read and dropped, so the client gets its 413. */
		if (!p->too_large && p->len + *upload_size <= HTTP_MAX_BODY) {
			grown = realloc(p->body, p->len + *upload_size);
			if (!grown)
				return MHD_NO;
			p->body = grown;
			memcpy(p->body + p->len, upload, *upload_size);
			p->len += *upload_size;
		} else {
			p->too_large = true;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (p->len || p->too_large)
		rq.body = parse_body(p, &rep);
	if (!rep.json)
		srv->handler(srv->app, &rq, &rep);
	json_decref(rq.body);
	r = send_reply(conn, &rep);
	json_decref(rep.json);
	return r;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode why)
{
	struct pending *p = *con_cls;

	(void)cls, (void)conn, (void)why;
	if (p) {
		free(p->body);
		free(p);
		*con_cls = NULL;
	}
}

int http_start(struct http_server **out, int fd, http_handler handler, void *app,
	       struct berth_error *err)
{
	struct http_server *srv = calloc(1, sizeof(*srv));

	if (!srv) {
		close(fd);
		return berr(err, ENOMEM, "http");
	}
	srv->handler = handler;
	srv->app = app;
	/* poll(), not select(): berthd raises its fd limit past FD_SETSIZE (main.c). */
	srv->mhd = MHD_start_daemon(
	    MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
		MHD_USE_ERROR_LOG | MHD_USE_ITC,
	    0, NULL, NULL, on_request, srv, MHD_OPTION_LISTEN_SOCKET, fd,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned)256, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(128 * 1024), MHD_OPTION_END);
	if (!srv->mhd) {
		close(fd);
		free(srv);
		return berr(err, 0, "cannot start the HTTP server on the API socket");
	}
	*out = srv;
	return 0;
}

void http_stop(struct http_server *srv)
{
	if (!srv)
		return;
	MHD_stop_daemon(srv->mhd);
	free(srv);
}
