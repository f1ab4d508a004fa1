/* cmd_server.c - the server commands: create, start, stop, restart, delete, list, show,
 * resize. Each parses its arguments into API calls (plan.h); the daemon checks names,
 * images, plans and the ledger, the CLI only the shape of what it is given. */
#include <errno.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/render.h"
#include "cli/seed_opts.h"

#define CPUS_MAX 255 /* as berthd: what one server may have; the ledger decides what fits */

/* What --cpus, --memory and --disk asked for (create and resize). */
struct resources {
	unsigned cpus;
	uint64_t memory, disk;
	bool has_cpus, has_memory, has_disk;
};

#define RESOURCE_OPTS                                                                              \
	{ "cpus", required_argument, NULL, 'c' }, { "memory", required_argument, NULL, 'm' },      \
	{                                                                                          \
		"disk", required_argument, NULL, 'd'                                               \
	}

/* Take option ch when it is one of RESOURCE_OPTS: 1 taken, 0 not one, -1 bad value. */
static int resources_opt(struct resources *r, int ch, struct berth_error *err)
{
	switch (ch) {
	case 'c':
		r->has_cpus = true;
		return opt_count("--cpus", optarg, 1, CPUS_MAX, &r->cpus, err) < 0 ? -1 : 1;
	case 'm':
		r->has_memory = true;
		return opt_size("--memory", optarg, false, &r->memory, err) < 0 ? -1 : 1;
	case 'd':
		r->has_disk = true;
		return opt_size("--disk", optarg, true, &r->disk, err) < 0 ? -1 : 1;
	}
	return 0;
}

/* Add what r has to body; -1 when out of memory. */
static int resources_put(const struct resources *r, json_t *body)
{
	if (r->has_cpus && json_object_set_new(body, "cpus", json_integer(r->cpus)) < 0)
		return -1;
	if (r->has_memory &&
	    json_object_set_new(body, "memory", json_integer((json_int_t)r->memory)) < 0)
		return -1;
	if (r->has_disk && json_object_set_new(body, "disk", json_integer((json_int_t)r->disk)) < 0)
		return -1;
	return 0;
}

/* Add an operation step (method on /1.0/servers/NAME + suffix) named "verb NAME". */
static int server_op(struct plan *p, const char *method, const char *name, const char *suffix,
		     json_t *body, const char *verb, struct berth_error *err)
{
	struct step *s = plan_add(p, method, "/1.0/servers/", name, suffix, body, err);

	if (!s)
		return -1;
	s->kind = STEP_OPERATION;
	snprintf(s->what, sizeof(s->what), "%s %s", verb, name);
	return 0;
}

/* PUT /1.0/servers/NAME/state {"action": ...}. */
static int state_step(struct plan *p, const char *action, const char *name, bool force, int timeout,
		      struct berth_error *err)
{
	json_t *body = json_pack("{s:s, s:b}", "action", action, "force", force);

	if (body && timeout >= 0 && json_object_set_new(body, "timeout", json_integer(timeout)) < 0)
		body = (json_decref(body), NULL);
	return server_op(p, "PUT", name, "/state", body, action, err);
}

int cmd_create(int argc, char **argv, struct plan *p, struct berth_error *err)
{
	static const struct option opts[] = { { "kind", required_argument, NULL, 'k' },
					      { "image", required_argument, NULL, 'i' },
					      { "plan", required_argument, NULL, 'p' },
					      RESOURCE_OPTS,
					      { "restart", required_argument, NULL, 'r' },
					      { "start", no_argument, NULL, 's' },
					      { "cmdline", required_argument, NULL, 'C' },
					      { "privileged", no_argument, NULL, 'P' },
					      { "ssh-key", required_argument, NULL, 'K' },
					      { "user-data", required_argument, NULL, 'U' },
					      { 0 } };
	struct opt_loop l = PLAN_OPTS("create", opts, p);
	const char *kind = NULL, *image = NULL, *plan = NULL, *restart = NULL, *cmdline = NULL;
	const char *name;
	struct resources r = { 0 };
	bool start = false, privileged = false;
	json_auto_t *keys = json_array();
	json_auto_t *user_data = NULL;
	json_t *body;
	struct step *s;
	int ch;

	while ((ch = opt_next(&l, argc, argv, err)) >= 0) {
		if (resources_opt(&r, ch, err) < 0)
			return -1;
		if (ch == 'K' && (!keys || seed_add_keys(keys, optarg, err) < 0))
			return keys ? -1 : berr(err, ENOMEM, "create: --ssh-key");
		if (ch == 'U') {
			json_decref(user_data);
			user_data = seed_user_data(optarg, err);
			if (!user_data)
				return -1;
		}
		kind = ch == 'k' ? optarg : kind;
		image = ch == 'i' ? optarg : image;
		plan = ch == 'p' ? optarg : plan;
		restart = ch == 'r' ? optarg : restart;
		cmdline = ch == 'C' ? optarg : cmdline;
		start = start || ch == 's';
		privileged = privileged || ch == 'P';
	}
	if (opt_end(&l, ch, argc, argv, "server", &name, err) < 0)
		return -1;
	if (p->help)
		return 0;
	if (!kind)
		return berr(err, 0, "create: --kind vm or --kind ct is required");
	if (strcmp(kind, "vm") && strcmp(kind, "ct"))
		return berr(err, 0, "create: --kind '%s': expected vm or ct", kind);
	if (!image)
		return berr(err, 0, "create: --image NAME is required (see: berth image list)");
	if (opt_name("create: --image", "image", image, err) < 0 ||
	    (plan && opt_name("create: --plan", "plan", plan, err) < 0))
		return -1;
	if (!plan && (!r.has_cpus || !r.has_memory))
		return berr(err, 0,
			    "create: give --plan NAME (see: berth plan list) or both "
			    "--cpus and --memory");
	if (restart && strcmp(restart, "always") && strcmp(restart, "no"))
		return berr(err, 0, "create: --restart '%s': expected always or no", restart);
	if (cmdline && strcmp(kind, "vm"))
		return berr(err, 0,
			    "create: --cmdline is for --kind vm (a container has no kernel)");
	if (privileged && strcmp(kind, "ct"))
		return berr(err, 0, "create: --privileged is for --kind ct");

	body = json_pack("{s:s, s:s, s:s}", "name", name, "kind", kind, "image", image);
	if (body && ((plan && json_object_set_new(body, "plan", json_string(plan)) < 0) ||
		     (restart && json_object_set_new(body, "restart", json_string(restart)) < 0) ||
		     (cmdline && json_object_set_new(body, "cmdline", json_string(cmdline)) < 0) ||
		     (privileged && json_object_set_new(body, "privileged", json_true()) < 0) ||
		     (json_array_size(keys) && json_object_set(body, "ssh_keys", keys) < 0) ||
		     (user_data && json_object_set(body, "user_data", user_data) < 0) ||
		     resources_put(&r, body) < 0))
		body = (json_decref(body), NULL);
	s = plan_add(p, "POST", "/1.0/servers", NULL, "", body, err);
	if (!s)
		return -1;
	s->kind = STEP_OPERATION;
	snprintf(s->what, sizeof(s->what), "create %s", name);
	return start ? state_step(p, "start", name, false, -1, err) : 0;
}

int cmd_start(int argc, char **argv, struct plan *p, struct berth_error *err)
{
	struct opt_loop l = PLAN_OPTS("start", NULL, p);
	const char *name;

	if (opt_plain(&l, argc, argv, "server", &name, err) < 0)
		return -1;
	return p->help ? 0 : state_step(p, "start", name, false, -1, err);
}

/* stop and restart: [--force] [--timeout S] NAME. */
static int stopping(const char *action, int argc, char **argv, struct plan *p,
		    struct berth_error *err)
{
	static const struct option opts[] = { { "force", no_argument, NULL, 'f' },
					      { "timeout", required_argument, NULL, 't' },
					      { 0 } };
	struct opt_loop l = PLAN_OPTS(action, opts, p);
	unsigned timeout;
	int ch, seconds = -1;
	const char *name;
	bool force = false;

	while ((ch = opt_next(&l, argc, argv, err)) >= 0) {
		force = force || ch == 'f';
		if (ch == 't') {
			if (opt_duration("--timeout", optarg, &timeout, err) < 0)
				return -1;
			seconds = (int)timeout;
		}
	}
	if (opt_end(&l, ch, argc, argv, "server", &name, err) < 0)
		return -1;
	if (p->help)
		return 0;
	return state_step(p, action, name, force, seconds, err);
}

int cmd_stop(int argc, char **argv, struct plan *p, struct berth_error *err)
{
	return stopping("stop", argc, argv, p, err);
}

int cmd_restart(int argc, char **argv, struct plan *p, struct berth_error *err)
{
	return stopping("restart", argc, argv, p, err);
}

int cmd_delete(int argc, char **argv, struct plan *p, struct berth_error *err)
{
	static const struct option opts[] = { { "force", no_argument, NULL, 'f' }, { 0 } };
	struct opt_loop l = PLAN_OPTS("delete", opts, p);
	bool force = false;
	const char *name;
	int ch;

	while ((ch = opt_next(&l, argc, argv, err)) >= 0)
		force = true; /* --force is the only option */
	if (opt_end(&l, ch, argc, argv, "server", &name, err) < 0)
		return -1;
	if (p->help)
		return 0;
	return server_op(p, "DELETE", name, force ? "?force=1" : "", NULL, "delete", err);
}

int cmd_resize(int argc, char **argv, struct plan *p, struct berth_error *err)
{
	static const struct option opts[] = { RESOURCE_OPTS, { 0 } };
	struct opt_loop l = PLAN_OPTS("resize", opts, p);
	struct resources r = { 0 };
	json_t *body;
	const char *name;
	int ch;

	while ((ch = opt_next(&l, argc, argv, err)) >= 0)
		if (resources_opt(&r, ch, err) < 0)
			return -1;
	if (opt_end(&l, ch, argc, argv, "server", &name, err) < 0)
		return -1;
	if (p->help)
		return 0;
	if (!r.has_cpus && !r.has_memory && !r.has_disk)
		return berr(err, 0, "resize: give at least one of --cpus, --memory, --disk");
	body = json_object();
	if (body && resources_put(&r, body) < 0)
		body = (json_decref(body), NULL);
	return plan_add(p, "PATCH", "/1.0/servers/", name, "", body, err) ? 0 : -1;
}
