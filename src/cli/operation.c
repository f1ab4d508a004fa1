/* operation.c - GET /1.0/operations/ID/wait in a loop, with progress. */
#include "cli/operation.h"

#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"

/* Each wait asks the daemon to hold the request this long: short on a terminal so the
 * percentage moves, longer otherwise to spare requests. */
#define WAIT_TTY_S   1
#define WAIT_PLAIN_S 10
#define WAIT_SLACK_S 30 /* on top of the wait, for the reply to arrive */

void progress_update(struct progress *p, int pct)
{
	if (pct < 0 || pct > 100 || pct == p->shown)
		return;
	if (p->tty)
		fprintf(p->out, "\r%s: %3d%%", p->what, pct);
	else if (pct < 100 && (pct / 10 != p->shown / 10 || p->shown < 0))
		fprintf(p->out, "%s: %d%%\n", p->what, pct); /* a line a tenth; "done" ends it */
	fflush(p->out);
	p->shown = pct;
}

void progress_end(struct progress *p, bool ok)
{
	if (ok)
		fprintf(p->out, "%s%s: done\n", p->tty ? "\r\033[K" : "", p->what);
	else if (p->tty && p->shown >= 0)
		fputs("\r\033[K", p->out);
	fflush(p->out);
}

int op_wait(struct client *c, const json_t *reply, const char *what, json_t **final,
	    struct berth_error *err)
{
	struct progress p = { stderr, isatty(STDERR_FILENO), what, -1 };
	const char *op = json_string_value(json_object_get(reply, "operation"));
	unsigned wait_s = p.tty ? WAIT_TTY_S : WAIT_PLAIN_S;
	_cleanup_free_ char *path = NULL;
	json_t *state = NULL;
	const char *status = "running";

	*final = NULL;
	if (!op) {
		progress_end(&p, true);
		return 0;
	}
	if (op[0] != '/' || asprintf(&path, "%s/wait?timeout=%u", op, wait_s) < 0) {
		path = NULL;
		return berr(err, 0, "%s: berthd named no usable operation ('%s')", what, op);
	}
	while (!strcmp(status, "running")) {
		json_decref(state);
		if (client_call(c, "GET", path, NULL, wait_s + WAIT_SLACK_S, &state, err) < 0) {
			progress_end(&p, false);
			return berr_wrap(err, "%s: waiting for %s", what, op);
		}
		status = json_string_value(json_object_get(state, "status"));
		if (!status) {
			json_decref(state);
			progress_end(&p, false);
			return berr(err, 0, "%s: operation %s has no status", what, op);
		}
		progress_update(&p, (int)json_integer_value(json_object_get(state, "progress")));
	}
	if (!strcmp(status, "success")) {
		progress_end(&p, true);
		*final = state;
		return 0;
	}
	progress_end(&p, false);
	berr(err, 0, "%s: %s", what,
	     json_string_value(json_object_get(state, "error")) ?: "failed (no reason given)");
	json_decref(state);
	return -1;
}
