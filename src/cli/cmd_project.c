/* cmd_project.c - project create and set (a project's quota), token create: the operator's
 * commands that take options; list, show, delete and revoke are simple (commands.c). */
#include <errno.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/render.h"

#define QUOTA_CPUS_MAX (1u << 20)

/* --cpus, --memory, --disk of project create/set into body; 0 is no limit. */
static int quota_opts(struct opt_loop *l, int argc, char **argv, json_t *body, const char **name,
		      struct berth_error *err)
{
	static const struct option opts[] = { { "cpus", required_argument, NULL, 'c' },
					      { "memory", required_argument, NULL, 'm' },
					      { "disk", required_argument, NULL, 'd' },
					      { 0 } };
	uint64_t size;
	unsigned cpus;
	int ch;

	l->longopts = opts;
	while ((ch = opt_next(l, argc, argv, err)) >= 0) {
		if (ch == 'c') {
			if (opt_count("--cpus", optarg, 0, QUOTA_CPUS_MAX, &cpus, err) < 0)
				return -1;
			json_object_set_new(body, "cpus", json_integer(cpus));
			continue;
		}
		if (opt_size(ch == 'm' ? "--memory" : "--disk", optarg, true, &size, err) < 0)
			return -1;
		json_object_set_new(body, ch == 'm' ? "memory" : "disk",
				    json_integer((json_int_t)size));
	}
	return opt_end(l, ch, argc, argv, "project", name, err);
}

/* project create (POST with the name in the body) or set (PATCH on the name). */
static int project_step(int argc, char **argv, struct plan *p, bool create, struct berth_error *err)
{
	const char *cmd = create ? "project create" : "project set";
	struct opt_loop l = PLAN_OPTS(cmd, NULL, p);
	json_t *body = json_object();
	const char *name = NULL;
	struct step *s;

	if (!body)
		return berr(err, ENOMEM, "%s", cmd);
	if (quota_opts(&l, argc, argv, body, &name, err) < 0 || p->help) {
		json_decref(body);
		return p->help ? 0 : -1;
	}
	if (create) {
		json_object_set_new(body, "name", json_string(name));
		s = plan_add(p, "POST", "/1.0/projects", NULL, "", body, err);
	} else if (json_object_size(body) == 0) {
		json_decref(body);
		return berr(err, 0,
			    "project set: give at least one of --cpus, --memory, --disk (0: no "
			    "limit)");
	} else {
		s = plan_add(p, "PATCH", "/1.0/projects/", name, "", body, err);
	}
	if (!s)
		return -1;
	s->render = render_project;
	return 0;
}

int cmd_project_create(int argc, char **argv, struct plan *p, struct berth_error *err)
{
	return project_step(argc, argv, p, true, err);
}

int cmd_project_set(int argc, char **argv, struct plan *p, struct berth_error *err)
{
	return project_step(argc, argv, p, false, err);
}

int cmd_token_create(int argc, char **argv, struct plan *p, struct berth_error *err)
{
	static const struct option opts[] = { { "project", required_argument, NULL, 'p' }, { 0 } };
	struct opt_loop l = PLAN_OPTS("token create", opts, p);
	const char *project = NULL;
	struct step *s;
	int ch;

	while ((ch = opt_next(&l, argc, argv, err)) >= 0)
		project = optarg;
	if (opt_end(&l, ch, argc, argv, NULL, NULL, err) < 0)
		return -1;
	if (p->help)
		return 0;
	if (!project)
		return berr(err, 0, "token create: give --project P (berth project list)");
	if (opt_name("token create", "project", project, err) < 0)
		return -1;
	s = plan_add(p, "POST", "/1.0/tokens", NULL, "", json_pack("{s:s}", "project", project),
		     err);
	if (!s)
		return -1;
	s->render = render_token;
	return 0;
}
