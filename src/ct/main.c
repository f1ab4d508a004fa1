/* main.c - berth-ct's command line: global options, then one subcommand in the
 * runc/crun mould. Each subcommand parses its own options and calls one function. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct/container.h"
#include "ct/exec.h"
#include "ct/log.h"
#include "ct/names.h"
#include "ct/spec.h"
#include "ct/rootless.h"
#include "ct/state.h"

#define BERTH_CT_VERSION "0.1.0"

struct cmd {
	const char *name;
	int (*run)(const char *root, int argc, char **argv, struct berth_error *err);
	const char *usage; /* after "berth-ct NAME " */
	const char *help;
};

static const struct cmd *find_cmd(const char *name);

/* Print a subcommand's help. */
static int cmd_help(const struct cmd *c)
{
	printf("Usage: berth-ct %s %s\n\n%s\n", c->name, c->usage, c->help);
	return 0;
}

/* Parse options for a command; returns the option char, or -1 at the end. --help
 * prints the help and exits 0, an unknown option exits 1 (as runc does). */
static int next_opt(const char *name, int argc, char **argv, const char *shortopts,
		    const struct option *longopts)
{
	int ch = getopt_long(argc, argv, shortopts, longopts, NULL);

	if (ch == 'h') {
		cmd_help(find_cmd(name));
		exit(0);
	}
	if (ch == '?') {
		fprintf(stderr, "Try `berth-ct %s --help`.\n", name);
		exit(1);
	}
	return ch;
}

/* Exactly `want` positional arguments must remain. */
static int positional(const char *name, int argc, int want, struct berth_error *err)
{
	if (argc - optind != want)
		return berr(err, 0, "%s: expected %d argument%s, got %d (see --help)", name, want,
			    want == 1 ? "" : "s", argc - optind);
	return 0;
}

#define HELP_OPT                                                                                   \
	{                                                                                          \
		"help", no_argument, NULL, 'h'                                                     \
	}

/* --preserve-fds N: a count of fds after stdio to pass on. */
static int parse_fd_count(const char *s, int *out, struct berth_error *err)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (*end || end == s || n < 0 || n > 4096)
		return berr(err, 0, "--preserve-fds `%s`: expected a count from 0 to 4096", s);
	*out = (int)n;
	return 0;
}

static int do_create_or_run(const char *root, int argc, char **argv, bool run,
			    struct berth_error *err)
{
	static const struct option opts[] = { { "bundle", required_argument, NULL, 'b' },
					      { "pid-file", required_argument, NULL, 'p' },
					      { "console-socket", required_argument, NULL, 'c' },
					      { "detach", no_argument, NULL, 'd' },
					      { "no-pivot", no_argument, NULL, 'P' },
					      { "no-new-keyring", no_argument, NULL, 'K' },
					      { "preserve-fds", required_argument, NULL, 'F' },
					      HELP_OPT,
					      { 0 } };
	struct container_opts o = { .root = root, .bundle = "." };
	const char *name = run ? "run" : "create";
	bool detach = false;
	int ch, status;
	pid_t pid;

	while ((ch = next_opt(name, argc, argv, "+b:p:c:dh", opts)) != -1) {
		switch (ch) {
		case 'b':
			o.bundle = optarg;
			break;
		case 'p':
			o.pid_file = optarg;
			break;
		case 'c':
			o.console_socket = optarg;
			break;
		case 'd':
			detach = true;
			break;
		case 'F':
			if (parse_fd_count(optarg, &o.preserve_fds, err) < 0)
				return -1;
			break;
		}
	}
	if (positional(name, argc, 1, err) < 0)
		return -1;
	o.id = argv[optind];
	if (!run)
		return container_create(&o, &pid, err);
	if (container_run(&o, detach, &status, err) < 0)
		return -1;
	return status;
}

static int do_create(const char *root, int argc, char **argv, struct berth_error *err)
{
	return do_create_or_run(root, argc, argv, false, err);
}

static int do_run(const char *root, int argc, char **argv, struct berth_error *err)
{
	return do_create_or_run(root, argc, argv, true, err);
}

/* Commands that take only the container id. */
static int id_only(const char *name, int argc, char **argv, struct berth_error *err)
{
	static const struct option opts[] = { HELP_OPT, { 0 } };

	while (next_opt(name, argc, argv, "+h", opts) != -1)
		;
	return positional(name, argc, 1, err);
}

static int do_start(const char *root, int argc, char **argv, struct berth_error *err)
{
	if (id_only("start", argc, argv, err) < 0)
		return -1;
	return container_start(root, argv[optind], err);
}

static int do_pause(const char *root, int argc, char **argv, struct berth_error *err)
{
	if (id_only("pause", argc, argv, err) < 0)
		return -1;
	return container_pause(root, argv[optind], true, err);
}

static int do_resume(const char *root, int argc, char **argv, struct berth_error *err)
{
	if (id_only("resume", argc, argv, err) < 0)
		return -1;
	return container_pause(root, argv[optind], false, err);
}

static int do_state(const char *root, int argc, char **argv, struct berth_error *err)
{
	if (id_only("state", argc, argv, err) < 0)
		return -1;
	return container_state(root, argv[optind], err);
}

static int do_kill(const char *root, int argc, char **argv, struct berth_error *err)
{
	static const struct option opts[] = { { "all", no_argument, NULL, 'a' }, HELP_OPT, { 0 } };
	bool all = false;
	int ch, sig = 15;

	while ((ch = next_opt("kill", argc, argv, "+ah", opts)) != -1)
		all = all || ch == 'a';
	if (argc - optind == 2) {
		sig = names_signal(argv[optind + 1]);
		if (sig < 0)
			return berr(err, 0, "kill: unknown signal `%s`", argv[optind + 1]);
	} else if (positional("kill", argc, 1, err) < 0) {
		return -1;
	}
	return container_kill(root, argv[optind], sig, all, err);
}

static int do_delete(const char *root, int argc, char **argv, struct berth_error *err)
{
	static const struct option opts[] = { { "force", no_argument, NULL, 'f' },
					      HELP_OPT,
					      { 0 } };
	bool force = false;
	int ch;

	while ((ch = next_opt("delete", argc, argv, "+fh", opts)) != -1)
		force = force || ch == 'f';
	if (positional("delete", argc, 1, err) < 0)
		return -1;
	return container_delete(root, argv[optind], force, err);
}

/* --format table|json. */
static int parse_format(const char *s, bool *json, struct berth_error *err)
{
	if (strcmp(s, "json") && strcmp(s, "table"))
		return berr(err, 0, "--format `%s`: expected table or json", s);
	*json = !strcmp(s, "json");
	return 0;
}

static int do_list(const char *root, int argc, char **argv, struct berth_error *err)
{
	static const struct option opts[] = { { "format", required_argument, NULL, 'f' },
					      { "quiet", no_argument, NULL, 'q' },
					      HELP_OPT,
					      { 0 } };
	bool json = false, quiet = false;
	int ch;

	while ((ch = next_opt("list", argc, argv, "+f:qh", opts)) != -1) {
		if (ch == 'f' && parse_format(optarg, &json, err) < 0)
			return -1;
		quiet = quiet || ch == 'q';
	}
	if (positional("list", argc, 0, err) < 0)
		return -1;
	return container_list(root, json, quiet, err);
}

static int do_ps(const char *root, int argc, char **argv, struct berth_error *err)
{
	static const struct option opts[] = { { "format", required_argument, NULL, 'f' },
					      HELP_OPT,
					      { 0 } };
	bool json = false;
	int ch;

	while ((ch = next_opt("ps", argc, argv, "+f:h", opts)) != -1)
		if (parse_format(optarg, &json, err) < 0)
			return -1;
	if (argc - optind < 1)
		return positional("ps", argc, 1, err);
	return container_ps(root, argv[optind], json, err);
}

/* A failed exec exits 255, as runc's does, so that it differs from the usual statuses
 * of the process itself; a usage error is still 1. */
static int exec_failed(const struct berth_error *err)
{
	log_msg("error", err->msg);
	return 255;
}

static int do_exec(const char *root, int argc, char **argv, struct berth_error *err)
{
	static const struct option opts[] = { { "process", required_argument, NULL, 'p' },
					      { "tty", no_argument, NULL, 't' },
					      { "detach", no_argument, NULL, 'd' },
					      { "pid-file", required_argument, NULL, 'P' },
					      { "console-socket", required_argument, NULL, 'c' },
					      { "env", required_argument, NULL, 'e' },
					      { "cwd", required_argument, NULL, 'w' },
					      { "user", required_argument, NULL, 'u' },
					      { "preserve-fds", required_argument, NULL, 'F' },
					      HELP_OPT,
					      { 0 } };
	struct exec_opts o = { .root = root };
	char *env[64] = { NULL };
	size_t n_env = 0;
	int ch, status;

	while ((ch = next_opt("exec", argc, argv, "+p:tdP:c:e:w:u:h", opts)) != -1) {
		switch (ch) {
		case 'p':
			o.process_file = optarg;
			break;
		case 't':
			o.tty = true;
			break;
		case 'd':
			o.detach = true;
			break;
		case 'P':
			o.pid_file = optarg;
			break;
		case 'c':
			o.console_socket = optarg;
			break;
		case 'e':
			if (n_env == 63)
				return berr(err, 0, "exec: too many --env");
			env[n_env++] = optarg;
			break;
		case 'w':
			o.cwd = optarg;
			break;
		case 'u':
			o.user = optarg;
			break;
		case 'F':
			if (parse_fd_count(optarg, &o.preserve_fds, err) < 0)
				return -1;
			break;
		}
	}
	if (argc - optind < 1)
		return positional("exec", argc, 1, err);
	o.id = argv[optind];
	o.args = argv + optind + 1;
	o.env = env;
	if (exec_run(&o, &status, err) < 0)
		return exec_failed(err);
	return status;
}

static int do_spec(const char *root, int argc, char **argv, struct berth_error *err)
{
	static const struct option opts[] = { { "bundle", required_argument, NULL, 'b' },
					      { "rootless", no_argument, NULL, 'r' },
					      HELP_OPT,
					      { 0 } };
	const char *dir = ".";
	bool rootless = false;
	int ch;

	(void)root;
	while ((ch = next_opt("spec", argc, argv, "+b:h", opts)) != -1) {
		if (ch == 'b')
			dir = optarg;
		rootless = rootless || ch == 'r';
	}
	if (positional("spec", argc, 0, err) < 0)
		return -1;
	return spec_write(dir, rootless, err);
}

static int do_features(const char *root, int argc, char **argv, struct berth_error *err)
{
	static const struct option opts[] = { HELP_OPT, { 0 } };

	(void)root;
	while (next_opt("features", argc, argv, "+h", opts) != -1)
		;
	if (positional("features", argc, 0, err) < 0)
		return -1;
	return spec_features(err);
}

static const struct cmd cmds[] = {
	{ "create", do_create,
	  "[--bundle DIR] [--pid-file FILE] [--console-socket SOCK] [--preserve-fds N] ID",
	  "Create a container from the bundle; it waits for `start` to run process.args." },
	{ "start", do_start, "ID", "Start a created container." },
	{ "run", do_run,
	  "[--bundle DIR] [--pid-file FILE] [--console-socket SOCK] [--preserve-fds N]\n"
	  "       [--detach] ID",
	  "Create and start a container; unless --detach, wait for it, delete it, and exit\n"
	  "with its status." },
	{ "state", do_state, "ID", "Print the state of a container as JSON." },
	{ "kill", do_kill, "[--all] ID [SIGNAL]",
	  "Send SIGNAL (default SIGTERM; a name or number) to the container's process." },
	{ "delete", do_delete, "[--force] ID",
	  "Delete a stopped container; --force kills a running one first." },
	{ "exec", do_exec,
	  "[--process FILE | [--env K=V] [--cwd DIR] [--user UID[:GID]]] [--tty] [--detach]\n"
	  "       [--pid-file FILE] [--console-socket SOCK] [--preserve-fds N] ID [COMMAND "
	  "ARGS...]",
	  "Run a new process in a running container." },
	{ "list", do_list, "[--format table|json] [--quiet]", "List the containers." },
	{ "ps", do_ps, "[--format table|json] ID", "List the processes of a container." },
	{ "pause", do_pause, "ID", "Freeze every process of a container." },
	{ "resume", do_resume, "ID", "Thaw a paused container." },
	{ "spec", do_spec, "[--bundle DIR] [--rootless]", "Write a starter config.json." },
	{ "features", do_features, "", "Print what this runtime supports, as JSON." },
};

static const struct cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: berth-ct [--root DIR] [--log FILE] [--log-format text|json] COMMAND "
		   "[OPTIONS] ARGS\n\nAn OCI container runtime.\n\nCommands:\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-9s %.*s\n", cmds[i].name, (int)strcspn(cmds[i].help, "\n"),
			cmds[i].help);
	fprintf(f, "\n`berth-ct COMMAND --help` describes a command. State lives under --root "
		   "(default " STATE_DEFAULT_ROOT "; $XDG_RUNTIME_DIR/berth-ct when rootless).\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = { { "root", required_argument, NULL, 'r' },
					      { "log", required_argument, NULL, 'l' },
					      { "log-format", required_argument, NULL, 'f' },
					      { "debug", no_argument, NULL, 'D' },
					      { "systemd-cgroup", no_argument, NULL, 's' },
					      { "rootless", required_argument, NULL, 'R' },
					      { "version", no_argument, NULL, 'v' },
					      { "help", no_argument, NULL, 'h' },
					      { 0 } };
	char rootless_root[PATH_MAX];
	const char *root = rootless_state_root(rootless_root, sizeof(rootless_root)), *log = NULL;
	struct berth_error err = { 0 };
	const struct cmd *c;
	bool json_log = false;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			root = optarg;
			break;
		case 'l':
			log = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
				fprintf(stderr,
					"berth-ct: --log-format `%s`: expected text or json\n",
					optarg);
				return 1;
			}
			json_log = !strcmp(optarg, "json");
			break;
		case 's':
			fprintf(stderr, "berth-ct: --systemd-cgroup ignored: cgroupfs is used\n");
			break;
		case 'v':
			printf("berth-ct version " BERTH_CT_VERSION "\nspec: " CT_SPEC_VERSION
			       "\n");
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		case 'D':
		case 'R':
			break;
		default:
			usage(stderr);
			return 1;
		}
	}
	log_init(log, json_log);
	/* runc's exit codes: no command prints the help; an unknown one exits 3 */
	if (optind >= argc) {
		usage(stdout);
		return 0;
	}
	c = find_cmd(argv[optind]);
	if (!c) {
		fprintf(stderr, "berth-ct: unknown command `%s` (see --help)\n", argv[optind]);
		return 3;
	}
	argc -= optind;
	argv += optind;
	optind = 1;
	rc = c->run(root, argc, argv, &err);
	if (rc < 0) {
		log_msg("error", err.msg);
		return 1;
	}
	return rc;
}
