/* plan.c - building the list of API calls a command makes. */
#include "cli/plan.h"

#include <errno.h>
#include <string.h>

int plan_escape(const char *s, char *out, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9') || strchr("-._~", c);

		if (n + (plain ? 1 : 3) >= len)
			return -1;
		if (plain) {
			out[n++] = (char)c;
		} else {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	if (n >= len)
		return -1;
	out[n] = '\0';
	return 0;
}

struct step *plan_add(struct plan *p, const char *method, const char *prefix, const char *name,
		      const char *suffix, json_t *body, struct berth_error *err)
{
	char escaped[PLAN_PATH_MAX / 2];
	struct step *s;
	int n;

	if (p->n == PLAN_STEPS_MAX) {
		json_decref(body);
		berr(err, 0, "too many steps in one command");
		return NULL;
	}
	if (name && plan_escape(name, escaped, sizeof(escaped)) < 0) {
		json_decref(body);
		berr(err, 0, "name '%.40s...' is too long", name);
		return NULL;
	}
	s = &p->steps[p->n];
	n = snprintf(s->path, sizeof(s->path), "%s%s%s", prefix, name ? escaped : "", suffix);
	if (n < 0 || (size_t)n >= sizeof(s->path)) {
		json_decref(body);
		berr(err, 0, "path for '%.40s' is too long", name ? name : prefix);
		return NULL;
	}
	if (!body && strcmp(method, "GET") && strcmp(method, "DELETE")) {
		berr(err, ENOMEM, "request body");
		return NULL;
	}
	p->n++;
	s->method = method;
	s->body = body;
	s->kind = STEP_SHOW;
	s->render = NULL;
	s->what[0] = '\0';
	return s;
}

void plan_free(struct plan *p)
{
	unsigned i;

	for (i = 0; i < p->n; i++) {
		json_decref(p->steps[i].body);
		p->steps[i].body = NULL;
	}
	p->n = 0;
}
