/* run.c - one API call after another, as a command planned them. */
#include "cli/run.h"

#include "cli/operation.h"

/* Print a reply as JSON, indented for people, the shape unchanged for scripts. */
static void print_json(const json_t *j, FILE *out)
{
	if (j)
		json_dumpf(j, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	else
		fputs("null", out);
	fputc('\n', out);
}

static int run_step(struct client *c, const struct step *s, enum cli_format format, FILE *out,
		    struct berth_error *err)
{
	json_auto_t *reply = NULL, *final = NULL;

	if (client_call(c, s->method, s->path, s->body, RUN_CALL_TIMEOUT_S, &reply, err) < 0)
		return -1;
	if (s->kind == STEP_OPERATION) {
		if (op_wait(c, reply, s->what, &final, err) < 0)
			return -1;
		if (format == FORMAT_JSON)
			print_json(final ? final : reply, out);
		return 0;
	}
	if (format == FORMAT_JSON)
		print_json(reply, out);
	else if (s->render)
		return s->render(reply, out, err);
	return 0;
}

int run_plan(struct client *c, const struct plan *p, FILE *out, struct berth_error *err)
{
	unsigned i;

	for (i = 0; i < p->n; i++)
		if (run_step(c, &p->steps[i], p->format, out, err) < 0)
			return -1;
	return 0;
}
