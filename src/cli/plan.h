/* plan.h - what a berth command does, as data: the API calls it makes (method, path,
 * body) and how each reply is shown. Commands parse their arguments into a plan and
 * run.c carries it out, so every command's parsing is testable without a daemon. */
#ifndef BERTH_CLI_PLAN_H
#define BERTH_CLI_PLAN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "cli/opts.h"
#include "common/error.h"

#define PLAN_STEPS_MAX 2    /* create --start: create, then start */
#define PLAN_PATH_MAX  4096 /* an image upload's query carries a kernel command line */

enum step_kind {
	STEP_SHOW,	/* print the reply: as JSON, or through render in a table */
	STEP_OPERATION, /* the reply names an operation: wait for it with progress */
	STEP_CONSOLE,	/* the reply names a console socket: attach to it */
	STEP_EXEC,	/* the reply names an exec session's socket: run the command there */
	STEP_UPLOAD,	/* body names files (not sent): upload them as an archive (upload.h) */
};

struct step {
	const char *method; /* GET, POST, PUT, PATCH, DELETE */
	char path[PLAN_PATH_MAX];
	json_t *body; /* owned; NULL: no body */
	enum step_kind kind;
	/* The table form of a STEP_SHOW reply; NULL prints nothing (JSON still does). */
	int (*render)(json_t *reply, FILE *out, struct berth_error *err);
	char what[96]; /* "create web": what progress lines and failures name */
};

struct plan {
	struct step steps[PLAN_STEPS_MAX];
	unsigned n;
	enum cli_format format;
	bool help; /* --help was given: print the command's help, call nothing */
};

/* The option loop (opts.h) of command cmd with options opts, filling p's format and help. */
#define PLAN_OPTS(name, options, p)                                                                \
	{                                                                                          \
		.cmd = (name), .longopts = (options), .format = &(p)->format, .help = &(p)->help   \
	}

/* Append a call to p; its path is prefix + name percent-encoded (when name is not NULL)
 * + suffix. Takes body (also on failure). Returns the step to fill in, or NULL. */
struct step *plan_add(struct plan *p, const char *method, const char *prefix, const char *name,
		      const char *suffix, json_t *body, struct berth_error *err);

/* Percent-encode s (all but A-Z a-z 0-9 - . _ ~) into out; -1 when it does not fit. */
int plan_escape(const char *s, char *out, size_t len);

/* Release the bodies of p's steps. */
void plan_free(struct plan *p);

#endif
