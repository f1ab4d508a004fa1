/* run.c - one API call after another, as a command planned them. */
#include "cli/run.h"

#include <errno.h>
#include <unistd.h>

#include "cli/attach.h"
#include "cli/operation.h"
#include "cli/upload.h"

/* Print a reply as JSON, indented for people, the shape unchanged for scripts. */
static void print_json(const json_t *j, FILE *out)
{
	if (j)
		json_dumpf(j, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	else
		fputs("null", out);
	fputc('\n', out);
}

/* A console or exec step: the reply's socket, then the session there. */
static int run_attach(const struct step *s, json_t *reply, struct berth_error *err)
{
	const char *sock = json_string_value(json_object_get(reply, "socket"));
	int status;

	if (!sock)
		return berr(err, 0, "berthd's reply names no socket");
	if (s->kind == STEP_CONSOLE)
		return attach_console(sock, s->what, err);
	if (attach_exec(sock, json_is_true(json_object_get(s->body, "tty")), &status, err) < 0)
		return -1;
	return status;
}

static int run_step(struct client *c, const struct step *s, enum cli_format format, FILE *out,
		    struct berth_error *err)
{
	json_auto_t *reply = NULL, *final = NULL;

	/* exec: a terminal when berth has one, unless --tty or --no-tty said */
	if (s->kind == STEP_EXEC && !json_object_get(s->body, "tty") &&
	    json_object_set_new(s->body, "tty", json_boolean(isatty(0) && isatty(1))) < 0)
		return berr(err, ENOMEM, "exec");
	if (s->kind == STEP_UPLOAD) {
		if (upload_image(c, s->path, s->body, s->what, &reply, err) < 0)
			return -1;
		if (format == FORMAT_JSON)
			print_json(reply, out);
		return 0;
	}
	if (client_call(c, s->method, s->path, s->body, RUN_CALL_TIMEOUT_S, &reply, err) < 0)
		return -1;
	if (s->kind == STEP_CONSOLE || s->kind == STEP_EXEC)
		return run_attach(s, reply, err);
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
	int rc = 0;

	for (i = 0; i < p->n && rc == 0; i++)
		rc = run_step(c, &p->steps[i], p->format, out, err);
	return rc;
}
