/* main.c - berth-console, started by berthd: `keep` is the keeper of a container's
 * terminal (keeper.h), `exec` one `berth exec` session (session.h). Both get their
 * listening socket from berthd as fd 0 and outlive berthd. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/size.h"
#include "console/keeper.h"
#include "console/session.h"

#define WAIT_DEFAULT_S 30
#define WAIT_MAX_S     3600
#define ENV_MAX	       64

static int usage(void)
{
	fputs("Usage: berth-console keep --log FILE [--max SIZE] --socket PATH [--wait S]\n"
	      "       berth-console exec --socket PATH --ct BERTH-CT --root DIR [--tty]\n"
	      "                          [--env K=V]... [--cwd DIR] [--wait S] NAME -- CMD [ARGS]\n"
	      "berthd starts it with the listening socket (berth-ct's console socket for keep,\n"
	      "the client's for exec) as fd 0; see docs/berthd.md.\n",
	      stderr);
	return 2;
}

static int parse_wait(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s < '0' || *s > '9' || *end || v < 1 || v > WAIT_MAX_S) {
		fprintf(stderr, "berth-console: --wait '%s': expected 1 to %d seconds\n", s,
			WAIT_MAX_S);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static int do_keep(int argc, char **argv)
{
	static const struct option opts[] = { { "log", required_argument, NULL, 'l' },
					      { "max", required_argument, NULL, 'm' },
					      { "socket", required_argument, NULL, 's' },
					      { "wait", required_argument, NULL, 'w' },
					      { 0 } };
	struct keeper_opts o = { .runtime_listener = 0, .wait_s = WAIT_DEFAULT_S };
	struct berth_error err;
	int ch;

	while ((ch = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (ch == 'l')
			o.log = optarg;
		else if (ch == 's')
			o.socket = optarg;
		else if (ch == 'm' && size_parse(optarg, &o.log_max, &err) < 0) {
			berr_print("berth-console: --max", &err);
			return 2;
		} else if (ch == 'w' && parse_wait(optarg, &o.wait_s) < 0)
			return 2;
		else if (ch == '?')
			return usage();
	}
	if (!o.log || !o.socket || optind != argc)
		return usage();
	if (keeper_run(&o, &err) < 0) {
		berr_print("berth-console", &err);
		return 1;
	}
	return 0;
}

static int do_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' }, { "ct", required_argument, NULL, 'c' },
		{ "root", required_argument, NULL, 'r' },   { "tty", no_argument, NULL, 't' },
		{ "env", required_argument, NULL, 'e' },    { "cwd", required_argument, NULL, 'd' },
		{ "wait", required_argument, NULL, 'w' },   { 0 }
	};
	struct session_opts o = { .listener = 0, .wait_s = WAIT_DEFAULT_S };
	char *ct_argv[4 + 2 * ENV_MAX + 3] = { NULL, "--root", NULL, "exec" };
	const char *ct = NULL;
	struct berth_error err;
	int ch, n = 4;

	while ((ch = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			o.socket = optarg;
			break;
		case 'c':
			ct = optarg;
			break;
		case 'r':
			ct_argv[2] = optarg;
			break;
		case 't':
			o.tty = true;
			break;
		case 'e':
		case 'd':
			if (n >= 4 + 2 * ENV_MAX) {
				fputs("berth-console: too many --env\n", stderr);
				return 2;
			}
			ct_argv[n++] = ch == 'e' ? "--env" : "--cwd";
			ct_argv[n++] = optarg;
			break;
		case 'w':
			if (parse_wait(optarg, &o.wait_s) < 0)
				return 2;
			break;
		default:
			return usage();
		}
	}
	/* NAME -- CMD...: the command may look like options, hence the -- */
	if (!o.socket || !ct || !ct_argv[2] || argc - optind < 3 || strcmp(argv[optind + 1], "--"))
		return usage();
	ct_argv[0] = (char *)ct;
	ct_argv[n] = NULL;
	argv[optind + 1] = argv[optind]; /* rest: NAME CMD... */
	o.ct_argv = ct_argv;
	o.rest = argv + optind + 1;
	if (session_run(&o, &err) < 0) {
		berr_print("berth-console exec", &err);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	if (argc >= 2 && !strcmp(argv[1], "keep"))
		return do_keep(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "exec"))
		return do_exec(argc - 1, argv + 1);
	return usage();
}
