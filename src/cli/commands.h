/* commands.h - berth's commands: names, help, and the parser that turns a command's
 * arguments into a plan of API calls (plan.h). */
#ifndef BERTH_CLI_COMMANDS_H
#define BERTH_CLI_COMMANDS_H

#include <stdio.h>

#include "cli/plan.h"

struct cli_cmd {
	const char *name;  /* "create", "image import" */
	const char *usage; /* what follows "berth NAME" */
	const char *help;  /* what it does, then its options */
	/* Its parser; NULL for a simple command: one call, described by the fields below. */
	int (*parse)(int argc, char **argv, struct plan *p, struct berth_error *err);
	const char *method, *path; /* simple: the call, on path + NAME when arg */
	const char *arg;	   /* simple: NULL, or what NAME names ("server", "image") */
	int (*render)(json_t *reply, FILE *out, struct berth_error *err); /* simple: table */
	const char *verb; /* simple: an operation named "verb NAME" when not NULL */
};

/* The command named by argv[0] (and argv[1] for two-word commands), or NULL; *words says
 * how many words named it (on NULL: how many words matched a group such as "image"). */
const struct cli_cmd *cli_find(int argc, char **argv, int *words);

/* Print berth's usage and its list of commands (prefix "image": only that group's). */
void cli_usage(const char *prefix, FILE *out);

/* Parse a command's arguments into p: argv[0] is the command's last word, p->format holds
 * berth's own --format. Fails (err) only with usage errors. */
int cli_parse(const struct cli_cmd *c, int argc, char **argv, struct plan *p,
	      struct berth_error *err);

/* Print one command's help. */
void cli_cmd_help(const struct cli_cmd *c, FILE *out);

/* The parsers of the commands that are not simple (cmd_server.c, cmd_console.c,
 * cmd_image.c). */
int cmd_create(int argc, char **argv, struct plan *p, struct berth_error *err);
int cmd_start(int argc, char **argv, struct plan *p, struct berth_error *err);
int cmd_stop(int argc, char **argv, struct plan *p, struct berth_error *err);
int cmd_restart(int argc, char **argv, struct plan *p, struct berth_error *err);
int cmd_delete(int argc, char **argv, struct plan *p, struct berth_error *err);
int cmd_resize(int argc, char **argv, struct plan *p, struct berth_error *err);
int cmd_console(int argc, char **argv, struct plan *p, struct berth_error *err);
int cmd_exec(int argc, char **argv, struct plan *p, struct berth_error *err);
int cmd_image_import(int argc, char **argv, struct plan *p, struct berth_error *err);
/* cmd_project.c */
int cmd_project_create(int argc, char **argv, struct plan *p, struct berth_error *err);
int cmd_project_set(int argc, char **argv, struct plan *p, struct berth_error *err);
int cmd_token_create(int argc, char **argv, struct plan *p, struct berth_error *err);

#endif
