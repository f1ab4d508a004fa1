/* server.c - API clients on the event loop: read lines, answer each, pass events on.
 *
 * Nothing a client does may stall the VM: sockets are non-blocking, a line has a bound,
 * and a client that does not read its replies is dropped rather than waited for. A client
 * is only ever freed by its own callback (after a failed write it is shut down, so its
 * next callback sees end-of-file), because the loop may hold its pointer in a pending batch. */
#include "server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/fdpass.h"
#include "request.h"
#include "screendump.h"

struct api_client {
	struct loop_source src;
	struct api_server *srv;
	struct api_client *next;
	bool watching;
	bool dead; /* shut down; freed when its callback sees end-of-file */
	size_t len;
	char buf[API_MAX_LINE + 1]; /* one line and its newline */
};

/* Send msg (taken) as one line without waiting; false if the socket did not take it all. */
static bool send_line(int fd, json_t *msg)
{
	size_t len = 0;
	char *line = msg ? api_line(msg, &len) : NULL;
	bool sent = line && send(fd, line, len, MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)len;

	json_decref(msg);
	free(line);
	return sent;
}

/* Send msg (taken) to c; a client that cannot take it at once is dropped. */
static void client_send(struct api_client *c, json_t *msg)
{
	if (c->dead) {
		json_decref(msg);
		return;
	}
	if (!send_line(c->src.fd, msg)) {
		shutdown(c->src.fd, SHUT_RDWR);
		c->dead = true;
	}
}

static void client_free(struct api_client *c)
{
	struct api_server *s = c->srv;
	struct api_client **p;

	for (p = &s->clients; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	s->nclients--;
	loop_del(s->loop, &c->src);
	close(c->src.fd);
	free(c);
}

static json_t *status_fields(struct api_server *s)
{
	struct api_status st;

	memset(&st, 0, sizeof(st));
	s->ops->status(s->opaque, &st);
	return json_pack("{s:s, s:I, s:I, s:f, s:I, s:I, s:s?}", "state", st.state, "cpus",
			 (json_int_t)st.cpus, "mem", (json_int_t)st.mem, "uptime", st.uptime, "pid",
			 (json_int_t)getpid(), "reboots", (json_int_t)st.reboots, "kernel",
			 st.kernel);
}

static json_t *state_fields(struct api_server *s)
{
	struct api_status st;

	memset(&st, 0, sizeof(st));
	s->ops->status(s->opaque, &st);
	return json_pack("{s:s}", "state", st.state);
}

/* Pause or resume; watchers hear of a change after the requester has its reply. */
static void client_pause(struct api_client *c, const struct api_request *req)
{
	struct api_server *s = c->srv;
	struct berth_error err = { 0 };
	bool pause = req->cmd == API_PAUSE;
	int r = (pause ? s->ops->pause : s->ops->resume)(s->opaque, &err);

	if (r < 0) {
		client_send(c, api_reply_error(req->id, err.msg));
		return;
	}
	client_send(c, api_reply_ok(req->id, state_fields(s)));
	if (r > 0)
		api_server_event(s, pause ? "paused" : "resumed", NULL);
}

/* The disk's file grew: the guest sees the new size; watchers hear of a change. */
static void client_disk_resize(struct api_client *c, const struct api_request *req)
{
	struct api_server *s = c->srv;
	struct berth_error err = { 0 };
	uint64_t old = 0, now = 0;

	if (s->ops->disk_resize(s->opaque, req->disk, &old, &now, &err)) {
		client_send(c, api_reply_error(req->id, err.msg));
		return;
	}
	client_send(c, api_reply_ok(req->id, json_pack("{s:I, s:I, s:I}", "disk",
						       (json_int_t)req->disk, "old_size",
						       (json_int_t)old, "size", (json_int_t)now)));
	if (now != old)
		api_server_event(s, "disk-resized",
				 json_pack("{s:I, s:I}", "disk", (json_int_t)req->disk, "size",
					   (json_int_t)now));
}

/* The reply carries the PNG's memory file (SCM_RIGHTS); its size and the screen's in the
 * line. A client that cannot take the reply at once is dropped, as for any reply. */
static void client_screendump(struct api_client *c, const struct api_request *req)
{
	struct api_server *s = c->srv;
	struct berth_error err = { 0 };
	struct screen scr = { 0 };
	uint64_t bytes = 0;
	size_t len;
	char *line = NULL;
	json_t *reply;
	int fd = -1;

	if (s->ops->screen(s->opaque, &scr, &err) < 0) {
		client_send(c, api_reply_error(req->id, err.msg));
		return;
	}
	if (!scr.pixels) {
		client_send(c, api_reply_error(req->id, "the display is off: the guest has not "
							"set a mode (or one that does not fit)"));
		return;
	}
	if (screendump_png(&scr, &fd, &bytes, &err) < 0) {
		free(scr.pixels);
		client_send(c, api_reply_error(req->id, err.msg));
		return;
	}
	reply =
	    api_reply_ok(req->id, json_pack("{s:s, s:I, s:I, s:I}", "format", "png", "width",
					    (json_int_t)scr.width, "height", (json_int_t)scr.height,
					    "bytes", (json_int_t)bytes));
	line = reply ? api_line(reply, &len) : NULL;
	json_decref(reply);
	free(scr.pixels);
	if (!c->dead && (!line || fdpass_send(c->src.fd, line, len, &fd, 1, &err) < 0)) {
		shutdown(c->src.fd, SHUT_RDWR);
		c->dead = true;
	}
	free(line);
	close(fd);
}

static void client_request(struct api_client *c, const char *line, size_t len)
{
	struct api_server *s = c->srv;
	struct berth_error err = { 0 };
	struct api_request req;

	if (api_request_parse(line, len, &req, &err)) {
		client_send(c, api_reply_error(NULL, err.msg));
		return;
	}
	switch (req.cmd) {
	case API_STATUS:
		client_send(c, api_reply_ok(req.id, status_fields(s)));
		break;
	case API_PAUSE:
	case API_RESUME:
		client_pause(c, &req);
		break;
	case API_SHUTDOWN:
		client_send(c, api_reply_ok(req.id, NULL));
		s->ops->shutdown(s->opaque);
		break;
	case API_STOP:
		client_send(c, api_reply_ok(req.id, NULL));
		s->ops->stop(s->opaque);
		break;
	case API_WATCH:
		c->watching = true;
		client_send(c, api_reply_ok(req.id, NULL));
		break;
	case API_DISK_RESIZE:
		client_disk_resize(c, &req);
		break;
	case API_SCREENDUMP:
		client_screendump(c, &req);
		break;
	}
	api_request_release(&req);
}

/* Answer every complete line in the buffer and keep the partial one. */
static void client_lines(struct api_client *c)
{
	char *start = c->buf, *nl;
	size_t line;

	while (!c->dead && !c->srv->loop->stop &&
	       (nl = memchr(start, '\n', c->len - (start - c->buf)))) {
		line = nl - start;
		if (line && start[line - 1] == '\r')
			line--; /* tolerate CRLF from interactive tools */
		client_request(c, start, line);
		start = nl + 1;
	}
	c->len -= start - c->buf;
	memmove(c->buf, start, c->len);
	if (c->len == sizeof(c->buf) && !c->dead) {
		char msg[80];

		snprintf(msg, sizeof(msg),
			 "request line longer than %d bytes; closing the connection", API_MAX_LINE);
		client_send(c, api_reply_error(NULL, msg));
		shutdown(c->src.fd, SHUT_RDWR);
		c->dead = true;
	}
}

static void client_on_input(struct loop_source *src, uint32_t events)
{
	struct api_client *c = src->opaque;
	ssize_t n;

	(void)events;
	n = read(src->fd, c->buf + c->len, sizeof(c->buf) - c->len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || c->dead) {
		client_free(c);
		return;
	}
	c->len += (size_t)n;
	client_lines(c);
}

static void server_on_connect(struct loop_source *src, uint32_t events)
{
	struct api_server *s = src->opaque;
	struct berth_error err = { 0 };
	struct api_client *c;
	int fd;

	(void)events;
	fd = accept_guard_accept(&s->guard);
	if (fd < 0)
		return;
	c = s->nclients < API_MAX_CLIENTS ? calloc(1, sizeof(*c)) : NULL;
	if (c) {
		c->src = (struct loop_source){ .fd = fd, .fn = client_on_input, .opaque = c };
		c->srv = s;
		if (loop_add(s->loop, &c->src, &err) == 0) {
			c->next = s->clients;
			s->clients = c;
			s->nclients++;
			return;
		}
		free(c);
	}
	send_line(fd, api_reply_error(NULL, "too many API clients at once; try again later"));
	close(fd);
}

int api_server_open(struct api_server *s, const char *path, struct loop *loop,
		    const struct api_ops *ops, void *opaque, struct berth_error *err)
{
	memset(s, 0, sizeof(*s));
	s->loop = loop;
	s->ops = ops;
	s->opaque = opaque;
	s->listen.fd = unix_listen(path, 0600, "--api-sock", &s->file, err);
	if (s->listen.fd < 0)
		return -1;
	s->path = path;
	s->listen.fn = server_on_connect;
	s->listen.opaque = s;
	if (loop_add(loop, &s->listen, err) ||
	    accept_guard_init(&s->guard, loop, &s->listen,
			      "{\"ok\":false,\"error\":\"berth-vmm is out of file descriptors; try "
			      "again later\"}\n",
			      err)) {
		api_server_close(s);
		return -1;
	}
	return 0;
}

void api_server_event(struct api_server *s, const char *name, json_t *fields)
{
	struct api_client *c;
	json_t *ev = json_pack("{s:s}", "event", name);

	if (ev && fields)
		json_object_update(ev, fields);
	json_decref(fields);
	for (c = s->clients; c && ev; c = c->next)
		if (c->watching)
			client_send(c, json_incref(ev));
	json_decref(ev);
}

void api_server_close(struct api_server *s)
{
	if (!s->path)
		return;
	while (s->clients)
		client_free(s->clients);
	loop_del(s->loop, &s->listen);
	accept_guard_destroy(&s->guard);
	close(s->listen.fd);
	unix_listen_remove(s->path, &s->file);
	s->path = NULL;
}
