/* api_ws.c - GET /1.0/servers/NAME/console/ws: a server's console (a VM's serial console, a
 * container's terminal) as a WebSocket, for browsers, on both listeners; and
 * GET /1.0/servers/NAME/vnc/ws, a VM's screen: its berth-vmm's VNC socket, RFB carried in
 * binary frames (what noVNC speaks). berthd relays the
 * bytes (ws_proxy.c) on a thread per session; sessions are bounded in all and per project,
 * their frames and their idle time too. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/unix_sock.h"
#include "daemon/api/api.h"
#include "daemon/api/ws_frame.h"
#include "daemon/api/ws_proxy.h"
#include "daemon/servers/server_console.h"
#include "daemon/servers/server_files.h"
#include "daemon/servers/vm_command.h"
#include "daemon/state/server_rows.h"

#define WS_SESSIONS_MAX 64	 /* sessions in all (a thread and two fds each) */
#define WS_PROJECT_MAX	8	 /* of them, one project's (the operator's too) */
#define WS_FRAME_MAX	65536	 /* a client frame's payload */
#define WS_IDLE_MS	(600000) /* a console silent both ways for 10 minutes ends */

struct ws_slot {
	bool used;
	char project[SERVER_NAME_MAX + 1]; /* "" for the operator */
};

static struct ws_slot slots[WS_SESSIONS_MAX];
static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;

/* A free slot for project, or -1 when all or the project's are taken. */
static int slot_take(const char *project)
{
	int i, free_at = -1, mine = 0;

	pthread_mutex_lock(&slots_lock);
	for (i = 0; i < WS_SESSIONS_MAX; i++) {
		if (!slots[i].used)
			free_at = free_at < 0 ? i : free_at;
		else if (!strcmp(slots[i].project, project))
			mine++;
	}
	if (free_at >= 0 && mine < WS_PROJECT_MAX) {
		slots[free_at].used = true;
		snprintf(slots[free_at].project, sizeof(slots[free_at].project), "%s", project);
	} else {
		free_at = -1;
	}
	pthread_mutex_unlock(&slots_lock);
	return free_at;
}

static void slot_give(int i)
{
	pthread_mutex_lock(&slots_lock);
	slots[i].used = false;
	pthread_mutex_unlock(&slots_lock);
}

struct ws_session {
	int peer; /* the console's socket */
	int slot;
};

static void session_run(void *ctx, int fd, const char *early, size_t early_len)
{
	static const struct ws_proxy_limits lim = { .max_frame = WS_FRAME_MAX,
						    .idle_ms = WS_IDLE_MS };
	struct ws_session *s = ctx;

	ws_proxy_run(fd, s->peer, early, early_len, &lim);
}

static void session_done(void *ctx)
{
	struct ws_session *s = ctx;

	close(s->peer);
	slot_give(s->slot);
	free(s);
}

/* Is rq a WebSocket handshake berthd speaks (RFC 6455 4.2.1)? Fills accept. */
static bool handshake(const struct http_request *rq, char accept[WS_ACCEPT_LEN + 1],
		      struct http_reply *rep)
{
	const char *up = http_header(rq, "Upgrade"), *v = http_header(rq, "Sec-WebSocket-Version"),
		   *key = http_header(rq, "Sec-WebSocket-Key");

	if (!up || strcasecmp(up, "websocket")) {
		http_reply_error(rep, 426, "this path is a WebSocket (Upgrade: websocket)");
		return false;
	}
	if (!v || strcmp(v, "13")) {
		http_reply_error(rep, 426, "WebSocket version 13 only (Sec-WebSocket-Version: 13)");
		return false;
	}
	if (!key || !ws_accept_key(key, accept)) {
		http_reply_error(rep, 400, "Sec-WebSocket-Key must be base64 of 16 bytes");
		return false;
	}
	return true;
}

/* The socket a session of server srv relays to: its console, or (vnc) its VNC screen. */
static int target(struct berthd *d, const struct server *srv, bool vnc, char sock[PATH_MAX],
		  struct http_reply *rep)
{
	struct berth_error err;

	if (!vnc) {
		if (console_socket(&d->env, srv->name, sock, &err) == 0)
			return 0;
		api_reply_error(rep, &err);
		return -1;
	}
	if (srv->kind != KIND_VM) {
		http_reply_error(rep, 400, "%s is a container: it has no screen; use its console",
				 srv->name);
		return -1;
	}
	if (server_file(sock, srv, VM_VNC_SOCK, &err) < 0) {
		api_reply_error(rep, &err);
		return -1;
	}
	if (access(sock, F_OK) < 0) {
		http_reply_error(
		    rep, 409,
		    "VM %s has no display: berthd starts VMs with one when berthd.conf "
		    "has vm_display = yes (then restart the VM)",
		    srv->name);
		return -1;
	}
	return 0;
}

/* A WebSocket session on server name's console or (vnc) screen. */
static void session_open(struct berthd *d, const struct http_request *rq, const char *name,
			 bool vnc, struct http_reply *rep)
{
	struct http_upgrade up = { .run = session_run, .done = session_done };
	char sock[PATH_MAX];
	struct berth_error err;
	struct ws_session *s;
	struct server srv;
	sqlite3 *db;
	int slot;

	if (api_refuse_name("server", name, rep) || !handshake(rq, up.accept, rep))
		return;
	db = db_conn(&d->db, &err);
	if (!db || server_load(db, d->state_dir, name, &srv, &err) < 0) {
		api_reply_error(rep, &err);
		return;
	}
	if (srv.state != STATE_RUNNING) {
		http_reply_error(rep, 409, "server %s is not running; start it first", srv.name);
		return;
	}
	if (target(d, &srv, vnc, sock, rep) < 0)
		return;
	slot = slot_take(rq->project ? rq->project : "");
	if (slot < 0) {
		http_reply_error(rep, 429,
				 "too many console sessions open (%d in all, %d a project)",
				 WS_SESSIONS_MAX, WS_PROJECT_MAX);
		return;
	}
	s = calloc(1, sizeof(*s));
	if (!s || (s->peer = unix_connect(sock, 0, &err)) < 0) {
		slot_give(slot);
		if (s)
			api_reply_error(rep, &err);
		else
			http_reply_error(rep, 500, "out of memory");
		free(s);
		return;
	}
	s->slot = slot;
	up.ctx = s;
	/* a browser that offered protocols (["berth", TOKEN]) must get one of them back */
	if (http_header(rq, "Sec-WebSocket-Protocol"))
		up.protocol = "berth";
	http_reply_upgrade(rep, &up);
}

void api_server_console_ws(struct berthd *d, const struct http_request *rq, const char *arg,
			   struct http_reply *rep)
{
	session_open(d, rq, arg, false, rep);
}

void api_server_vnc_ws(struct berthd *d, const struct http_request *rq, const char *arg,
		       struct http_reply *rep)
{
	session_open(d, rq, arg, true, rep);
}
