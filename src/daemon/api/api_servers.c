/* api_servers.c - /1.0/servers: list, create (reserve, then an operation), show, resize,
 * start/stop/restart (PUT .../state) and delete. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon/api/api.h"
#include "daemon/api/api_input.h"
#include "common/error.h"
#include "daemon/cloud/cloud_seed.h"
#include "daemon/servers/server_actions.h"
#include "daemon/state/server_rows.h"

#define MAX_CPUS    255
#define MAX_TIMEOUT 3600

void api_servers_list(struct berthd *d, const struct http_request *rq, const char *arg,
		      struct http_reply *rep)
{
	struct berth_error err;
	sqlite3 *db = db_conn(&d->db, &err);
	json_t *list = db ? server_json_list(db, rq->project, &err) : NULL;

	(void)arg;
	if (list)
		http_reply_json(rep, 200, list);
	else
		api_reply_error(rep, &err);
}

/* The spec of a create request: a plan's sizes, overridden by the fields given. */
static int read_spec(struct berthd *d, json_t *body, struct server_spec *spec,
		     struct berth_error *err)
{
	const char *name = NULL, *kind = NULL, *image = NULL, *plan_name = NULL, *restart = "no";
	const struct plan *plan;

	if (input_string(body, "name", true, &name, err) || name_check("server", name, err) ||
	    input_string(body, "kind", true, &kind, err) ||
	    input_string(body, "image", true, &image, err) || name_check("image", image, err) ||
	    input_string(body, "plan", false, &plan_name, err) ||
	    input_string(body, "restart", false, &restart, err))
		return -1;
	if (strcmp(kind, "vm") && strcmp(kind, "ct"))
		return refuse(err, EINVAL, "field 'kind' must be \"vm\" or \"ct\"");
	if (strcmp(restart, "no") && strcmp(restart, "always"))
		return refuse(err, EINVAL, "field 'restart' must be \"no\" or \"always\"");
	memset(spec, 0, sizeof(*spec));
	if (plan_name) {
		plan = config_plan(&d->cfg, plan_name);
		if (!plan)
			return refuse(err, EINVAL, "no plan %.64s (GET /1.0/plans lists them)",
				      plan_name);
		spec->cpus = plan->cpus;
		spec->memory = plan->memory;
		spec->disk = plan->disk;
		spec->limits = plan->limits;
		spec->dedicated_cpus = plan->dedicated_cpus;
	}
	if (input_uint(body, "cpus", 1, MAX_CPUS, &spec->cpus, err) ||
	    input_size(body, "memory", &spec->memory, err) ||
	    input_size(body, "disk", &spec->disk, err))
		return -1;
	if (!spec->cpus || !spec->memory)
		return refuse(err, EINVAL, "give 'cpus' and 'memory' (more than 0), or a 'plan'");
	if (input_bool(body, "privileged", &spec->privileged, err))
		return -1;
	strcpy(spec->name, name);
	strcpy(spec->image, image);
	spec->kind = strcmp(kind, "vm") ? KIND_CT : KIND_VM;
	spec->restart_always = !strcmp(restart, "always");
	if (spec->privileged && spec->kind != KIND_CT)
		return refuse(err, EINVAL,
			      "field 'privileged' is for containers (a VM's root is its guest's)");
	if (spec->dedicated_cpus && spec->kind != KIND_VM)
		return refuse(err, EINVAL,
			      "plan %s gives dedicated CPUs, which are for VMs: choose another "
			      "plan for a container",
			      plan_name);
	return 0;
}

/* A privileged container's root is the host's root: only root may ask for one. */
static int privileged_check(const struct http_request *rq, const struct server_spec *spec,
			    struct http_reply *rep)
{
	struct berth_error err;
	uid_t uid;

	if (!spec->privileged)
		return 0;
	if (http_peer_uid(rq, &uid, &err)) {
		api_reply_error(rep, &err);
		return -1;
	}
	if (uid != 0) {
		http_reply_error(rep, 403,
				 "a privileged container (its root is the host's root) is for root "
				 "only: create it without 'privileged'");
		return -1;
	}
	return 0;
}

void api_servers_create(struct berthd *d, const struct http_request *rq, const char *arg,
			struct http_reply *rep)
{
	static const char *const fields[] = { "name",	 "kind",       "image",	   "cpus",
					      "memory",	 "disk",       "plan",	   "restart",
					      "cmdline", "privileged", "ssh_keys", "user_data",
					      NULL };
	char id[OP_ID_LEN + 1];
	struct server_spec spec;
	struct berth_error err;
	struct seed_input seed = { 0 };
	const char *cmdline = NULL;

	(void)arg;
	if (api_refuse_body(rq, fields, rep))
		return;
	if (read_spec(d, rq->body, &spec, &err) ||
	    input_cmdline(rq->body, "cmdline", SERVER_CMDLINE_MAX, &cmdline, &err) ||
	    input_ssh_keys(rq->body, "ssh_keys", CLOUD_KEYS_MAX, &seed.ssh_keys, &err) ||
	    input_text(rq->body, "user_data", CLOUD_USER_DATA_MAX, &seed.user_data,
		       &seed.user_data_len, &err)) {
		api_reply_error(rep, &err);
		return;
	}
	if (privileged_check(rq, &spec, rep))
		return;
	if (rq->project)
		snprintf(spec.project, sizeof(spec.project), "%s", rq->project);
	if (server_create(d, &spec, cmdline, &seed, id, &err))
		api_reply_error(rep, &err);
	else
		api_reply_operation(rep, id);
}

/* A kernel-booted VM's "entry": "pvh" when its image holds the vmlinux its import extracted
 * and VMs have no display (vm_command.c boots that then), "bzimage" otherwise. */
static void entry_json(json_t *j, const char *state_dir, bool display)
{
	const char *image = json_string_value(json_object_get(j, "image"));
	const char *boot = json_string_value(json_object_get(j, "boot"));
	char path[PATH_MAX];

	if (!image || !boot || strcmp(boot, "kernel"))
		return;
	if ((size_t)snprintf(path, sizeof(path), "%s/images/%s/vmlinux", state_dir, image) >=
	    sizeof(path))
		return;
	json_object_set_new(j, "entry",
			    json_string(!display && access(path, F_OK) == 0 ? "pvh" : "bzimage"));
}

void api_server_get(struct berthd *d, const struct http_request *rq, const char *arg,
		    struct http_reply *rep)
{
	struct berth_error err;
	sqlite3 *db;
	json_t *j;

	(void)rq;
	if (api_refuse_name("server", arg, rep))
		return;
	db = db_conn(&d->db, &err);
	j = db ? server_json(db, arg, &err) : NULL;
	if (j) {
		entry_json(j, d->state_dir, d->cfg.vm_display);
		http_reply_json(rep, 200, j);
	} else {
		api_reply_error(rep, &err);
	}
}

void api_server_resize(struct berthd *d, const struct http_request *rq, const char *arg,
		       struct http_reply *rep)
{
	static const char *const fields[] = { "cpus", "memory", "disk", NULL };
	struct berth_error err;
	uint64_t memory = 0, disk = 0;
	unsigned cpus = 0;
	sqlite3 *db;

	if (api_refuse_name("server", arg, rep) || api_refuse_body(rq, fields, rep))
		return;
	if (input_uint(rq->body, "cpus", 1, MAX_CPUS, &cpus, &err) ||
	    input_size(rq->body, "memory", &memory, &err) ||
	    input_size(rq->body, "disk", &disk, &err)) {
		api_reply_error(rep, &err);
		return;
	}
	if (!cpus && !memory && !disk) {
		http_reply_error(rep, 400,
				 "give at least one of 'cpus', 'memory' and 'disk' (more than 0)");
		return;
	}
	if (server_resize(d, arg, cpus, memory, disk, &err)) {
		api_reply_error(rep, &err);
		return;
	}
	db = db_conn(&d->db, &err);
	http_reply_json(rep, 200, db ? server_json(db, arg, &err) : json_object());
}

void api_server_delete(struct berthd *d, const struct http_request *rq, const char *arg,
		       struct http_reply *rep)
{
	char id[OP_ID_LEN + 1];
	struct berth_error err;
	bool force = false;

	if (api_refuse_name("server", arg, rep))
		return;
	if (input_query_bool("force", http_query(rq, "force"), &force, &err) ||
	    server_delete(d, arg, force, id, &err))
		api_reply_error(rep, &err);
	else
		api_reply_operation(rep, id);
}

void api_server_state(struct berthd *d, const struct http_request *rq, const char *arg,
		      struct http_reply *rep)
{
	static const char *const fields[] = { "action", "force", "timeout", NULL };
	static const char *const actions[] = {
		[ACTION_START] = "start", [ACTION_STOP] = "stop", [ACTION_RESTART] = "restart"
	};
	unsigned timeout = d->cfg.stop_timeout, a;
	const char *action = NULL;
	char id[OP_ID_LEN + 1];
	struct berth_error err;
	bool force = false;

	if (api_refuse_name("server", arg, rep) || api_refuse_body(rq, fields, rep))
		return;
	if (input_string(rq->body, "action", true, &action, &err) ||
	    input_bool(rq->body, "force", &force, &err) ||
	    input_uint(rq->body, "timeout", 0, MAX_TIMEOUT, &timeout, &err)) {
		api_reply_error(rep, &err);
		return;
	}
	for (a = 0; a < 3; a++) {
		if (!strcmp(action, actions[a]))
			break;
	}
	if (a == 3) {
		http_reply_error(rep, 400,
				 "field 'action' must be \"start\", \"stop\" or \"restart\"");
		return;
	}
	if (server_act(d, arg, (enum server_action)a, force, (int)timeout, id, &err))
		api_reply_error(rep, &err);
	else
		api_reply_operation(rep, id);
}
