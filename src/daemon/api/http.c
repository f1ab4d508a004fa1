/* http.c - libmicrohttpd on berthd's Unix socket: bounded JSON bodies in, JSON out. One
 * polling thread (the gate's, driving libmicrohttpd's epoll set) reads and writes every
 * connection; a request, once whole, is
 * suspended while a worker (http_work.c) runs its handler; a stream or a wait sleeps,
 * suspended, until the gate (http_gate.c) wakes it. An upload's body goes on, piece by
 * piece, from the polling thread to where its handler sends it (tar's socket) without ever
 * blocking: when that is full, the connection is suspended and held by the gate until it is
 * writable. Its start and end (a database, a child to reap, files to check) run on a worker. */
#include "daemon/api/http.h"

#include <errno.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/unix_sock.h"
#include "daemon/api/berth_group.h"
#include "daemon/api/http_gate.h"
#include "daemon/api/http_work.h"

struct http_server {
	struct MHD_Daemon *mhd;
	struct http_gate *gate;
	struct http_work work;
	http_handler handler;
	http_upload_handler upload;
	void *app;
	bool remote;   /* the TLS listener */
	bool stopping; /* the workers are gone: an upload's release runs where it ends */
};

enum request_state {
	RQ_READING, /* the body is coming */
	RQ_WORKING, /* suspended: a worker runs the handler */
	RQ_WAITING, /* suspended: the handler asked to be called again (http_reply_wait) */
	RQ_REPLYING /* resumed with a reply to send */
};

/* One request, from its headers to its end. */
struct request {
	struct work_job job;
	struct http_server *srv;
	struct http_conn *conn;
	struct MHD_Connection *mhd;
	const char *method, *url;
	enum request_state state;
	char *body;
	size_t len;
	bool too_large;
	int64_t deadline; /* of a wait, ms */
	bool again;
	struct http_reply rep;
	bool is_upload; /* the body goes to up as it arrives */
	bool begun;	/* the upload handler ran */
	bool resumed;	/* ... and no piece of the body came since */
	bool waits;	/* the client waits for "100 Continue" before it sends the body */
	struct http_upload up;
	struct http_reply refusal; /* an upload refused on the way: sent once the body is read */
};

/* An upload's release, run on a worker after its connection ended. */
struct release_job {
	struct work_job job;
	struct http_upload up;
};

/* A streaming reply being sent. */
struct stream {
	struct http_reply rep;
	struct http_server *srv;
	struct http_conn *conn;
	struct MHD_Connection *mhd;
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
	/* A deeper queue than unix_listen()'s: many clients may connect at once, and the gate
	 * takes them off it quickly. */
	if ((listen(fd, HTTP_BACKLOG) < 0 && berr(err, errno, "cannot listen on %s", path)) ||
	    berth_group_give(path, err) < 0) {
		unix_listen_remove(path, &file);
		close(fd);
		return -1;
	}
	*out = fd;
	return 0;
}

int http_peer_uid(const struct http_request *rq, uid_t *uid, struct berth_error *err)
{
	const union MHD_ConnectionInfo *info =
	    MHD_get_connection_info(rq->conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	const struct http_conn *c = info ? info->socket_context : NULL;

	if (!c)
		return berr(err, EIO, "cannot tell who is calling");
	*uid = c->uid;
	return 0;
}

const char *http_header(const struct http_request *rq, const char *key)
{
	return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, key);
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

void http_reply_wait(struct http_reply *rep, unsigned seconds)
{
	rep->wait_s = seconds;
}

/* The body as a JSON object, or an error reply. */
static json_t *parse_body(const struct request *p, struct http_reply *rep)
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

/* A worker, for an upload: its start (the upload handler) or its end. false when the body
 * is to come: the connection was resumed to read it. */
static bool run_upload(struct request *p, const struct http_request *rq, struct http_reply *rep)
{
	struct http_gate *gate = p->srv->gate;

	if (!p->begun) {
		p->begun = true;
		p->srv->upload(p->srv->app, rq, &p->up, rep);
		if (rep->json && p->waits)
			return true; /* refused before its body, which never comes: answered now */
		if (rep->json) {
			/* The body is on its way: answered now, the connection would close on
			 * unread bytes and the client could lose the reply to a reset. It is read
			 * and dropped, and the refusal sent at its end. */
			p->refusal = *rep;
			*rep = (struct http_reply){ 0 };
		}
		gate_lock(gate);
		p->state = RQ_READING;
		p->resumed = true;
		gate_phase(p->conn, CONN_BODY);
		MHD_resume_connection(p->mhd);
		gate_unlock(gate);
		gate_kick(gate);
		return false;
	}
	if (p->refusal.json) {
		*rep = p->refusal;
		p->refusal.json = NULL;
	} else {
		p->up.end(p->up.ctx, rep);
	}
	/* Whatever a failed upload made is gone before the client hears of the failure. */
	if (p->up.release)
		p->up.release(p->up.ctx);
	p->up.release = NULL;
	return true;
}

/* A worker: run the handler of request p, suspended meanwhile; resume it with the reply,
 * or leave it asleep when the handler asked to wait. */
static void run_handler(struct work_job *job)
{
	struct request *p = (struct request *)job;
	struct http_gate *gate = p->srv->gate; /* p may be gone once the lock is let go */
	struct http_request rq = {
		.method = p->method, .path = p->url, .conn = p->mhd, .remote = p->srv->remote
	};
	struct http_reply rep = { 0 };
	int64_t now = gate_now();
	uint64_t notified = gate_notified(gate); /* before the handler looks */

	rq.again = p->again;
	rq.last = p->again && now >= p->deadline;
	if (p->is_upload) {
		if (!run_upload(p, &rq, &rep))
			return;
	} else {
		if (p->len || p->too_large)
			rq.body = parse_body(p, &rep);
		if (!rep.json)
			p->srv->handler(p->srv->app, &rq, &rep);
	}
	json_decref(rq.body);
	gate_lock(gate);
	if (rep.wait_s && !rep.json && !rep.stream && !rq.last) {
		if (!p->again)
			p->deadline = now + (int64_t)rep.wait_s * 1000;
		if (gate_notified(gate) != notified) {
			/* An event came while the handler looked: its wake-up found this one
			 * busy, not asleep. Look again rather than sleep through it. */
			p->again = true;
			gate_unlock(gate);
			work_push(&p->srv->work, &p->job);
			return;
		}
		p->state = RQ_WAITING;
		gate_sleep(p->conn, p->deadline);
	} else {
		p->rep = rep;
		p->state = RQ_REPLYING;
		MHD_resume_connection(p->mhd);
	}
	gate_unlock(gate);
	gate_kick(gate);
}

/* The gate wakes connection c (lock held). */
static void on_wake(void *ctx, struct http_conn *c)
{
	struct http_server *srv = ctx;
	struct request *p = c->owner;

	if (!p)
		return;
	if (p->state != RQ_WAITING) {
		MHD_resume_connection(p->mhd); /* a stream: its reader looks again */
	} else if (c->gone) {
		p->state = RQ_REPLYING; /* with no reply: the connection ends */
		MHD_resume_connection(p->mhd);
	} else {
		p->again = true;
		p->state = RQ_WORKING;
		work_push(&srv->work, &p->job);
	}
}

static bool hand_over(void *ctx, int fd, const struct sockaddr *addr, socklen_t len)
{
	struct http_server *srv = ctx;

	return MHD_add_connection(srv->mhd, fd, addr, len) == MHD_YES;
}

static int64_t run(void *ctx)
{
	struct http_server *srv = ctx;
	MHD_UNSIGNED_LONG_LONG ms;

	MHD_run(srv->mhd);
	return MHD_get_timeout(srv->mhd, &ms) == MHD_YES && ms < INT64_MAX ? (int64_t)ms
									   : INT64_MAX;
}

/* Polling thread: the next piece of a stream; when there is none yet, the connection
 * sleeps until the gate wakes it (a new event, or its client hung up). */
static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *st = cls;
	bool gone;
	ssize_t n;

	(void)pos;
	gate_lock(st->srv->gate);
	/* Under the lock: an event published after this look wakes the sleep below. */
	gone = st->conn->gone;
	n = gone ? -1 : st->rep.stream(st->rep.stream_ctx, buf, max);
	if (n == 0) {
		gate_sleep(st->conn, 0);
		MHD_suspend_connection(st->mhd);
	}
	gate_unlock(st->srv->gate);
	if (n < 0)
		return gone ? MHD_CONTENT_READER_END_WITH_ERROR : MHD_CONTENT_READER_END_OF_STREAM;
	return n;
}

static void stream_done(void *cls)
{
	struct stream *st = cls;

	if (st->rep.stream_free)
		st->rep.stream_free(st->rep.stream_ctx);
	free(st);
}

static struct MHD_Response *stream_response(struct request *p)
{
	struct stream *st = malloc(sizeof(*st));
	struct MHD_Response *resp;

	if (!st)
		return NULL;
	*st = (struct stream){ .rep = p->rep, .srv = p->srv, .conn = p->conn, .mhd = p->mhd };
	p->rep.stream_free = NULL; /* the stream's now */
	resp =
	    MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_read, st, stream_done);
	if (!resp) {
		stream_done(st);
		return NULL;
	}
	MHD_add_response_header(resp, "Content-Type", "application/x-ndjson");
	return resp;
}

static struct MHD_Response *json_response(struct http_reply *rep)
{
	struct MHD_Response *resp;
	char *text;

	if (!rep->json)
		http_reply_error(rep, 500, "internal error: no reply");
	text = json_dumps(rep->json, JSON_COMPACT);
	if (!text || !(text = realloc(text, strlen(text) + 2)))
		return NULL;
	strcat(text, "\n");
	resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		return NULL;
	}
	MHD_add_response_header(resp, "Content-Type", "application/json");
	if (rep->status == 401)
		MHD_add_response_header(resp, "WWW-Authenticate", "Bearer realm=\"berthd\"");
	return resp;
}

static enum MHD_Result send_reply(struct request *p)
{
	struct MHD_Response *resp;
	enum MHD_Result r;

	resp = p->rep.stream ? stream_response(p) : json_response(&p->rep);
	if (!resp)
		return MHD_NO;
	/* One request a connection: no idle keep-alive to watch, and each connection's first
	 * byte is the start of its only request's headers. */
	MHD_add_response_header(resp, "Connection", "close");
	r = MHD_queue_response(p->mhd, p->rep.status, resp);
	MHD_destroy_response(resp);
	return r;
}

/* Is this request an upload (by its Content-Type)? */
static bool is_upload(struct MHD_Connection *conn)
{
	const char *type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");

	return type && !strncasecmp(type, HTTP_UPLOAD_TYPE, strlen(HTTP_UPLOAD_TYPE));
}

/* Polling thread: pass on what can be passed of an upload's body now, never blocking; the
 * rest stays with libmicrohttpd, the connection held until where it goes takes more. Once
 * refused, the body is read and dropped. */
static enum MHD_Result upload_take(struct request *p, const char *data, size_t *size)
{
	struct http_gate *gate = p->srv->gate;
	struct http_reply rep = { 0 };
	int wait_fd = -1;
	size_t took = 0;
	ssize_t n = 1;
	int rc = 0;

	while (*size && n) {
		n = p->refusal.json ? (ssize_t)*size
				    : p->up.data(p->up.ctx, data, *size, &wait_fd, &rep);
		if (n < 0) {
			if (!rep.json)
				http_reply_error(&rep, 500, "internal error: upload refused");
			p->refusal = rep;
			n = (ssize_t)*size;
		}
		data += n;
		*size -= (size_t)n;
		took += (size_t)n;
	}
	gate_lock(gate);
	p->conn->body += took;
	if (*size) {
		rc = gate_hold(gate, p->conn, wait_fd);
		if (rc == 0)
			MHD_suspend_connection(p->mhd);
	}
	gate_unlock(gate);
	return rc ? MHD_NO : MHD_YES;
}

/* Does the request say a body follows? */
static bool has_body(struct MHD_Connection *conn)
{
	const char *len = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");

	return (len && strcmp(len, "0")) ||
	       MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Transfer-Encoding");
}

/* Whether the client sent "Expect: 100-continue" (curl does for large bodies). */
static bool expects_continue(struct MHD_Connection *conn)
{
	const char *e = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);

	return e && !strcasecmp(e, "100-continue");
}

/* Polling thread, the request's first call: an upload's start runs on a worker (the upload
 * handler), suspended; one with no body is refused at once. */
static enum MHD_Result upload_begin(struct request *p)
{
	p->is_upload = true;
	p->waits = expects_continue(p->mhd);
	if (!has_body(p->mhd)) {
		http_reply_error(&p->rep, 400, "an upload needs a body: the archive");
		return send_reply(p);
	}
	gate_lock(p->srv->gate);
	p->state = RQ_WORKING;
	gate_phase(p->conn, CONN_BUSY);
	MHD_suspend_connection(p->mhd);
	gate_unlock(p->srv->gate);
	work_push(&p->srv->work, &p->job);
	return MHD_YES;
}

static void run_release(struct work_job *job)
{
	struct release_job *r = (struct release_job *)job;

	r->up.release(r->up.ctx);
	free(r);
}

/* An upload ended before its body did: its release (a child to reap, files to remove) on a
 * worker, unless there are none any more. */
static void upload_drop(struct http_server *srv, struct http_upload *up)
{
	struct release_job *r = srv->stopping ? NULL : malloc(sizeof(*r));

	if (!r) {
		up->release(up->ctx);
		return;
	}
	*r = (struct release_job){ .job.fn = run_release, .up = *up };
	work_push(&srv->work, &r->job);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct http_server *srv = cls;
	struct request *p = *con_cls;
	const union MHD_ConnectionInfo *info;
	char *grown;

	(void)version;
	if (!p) {
		info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
		if (!info || !info->socket_context || !(p = calloc(1, sizeof(*p))))
			return MHD_NO;
		*p = (struct request){ .job.fn = run_handler,
				       .srv = srv,
				       .conn = info->socket_context,
				       .mhd = conn,
				       .method = method,
				       .url = url };
		*con_cls = p;
		gate_lock(srv->gate);
		p->conn->owner = p;
		gate_phase(p->conn, CONN_BODY);
		gate_unlock(srv->gate);
		return srv->upload && is_upload(conn) ? upload_begin(p) : MHD_YES;
	}
	if (p->state == RQ_REPLYING) {
		if (p->conn->gone)
			return MHD_NO;
		if (p->is_upload && *upload_size) {
			/* Refused at its start, when libmicrohttpd reads on before it takes a
			 * reply: the body is dropped and the refusal sent at its end. */
			p->refusal = p->rep;
			p->rep = (struct http_reply){ 0 };
			p->state = RQ_READING;
			gate_lock(srv->gate);
			gate_phase(p->conn, CONN_BODY);
			gate_unlock(srv->gate);
			return upload_take(p, upload, upload_size);
		}
		return send_reply(p);
	}
	if (p->is_upload && *upload_size) {
		p->resumed = false;
		return upload_take(p, upload, upload_size);
	}
	if (p->is_upload && p->resumed) {
		/* libmicrohttpd's call again after a first call that suspended: the body is to
		 * come (has_body). */
		p->resumed = false;
		return MHD_YES;
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
		gate_lock(srv->gate);
		p->conn->body += *upload_size;
		gate_unlock(srv->gate);
		*upload_size = 0;
		return MHD_YES;
	}
	/* The request is whole: its handler runs on a worker, the connection suspended. */
	gate_lock(srv->gate);
	p->state = RQ_WORKING;
	gate_phase(p->conn, CONN_BUSY);
	MHD_suspend_connection(conn);
	gate_unlock(srv->gate);
	work_push(&srv->work, &p->job);
	return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode why)
{
	struct http_server *srv = cls;
	struct request *p = *con_cls;

	(void)conn, (void)why;
	if (!p)
		return;
	gate_lock(srv->gate);
	if (p->conn->owner == p)
		p->conn->owner = NULL;
	gate_unlock(srv->gate);
	if (p->rep.stream_free)
		p->rep.stream_free(p->rep.stream_ctx);
	if (p->up.release)
		upload_drop(srv, &p->up);
	json_decref(p->rep.json);
	json_decref(p->refusal.json);
	free(p->body);
	free(p);
	*con_cls = NULL;
}

/* A connection starts (bind it to the gate's record) or ends (give its share back). */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct http_server *srv = cls;
	const union MHD_ConnectionInfo *info;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		gate_lock(srv->gate);
		*socket_context = info ? gate_conn(srv->gate, info->connect_fd) : NULL;
		gate_unlock(srv->gate);
	} else if (*socket_context) {
		gate_forget(srv->gate, *socket_context);
		*socket_context = NULL;
	}
}

/* libmicrohttpd's messages, bounded: a client must not be able to fill the log. It takes
 * a Unix socket for TCP and says so at each reply (TCP_NODELAY, TCP_CORK, "push the data"),
 * and calls a stream berthd ends for a vanished client an "application error": those are
 * dropped; of the others, at most LOG_PER_MINUTE a minute. */
#define LOG_PER_MINUTE 10
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	static int64_t minute;
	static unsigned said;
	char msg[512];
	int64_t now = gate_now() / 60000;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (strstr(msg, "TCP_") || strstr(msg, "push the data") || strstr(msg, "application error"))
		return;
	if (now != minute) {
		minute = now;
		said = 0;
	}
	if (said++ < LOG_PER_MINUTE)
		fprintf(stderr, "berthd: libmicrohttpd: %s%s", msg,
			msg[0] && msg[strlen(msg) - 1] == '\n' ? "" : "\n");
}

unsigned http_capacity(unsigned nofile)
{
	/* Keep fds for berthd's own work: its database, servers' sockets, copies. */
	return nofile > 2 * HTTP_OWN_FDS ? nofile - HTTP_OWN_FDS : nofile / 2;
}

int http_start(struct http_server **out, int fd, const struct http_limits *lim,
	       const struct http_tls *tls, http_handler handler, http_upload_handler upload,
	       void *app, struct berth_error *err)
{
	static const struct gate_hooks hooks = { .hand_over = hand_over,
						 .run = run,
						 .wake = on_wake };
	struct MHD_OptionItem tls_opts[] = {
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, tls ? (void *)tls->cert_pem : NULL },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, tls ? (void *)tls->key_pem : NULL },
		/* GnuTLS's defaults, but nothing older than TLS 1.2 */
		{ MHD_OPTION_HTTPS_PRIORITIES, 0,
		  (void *)"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2" },
		{ MHD_OPTION_END, 0, NULL },
	};
	const union MHD_DaemonInfo *info;
	struct http_server *srv = calloc(1, sizeof(*srv));

	if (!srv) {
		close(fd);
		return berr(err, ENOMEM, "http");
	}
	srv->handler = handler;
	srv->upload = upload;
	srv->app = app;
	srv->remote = tls != NULL;
	if (work_start(&srv->work)) {
		berr(err, errno, "cannot start the API's workers");
		close(fd);
		free(srv);
		return -1;
	}
	srv->mhd = MHD_start_daemon(
	    /* No thread of its own: the gate's thread runs it, and hands it connections from
	     * that same thread (from another, a connection added with its request already
	     * waiting was seen to stall under load). */
	    MHD_USE_EPOLL | MHD_USE_NO_LISTEN_SOCKET | MHD_ALLOW_SUSPEND_RESUME |
		MHD_USE_ERROR_LOG | (tls ? MHD_USE_TLS : 0),
	    0, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    /* TLS by libmicrohttpd's own GnuTLS (docs/libraries.md) */
	    MHD_OPTION_ARRAY, tls ? tls_opts : tls_opts + 3, MHD_OPTION_NOTIFY_COMPLETED,
	    on_completed, srv, MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
	    MHD_OPTION_CONNECTION_LIMIT, lim->capacity, MHD_OPTION_CONNECTION_TIMEOUT,
	    lim->idle_timeout, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
	    MHD_OPTION_END);
	if (!srv->mhd) {
		work_stop(&srv->work);
		close(fd);
		free(srv);
		return berr(err, 0, "cannot start the HTTP server on the API socket");
	}
	info = MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (gate_start(&srv->gate, fd, info ? info->epoll_fd : -1, lim, &hooks, srv, err)) {
		MHD_stop_daemon(srv->mhd);
		work_stop(&srv->work);
		free(srv);
		return -1;
	}
	*out = srv;
	return 0;
}

void http_notify(void *srv)
{
	gate_notify(((struct http_server *)srv)->gate);
}

void http_stop(struct http_server *srv)
{
	if (!srv)
		return;
	gate_stop(srv->gate);
	work_stop(&srv->work);
	srv->stopping = true;
	gate_wake_all_gone(srv->gate);
	MHD_stop_daemon(srv->mhd);
	gate_free(srv->gate);
	free(srv);
}
