/* http_share.c - per-peer shares of the connections, with root's reserve. */
#include "daemon/api/http_share.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

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

struct share_who share_who_uid(uid_t uid)
{
	return (struct share_who){ .uid = uid };
}

int share_who_addr(const struct sockaddr *sa, socklen_t len, struct share_who *who)
{
	*who = (struct share_who){ .net = true };
	if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		who->addr[10] = who->addr[11] = 0xff;
		memcpy(who->addr + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		/* A mapped IPv4 client is that IPv4 address, whole; any other, its /64. */
		memcpy(who->addr, a, IN6_IS_ADDR_V4MAPPED(a) ? 16 : 8);
		return 0;
	}
	return -1;
}

static bool is_root(const struct share_who *w)
{
	return !w->net && w->uid == 0;
}

static bool same(const struct share_who *a, const struct share_who *b)
{
	if (a->net != b->net)
		return false;
	return a->net ? !memcmp(a->addr, b->addr, sizeof(a->addr)) : a->uid == b->uid;
}

/* The peer entry of who, or NULL. Peers are few next to the work of a connection: a scan. */
static struct share_peer *peer(struct http_share *s, const struct share_who *who)
{
	unsigned i;

	for (i = 0; i < s->npeers; i++)
		if (same(&s->peers[i].who, who))
			return &s->peers[i];
	return NULL;
}

bool share_take(struct http_share *s, const struct share_who *who)
{
	struct share_peer *p = peer(s, who);
	bool root = is_root(who);

	if (s->held >= s->capacity)
		return false;
	if (!root) {
		if (s->held_others >= s->capacity - s->root_reserve)
			return false;
		if (p && p->held >= s->per_user)
			return false;
		if (!s->per_user)
			return false;
	}
	if (!p) {
		p = &s->peers[s->npeers++];
		*p = (struct share_peer){ .who = *who };
	}
	p->held++;
	s->held++;
	if (!root)
		s->held_others++;
	return true;
}

void share_give(struct http_share *s, const struct share_who *who)
{
	struct share_peer *p = peer(s, who);

	if (!p)
		return;
	s->held--;
	if (!is_root(who))
		s->held_others--;
	if (--p->held == 0)
		*p = s->peers[--s->npeers];
}
