/* http_share.h - fair shares of berthd's connections: each peer (a uid on the Unix socket, a
 * client address on the network listener) holds at most per_user of them, and the last
 * root_reserve of the capacity are root's alone, so the operator is served whatever the
 * others hold. Plain accounting, no locking: the gate (http_gate.c) calls it under its lock. */
#ifndef BERTH_DAEMON_HTTP_SHARE_H
#define BERTH_DAEMON_HTTP_SHARE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

/* Whom a connection counts against: a uid, or a network address (IPv4 as ::ffff:a.b.c.d;
 * an IPv6 client by its /64, the least a host is given, so that it cannot take a share per
 * address it picks from its own prefix). Only a uid can be root. */
struct share_who {
	bool net;
	uid_t uid;	  /* !net */
	uint8_t addr[16]; /* net */
};

struct share_peer {
	struct share_who who;
	unsigned held;
};

struct http_share {
	unsigned capacity;	  /* connections in all, root's reserve included */
	unsigned per_user;	  /* at most this many per peer other than root */
	unsigned root_reserve;	  /* of capacity, only root may take these */
	unsigned held;		  /* connections held now */
	unsigned held_others;	  /* ... of them by peers other than root */
	struct share_peer *peers; /* those holding connections: npeers of them */
	unsigned npeers;
};

/* Shares of capacity connections (root_reserve of them root's own), per_user per peer;
 * -1 when out of memory. */
int share_init(struct http_share *s, unsigned capacity, unsigned per_user, unsigned root_reserve);

void share_destroy(struct http_share *s);

/* The peer a Unix socket's uid is. */
struct share_who share_who_uid(uid_t uid);

/* The peer a network client's address is (AF_INET or AF_INET6); -1 for another family. */
int share_who_addr(const struct sockaddr *sa, socklen_t len, struct share_who *who);

/* Take a connection for who: false (and nothing taken) when who has its share already, or
 * only root's reserve is left and who is not root, or nothing is left at all. */
bool share_take(struct http_share *s, const struct share_who *who);

/* Give back a connection share_take() gave who. */
void share_give(struct http_share *s, const struct share_who *who);

#endif
