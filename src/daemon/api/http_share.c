/* http_share.c - per-uid shares of the connections, with root's reserve. */
#include "daemon/api/http_share.h"

#include <stdlib.h>

int share_init(struct http_share *s, unsigned capacity, unsigned per_user, unsigned root_reserve)
{
	*s = (struct http_share){ .capacity = capacity,
				  .per_user = per_user,
				  .root_reserve =
				      root_reserve < capacity ? root_reserve : capacity };
	/* Each peer holds a connection at least: capacity bounds their number. */
	s->peers = calloc(capacity ? capacity : 1, sizeof(*s->peers));
	return s->peers ? 0 : -1;
}

void share_destroy(struct http_share *s)
{
	free(s->peers);
	s->peers = NULL;
}

/* The peer entry of uid, or NULL. A berth group has few members: a scan is enough. */
static struct share_peer *peer(struct http_share *s, uid_t uid)
{
	unsigned i;

	for (i = 0; i < s->npeers; i++)
		if (s->peers[i].uid == uid)
			return &s->peers[i];
	return NULL;
}

bool share_take(struct http_share *s, uid_t uid)
{
	struct share_peer *p = peer(s, uid);

	if (s->held >= s->capacity)
		return false;
	if (uid != 0) {
		if (s->held_others >= s->capacity - s->root_reserve)
			return false;
		if (p && p->held >= s->per_user)
			return false;
		if (!s->per_user)
			return false;
	}
	if (!p) {
		p = &s->peers[s->npeers++];
		*p = (struct share_peer){ .uid = uid };
	}
	p->held++;
	s->held++;
	if (uid != 0)
		s->held_others++;
	return true;
}

void share_give(struct http_share *s, uid_t uid)
{
	struct share_peer *p = peer(s, uid);

	if (!p)
		return;
	s->held--;
	if (uid != 0)
		s->held_others--;
	if (--p->held == 0)
		*p = s->peers[--s->npeers];
}
