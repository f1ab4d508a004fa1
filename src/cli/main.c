/* main.c - berth, the command line of berthd: berth's own options, then one command,
 * which parses its arguments into API calls (commands.h) that run.c makes. Exit status:
 * 0 done, 1 the daemon refused or failed (its message on stderr), 2 a usage error; `berth
 * exec` exits with the command's status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/remotes.h"
#include "cli/run.h"
#include "common/names.h"

#define BERTH_VERSION  "0.1.0"
#define DEFAULT_SOCKET "/run/berth/berth.sock"

/* A usage error: the message, a hint where help is, exit status 2. */
static int usage_error(const struct berth_error *err, const char *cmd)
{
	fprintf(stderr, "berth: %s\nTry 'berth%s%s --help'.\n", err->msg, cmd ? " " : "",
		cmd ? cmd : "");
	return 2;
}

/* berth help [COMMAND...]: the same as berth [COMMAND...] --help. */
static int help(int argc, char **argv)
{
	const struct cli_cmd *cmd;
	struct berth_error err;
	int words;

	if (argc == 0) {
		cli_usage(NULL, stdout);
		return 0;
	}
	cmd = cli_find(argc, argv, &words);
	if (cmd && words == argc) {
		cli_cmd_help(cmd, stdout);
		return 0;
	}
	if (!cmd && words == 1 && argc == 1) {
		cli_usage(argv[0], stdout);
		return 0;
	}
	berr(&err, 0, "help: no command '%s%s%s'", argv[0], argc > 1 ? " " : "",
	     argc > 1 ? argv[1] : "");
	return usage_error(&err, NULL);
}

/* argv[0] names no command: a group ("berth image") gets its list, else an error. */
static int no_command(int argc, char **argv, int words)
{
	struct berth_error err;

	if (words == 1 && argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		cli_usage(argv[0], stdout);
		return 0;
	}
	if (words == 1) {
		if (argc > 1)
			berr(&err, 0, "unknown command '%s %s'", argv[0], argv[1]);
		else
			berr(&err, 0, "'%s' needs a command", argv[0]);
		cli_usage(argv[0], stderr);
		return usage_error(&err, argv[0]);
	}
	berr(&err, 0, "unknown command '%s'", argv[0]);
	return usage_error(&err, NULL);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = { { "socket", required_argument, NULL, 's' },
					      { "remote", required_argument, NULL, 'r' },
					      { "project", required_argument, NULL, 'p' },
					      { "version", no_argument, NULL, 'V' },
					      { 0 } };
	const char *socket_path = getenv("BERTH_SOCKET"), *remote = getenv("BERTH_REMOTE");
	const char *project = NULL;
	json_t *remotes = NULL;
	struct plan p = { .format = FORMAT_TABLE };
	struct opt_loop l = {
		.cmd = "", .longopts = opts, .format = &p.format, .help = &p.help, .in_order = true
	};
	const struct cli_cmd *cmd;
	struct client c = { 0 };
	struct berth_error err;
	int ch, words, rc;

	if (!socket_path || !*socket_path)
		socket_path = DEFAULT_SOCKET;
	while ((ch = opt_next(&l, argc, argv, &err)) >= 0) {
		if (ch == 'V') {
			printf("berth %s\n", BERTH_VERSION);
			return 0;
		}
		if (ch == 'r')
			remote = optarg;
		else if (ch == 'p')
			project = optarg;
		else
			socket_path = optarg; /* 's' */
	}
	if (ch == -2)
		return usage_error(&err, NULL);
	if (p.help) {
		cli_usage(NULL, stdout);
		return 0;
	}
	if (optind >= argc) {
		cli_usage(NULL, stderr);
		return 2;
	}
	argc -= optind;
	argv += optind;
	if (!strcmp(argv[0], "help"))
		return help(argc - 1, argv + 1);
	if (!strcmp(argv[0], "remote"))
		return remote_main(argc, argv, stdout);
	if (project && name_check("project", project, &err))
		return usage_error(&err, NULL);
	cmd = cli_find(argc, argv, &words);
	if (!cmd)
		return no_command(argc, argv, words);
	if (cli_parse(cmd, argc - words + 1, argv + words - 1, &p, &err) < 0) {
		plan_free(&p);
		return usage_error(&err, cmd->name);
	}
	if (p.help) {
		cli_cmd_help(cmd, stdout);
		return 0;
	}
	rc = client_open(&c, socket_path, &err);
	c.project = project;
	if (rc == 0 && remote && *remote)
		rc = remote_use(&c, remote, &remotes, &err);
	if (rc == 0)
		rc = run_plan(&c, &p, stdout, &err);
	if (rc < 0)
		berr_print("berth", &err);
	client_close(&c);
	json_decref(remotes);
	plan_free(&p);
	return rc < 0 ? 1 : rc;
}
