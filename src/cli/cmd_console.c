/* cmd_console.c - the interactive commands: console (a VM's serial or a container's
 * terminal) and exec (a command in a container). Each is one call whose reply names a
 * socket that run.c then attaches to (attach.h). */
#include <errno.h>
#include <string.h>

#include "cli/commands.h"

#define EXEC_ENV_MAX 32 /* as berthd */

int cmd_console(int argc, char **argv, struct plan *p, struct berth_error *err)
{
	struct opt_loop l = PLAN_OPTS("console", NULL, p);
	const char *name;
	struct step *s;

	if (opt_plain(&l, argc, argv, "server", &name, err) < 0 || p->help)
		return p->help ? 0 : -1;
	s = plan_add(p, "GET", "/1.0/servers/", name, "/console", NULL, err);
	if (!s)
		return -1;
	s->kind = STEP_CONSOLE;
	snprintf(s->what, sizeof(s->what), "%s", name);
	return 0;
}

/* Append the strings argv[from..argc) to array a; -1 when out of memory. */
static int append_all(json_t *a, int argc, char **argv, int from)
{
	for (; from < argc; from++)
		if (json_array_append_new(a, json_string(argv[from])) < 0)
			return -1;
	return 0;
}

int cmd_exec(int argc, char **argv, struct plan *p, struct berth_error *err)
{
	static const struct option opts[] = { { "tty", no_argument, NULL, 't' },
					      { "no-tty", no_argument, NULL, 'T' },
					      { "env", required_argument, NULL, 'e' },
					      { "cwd", required_argument, NULL, 'w' },
					      { 0 } };
	struct opt_loop l = PLAN_OPTS("exec", opts, p);
	json_t *body = json_object(), *env = json_array(), *command = json_array();
	const char *name, *cwd = NULL;
	int ch, tty = -1;
	struct step *s;

	l.shortopts = "tT";
	if (!body || !env || !command)
		goto nomem;
	while ((ch = opt_next(&l, argc, argv, err)) >= 0) {
		if (ch == 't' || ch == 'T')
			tty = ch == 't';
		else if (ch == 'w')
			cwd = optarg;
		else if (!strchr(optarg, '=') || optarg[0] == '=') {
			berr(err, 0, "exec: --env '%s': expected KEY=VALUE", optarg);
			goto fail;
		} else if (json_array_size(env) == EXEC_ENV_MAX) {
			berr(err, 0, "exec: at most %d --env", EXEC_ENV_MAX);
			goto fail;
		} else if (json_array_append_new(env, json_string(optarg)) < 0) {
			goto nomem;
		}
	}
	if (ch == -2) {
		char why[sizeof(err->msg)];

		memcpy(why, err->msg, sizeof(why));
		berr(err, 0, "%.400s (the command goes after --: berth exec NAME -- CMD ARGS)",
		     why);
		goto fail;
	}
	if (p->help)
		goto done;
	if (argc - optind < 2) {
		berr(err, 0, "exec: %s; usage: berth exec NAME -- CMD [ARGS]",
		     argc == optind ? "missing NAME" : "missing the command");
		goto fail;
	}
	name = argv[optind];
	if (opt_name("exec", "server", name, err) < 0)
		goto fail;
	if (cwd && cwd[0] != '/') {
		berr(err, 0, "exec: --cwd '%s': give an absolute path in the container", cwd);
		goto fail;
	}
	if (append_all(command, argc, argv, optind + 1) < 0 ||
	    json_object_set_new(body, "command", command) < 0)
		goto nomem;
	command = NULL;
	if (json_array_size(env) && json_object_set(body, "env", env) < 0)
		goto nomem;
	if ((cwd && json_object_set_new(body, "cwd", json_string(cwd)) < 0) ||
	    (tty >= 0 && json_object_set_new(body, "tty", json_boolean(tty)) < 0))
		goto nomem;
	s = plan_add(p, "POST", "/1.0/servers/", name, "/exec", body, err);
	body = NULL; /* plan_add took it */
	if (!s)
		goto fail;
	s->kind = STEP_EXEC;
	snprintf(s->what, sizeof(s->what), "exec in %s", name);
done:
	json_decref(env);
	json_decref(command);
	json_decref(body);
	return 0;
nomem:
	berr(err, ENOMEM, "exec");
fail:
	json_decref(env);
	json_decref(command);
	json_decref(body);
	return -1;
}
