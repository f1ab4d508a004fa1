/* http.h - the HTTP side of the API: libmicrohttpd, one thread per connection, on an
 * AF_UNIX socket this file makes. Bodies are bounded (HTTP_MAX_BODY, else 413) and parsed
 * as JSON objects before the handler sees them (else 400); a handler fills a reply. An
 * upload (Content-Type HTTP_UPLOAD_TYPE) is the exception: its body, unbounded here, goes
 * to its handler piece by piece as it arrives and is never held whole. */
#ifndef BERTH_DAEMON_HTTP_H
#define BERTH_DAEMON_HTTP_H

#include <jansson.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

#define HTTP_MAX_BODY	 (64 * 1024)
#define HTTP_UPLOAD_TYPE "application/x-tar"

struct MHD_Connection;

struct http_request {
	const char *method;
	const char *path;
	json_t *body; /* a JSON object, or NULL when the request had no body */
	struct MHD_Connection *conn;
};

/* A streaming reply's reader: write up to max bytes at buf; 0 bytes is not allowed (block
 * instead); -1 ends the stream. */
typedef ssize_t (*http_stream_fn)(void *ctx, char *buf, size_t max);

struct http_reply {
	unsigned status;
	json_t *json; /* owned by the reply */
	http_stream_fn stream;
	void *stream_ctx;
	void (*stream_free)(void *ctx);
};

/* Handle one request: fill rep (status and json, or a stream). */
typedef void (*http_handler)(void *app, const struct http_request *rq, struct http_reply *rep);

/* How an upload's body is taken. */
struct http_upload {
	void *ctx;
	/* The next len bytes. Non-zero refuses the upload: rep has the error, and the rest of
	 * the body is read and dropped before it is sent. */
	int (*data)(void *ctx, const char *buf, size_t len, struct http_reply *rep);
	/* The body is whole: fill rep. */
	void (*end)(void *ctx, struct http_reply *rep);
	/* Called last, always (also when the client went away before the end). */
	void (*release)(void *ctx);
};

/* Take an upload (rq has no body yet): fill up, or refuse it by filling rep. */
typedef void (*http_upload_handler)(void *app, const struct http_request *rq,
				    struct http_upload *up, struct http_reply *rep);

struct http_server;

/* Make the API socket at path: its directory if missing, mode 0660, group berth if that
 * group exists. A stale socket is replaced; a live one (another berthd) is an error. */
int http_listen(const char *path, int *fd, struct berth_error *err);

/* Serve on listening socket fd (taken over) with handler, and uploads with upload. */
int http_start(struct http_server **out, int fd, http_handler handler, http_upload_handler upload,
	       void *app, struct berth_error *err);

/* Stop serving: close the socket and wait for the connection threads. */
void http_stop(struct http_server *srv);

/* A query argument of the request, or NULL. */
const char *http_query(const struct http_request *rq, const char *key);

/* The uid of the process at the other end of rq's connection (SO_PEERCRED). */
int http_peer_uid(const struct http_request *rq, uid_t *uid, struct berth_error *err);

/* Reply with status and json (taken over). */
void http_reply_json(struct http_reply *rep, unsigned status, json_t *json);

/* Reply {"error": message, "code": status}. */
void http_reply_error(struct http_reply *rep, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
