/* http_share.h - fair shares of berthd's connections: each peer (a uid on the Unix socket)
 * holds at most per_user of them, and the last root_reserve of the capacity are root's
 * alone, so the operator is served whatever the others hold. Plain accounting, no locking:
 * the gate (http_gate.c) calls it under its lock. */
#ifndef BERTH_DAEMON_HTTP_SHARE_H
#define BERTH_DAEMON_HTTP_SHARE_H

#include <stdbool.h>
#include <sys/types.h>

struct share_peer {
	uid_t uid;
	unsigned held;
};

struct http_share {
	unsigned capacity;	  /* connections in all, root's reserve included */
	unsigned per_user;	  /* at most this many per uid other than root */
	unsigned root_reserve;	  /* of capacity, only root may take these */
	unsigned held;		  /* connections held now */
	unsigned held_others;	  /* ... of them by uids other than root */
	struct share_peer *peers; /* those holding connections: npeers of them */
	unsigned npeers;
};

/* Shares of capacity connections (root_reserve of them root's own), per_user per uid;
 * -1 when out of memory. */
int share_init(struct http_share *s, unsigned capacity, unsigned per_user, unsigned root_reserve);

void share_destroy(struct http_share *s);

/* Take a connection for uid: false (and nothing taken) when uid has its share already, or
 * only root's reserve is left and uid is not root, or nothing is left at all. */
bool share_take(struct http_share *s, uid_t uid);

/* Give back a connection share_take() gave uid. */
void share_give(struct http_share *s, uid_t uid);

#endif
