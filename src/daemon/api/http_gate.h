/* http_gate.h - the door of berthd's API socket, and the one thread that polls it. That
 * thread accepts each connection itself, reads its peer's uid (SO_PEERCRED) and takes it a
 * share (http_share.h) or refuses it at once; holds it, at the cost of an fd and a few
 * bytes, until its first byte comes; then hands it to libmicrohttpd (http.c), whose epoll
 * set it polls beside its own and runs. Once a quarter of a second it enforces the
 * deadlines (headers, body rate, idle), and looks at the connections asleep (an event
 * stream, an operation wait) for a client that hung up or a wait that is over. An upload
 * whose body berthd cannot pass on yet is held (its body-rate clock stopped) until the fd
 * it goes to is writable. */
#ifndef BERTH_DAEMON_HTTP_GATE_H
#define BERTH_DAEMON_HTTP_GATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "common/error.h"
#include "daemon/api/http_share.h"

/* berthd.conf's http_* settings, and how many connections berthd can hold. */
struct http_limits {
	unsigned capacity;	 /* connections in all (from RLIMIT_NOFILE) */
	unsigned per_user;	 /* http_per_user: connections per uid or address (64) */
	unsigned root_reserve;	 /* http_root_reserve: of capacity, root's only (16) */
	unsigned header_timeout; /* http_header_timeout: s from first byte to headers (10) */
	unsigned body_rate;	 /* http_body_rate: bytes/s a body comes at least (1024) */
	unsigned idle_timeout;	 /* http_idle_timeout: s a connection may do nothing (60) */
	bool network;		 /* a TCP listener: peers have no uid; a share per client address */
};

/* The uid a network peer is counted as (never root, never a real user's). */
#define GATE_NET_UID ((uid_t)-2)

enum conn_phase {
	CONN_WAITING, /* in the gate: not a byte yet */
	CONN_HEADERS, /* in libmicrohttpd: the headers are coming */
	CONN_BODY,    /* the body is coming */
	CONN_BUSY,    /* a handler runs, or the reply is being sent */
	CONN_ASLEEP,  /* suspended until something happens (http.c) */
	CONN_HELD,    /* a body suspended until where it goes takes more (gate_hold) */
	CONN_CLOSING, /* a deadline passed: shut down, libmicrohttpd closes it */
};

/* One connection, from accept to close. Fields change under the gate's lock. */
struct http_conn {
	int fd;
	uid_t uid;	      /* the Unix socket's peer; GATE_NET_UID on the network */
	struct share_who who; /* whose share it takes */
	enum conn_phase phase;
	int64_t since;	    /* ms (monotonic) the phase began */
	uint64_t body;	    /* bytes of the body so far */
	int64_t wake_at;    /* asleep: when to wake anyway (ms), 0 never */
	int hold_fd;	    /* held: the fd it waits to be writable, else -1 */
	int64_t body_since; /* held: when its body began, for the rate once it goes on */
	bool gone;	    /* the client hung up */
	void *owner;	    /* http.c's request on this connection */
	struct http_conn *prev, *next;
};

/* What the gate asks of http.c. */
struct gate_hooks {
	/* Give fd to libmicrohttpd; false when it refused (it closed fd then). Called without
	 * the lock, as is run. */
	bool (*hand_over)(void *ctx, int fd, const struct sockaddr *addr, socklen_t len);
	/* Let libmicrohttpd do what its epoll set (fd poll_fd of gate_start) has ready; the
	 * milliseconds until it must run again (it keeps work of its own besides its fds). */
	int64_t (*run)(void *ctx);
	/* Connection c, asleep, must wake: something happened, its time came or (c->gone) its
	 * client hung up. Called with the lock held; c->phase is CONN_BUSY already. */
	void (*wake)(void *ctx, struct http_conn *c);
};

struct http_gate;

/* Start the gate thread on listening socket fd (taken over); it runs hooks->run when
 * poll_fd (libmicrohttpd's epoll set) is readable, and each turn. */
int gate_start(struct http_gate **out, int fd, int poll_fd, const struct http_limits *lim,
	       const struct gate_hooks *hooks, void *ctx, struct berth_error *err);

/* End the thread, close the socket and the connections not handed over yet. */
void gate_stop(struct http_gate *g);

/* Wake every connection asleep, telling each its client is gone (berthd is stopping). */
void gate_wake_all_gone(struct http_gate *g);

/* Free the gate, once libmicrohttpd has closed every connection. */
void gate_free(struct http_gate *g);

void gate_lock(struct http_gate *g);
void gate_unlock(struct http_gate *g);

/* The connection of fd handed over (lock held), or NULL. */
struct http_conn *gate_conn(struct http_gate *g, int fd);

/* libmicrohttpd closed c: give its share back and free it. */
void gate_forget(struct http_gate *g, struct http_conn *c);

/* c enters phase (lock held). */
void gate_phase(struct http_conn *c, enum conn_phase phase);

/* c sleeps until woken, at the latest at wake_at (ms, 0 never) (lock held). */
void gate_sleep(struct http_conn *c, int64_t wake_at);

/* c's body cannot go on until fd is writable: c, suspended by the caller, is held until
 * then, the body-rate deadline stopped meanwhile, and woken (hooks->wake) back in
 * CONN_BODY (lock held; c in CONN_BODY). At most idle_timeout: then it is cut. */
int gate_hold(struct http_gate *g, struct http_conn *c, int fd);

/* Something happened (a new event): wake the connections asleep. Any thread. */
void gate_notify(struct http_gate *g);

/* How many times gate_notify was called: a handler that looked before an event and sleeps
 * after it compares the two, since the wake-up went by while it was not asleep. */
uint64_t gate_notified(const struct http_gate *g);

/* A connection was resumed from another thread: give libmicrohttpd a turn now (its own
 * signal for that does not reach this loop). Any thread. */
void gate_kick(struct http_gate *g);

/* Milliseconds on the monotonic clock. */
int64_t gate_now(void);

#endif
