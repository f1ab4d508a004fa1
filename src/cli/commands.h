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
	/* argv[0] is the command's last word; p->format holds the global --format. */
	int (*parse)(int argc, char **argv, struct plan *p, struct berth_error *err);
};

/* The command named by argv[0] (and argv[1] for two-word commands), or NULL; *words says
 * how many words named it (on NULL: how many words matched a group such as "image"). */
const struct cli_cmd *cli_find(int argc, char **argv, int *words);

/* Print berth's usage and its list of commands (prefix "image": only that group's). */
void cli_usage(const char *prefix, FILE *out);

/* Print one command's help. */
void cli_cmd_help(const struct cli_cmd *c, FILE *out);

/* The parsers, one per command (cmd_server.c, cmd_image.c, cmd_host.c). */
int cmd_create(int argc, char **argv, struct plan *p, struct berth_error *err);
int cmd_start(int argc, char **argv, struct plan *p, struct berth_error *err);
int cmd_stop(int argc, char **argv, struct plan *p, struct berth_error *err);
int cmd_restart(int argc, char **argv, struct plan *p, struct berth_error *err);
int cmd_delete(int argc, char **argv, struct plan *p, struct berth_error *err);
int cmd_list(int argc, char **argv, struct plan *p, struct berth_error *err);
int cmd_show(int argc, char **argv, struct plan *p, struct berth_error *err);
int cmd_resize(int argc, char **argv, struct plan *p, struct berth_error *err);
int cmd_image_import(int argc, char **argv, struct plan *p, struct berth_error *err);
int cmd_image_list(int argc, char **argv, struct plan *p, struct berth_error *err);
int cmd_image_delete(int argc, char **argv, struct plan *p, struct berth_error *err);
int cmd_plan_list(int argc, char **argv, struct plan *p, struct berth_error *err);
int cmd_host(int argc, char **argv, struct plan *p, struct berth_error *err);

#endif
