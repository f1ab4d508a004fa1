/* http.h - the HTTP side of the API: libmicrohttpd in epoll mode on an AF_UNIX socket this
 * file makes, behind a gate that shares connections out per uid and enforces deadlines
 * (http_gate.h); handlers run on a few worker threads (http_work.h). Bodies are bounded
 * (HTTP_MAX_BODY, else 413) and parsed as JSON objects before the handler sees them (else
 * 400); a handler fills a reply. Every reply closes its connection. An upload (Content-Type
 * HTTP_UPLOAD_TYPE) is the exception: its body, unbounded here, goes to its handler piece by
 * piece as it arrives, never blocking the polling thread, and is never held whole. */
#ifndef BERTH_DAEMON_HTTP_H
#define BERTH_DAEMON_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "daemon/api/http_gate.h"

/* a create carries up to 64 KiB of user-data and 32 SSH keys of 8 KiB, JSON-escaped */
#define HTTP_MAX_BODY	 (768 * 1024)
#define HTTP_BACKLOG	 1024 /* connections waiting for the gate to accept them */
#define HTTP_OWN_FDS	 512  /* of RLIMIT_NOFILE, kept for what berthd does besides the API */
#define HTTP_UPLOAD_TYPE "application/x-tar"

struct MHD_Connection;

struct http_request {
	const char *method;
	const char *path;
	json_t *body; /* a JSON object, or NULL when the request had no body */
	struct MHD_Connection *conn;
	bool again; /* the handler is called again after http_reply_wait() */
	bool last;  /* ... and the wait is over: reply now */
};

/* A streaming reply's reader: write up to max bytes at buf; 0 when there is nothing yet
 * (it never blocks: it is called again after the next event); -1 ends the stream. Runs on
 * the polling thread, under the gate's lock. */
typedef ssize_t (*http_stream_fn)(void *ctx, char *buf, size_t max);

struct http_reply {
	unsigned status;
	json_t *json; /* owned by the reply */
	http_stream_fn stream;
	void *stream_ctx;
	void (*stream_free)(void *ctx);
	unsigned wait_s; /* http_reply_wait() */
};

/* Handle one request: fill rep (status and json, or a stream). */
typedef void (*http_handler)(void *app, const struct http_request *rq, struct http_reply *rep);

/* How an upload's body is taken. */
struct http_upload {
	void *ctx;
	/* On the polling thread, never blocking: take what can be taken of the len bytes at
	 * buf now. Returns the bytes taken; 0 when none can be now: the connection sleeps until
	 * *wait_fd is writable, its body-rate deadline stopped meanwhile. -1 refuses the
	 * upload: rep has the error, and the rest of the body is read and dropped. */
	ssize_t (*data)(void *ctx, const char *buf, size_t len, int *wait_fd,
			struct http_reply *rep);
	/* The body is whole: fill rep. On a worker. */
	void (*end)(void *ctx, struct http_reply *rep);
	/* Called last, always (also when the client went away before the end). On a worker,
	 * or on the polling thread when the connection ends before the body does. */
	void (*release)(void *ctx);
};

/* Take an upload (rq has no body yet): fill up, or refuse it by filling rep. On a worker. */
typedef void (*http_upload_handler)(void *app, const struct http_request *rq,
				    struct http_upload *up, struct http_reply *rep);

struct http_server;

/* Make the API socket at path: its directory if missing, mode 0660, group berth if that
 * group exists. A stale socket is replaced; a live one (another berthd) is an error. */
int http_listen(const char *path, int *fd, struct berth_error *err);

/* How many API connections berthd can hold with nofile file descriptors. */
unsigned http_capacity(unsigned nofile);

/* Serve on listening socket fd (taken over) with handler, and uploads with upload, within
 * lim. */
int http_start(struct http_server **out, int fd, const struct http_limits *lim,
	       http_handler handler, http_upload_handler upload, void *app,
	       struct berth_error *err);

/* Something happened (an event): wake the streams and waits asleep. srv is a struct
 * http_server; any thread. */
void http_notify(void *srv);

/* Stop serving: close the socket, end the streams and waits, stop the threads. */
void http_stop(struct http_server *srv);

/* A query argument of the request, or NULL. */
const char *http_query(const struct http_request *rq, const char *key);

/* The uid of the process at the other end of rq's connection (SO_PEERCRED, read by the
 * gate when it accepted the connection). */
int http_peer_uid(const struct http_request *rq, uid_t *uid, struct berth_error *err);

/* Reply with status and json (taken over). */
void http_reply_json(struct http_reply *rep, unsigned status, json_t *json);

/* Reply nothing yet: call the handler again (rq->again) after each event, and a last time
 * (rq->last) seconds after its first call, without holding a thread meanwhile. */
void http_reply_wait(struct http_reply *rep, unsigned seconds);

/* Reply {"error": message, "code": status}. */
void http_reply_error(struct http_reply *rep, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
