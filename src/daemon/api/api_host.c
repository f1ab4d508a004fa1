/* api_host.c - GET /1.0, /1.0/host (capacity, reserved, free, network) and /1.0/plans. */
#include "daemon/api/api.h"
#include "daemon/options.h"
#include "daemon/state/server_rows.h"

void api_root(struct berthd *d, const struct http_request *rq, const char *arg,
	      struct http_reply *rep)
{
	(void)d, (void)rq, (void)arg;
	http_reply_json(
	    rep, 200,
	    json_pack("{s:s, s:s}", "api_version", "1.0", "server_version", BERTH_VERSION));
}

static json_t *resource(uint64_t total, uint64_t capacity, uint64_t reserved)
{
	return json_pack("{s:I, s:I, s:I, s:I}", "total", (json_int_t)total, "capacity",
			 (json_int_t)capacity, "reserved", (json_int_t)reserved, "free",
			 (json_int_t)(capacity > reserved ? capacity - reserved : 0));
}

void api_host(struct berthd *d, const struct http_request *rq, const char *arg,
	      struct http_reply *rep)
{
	const struct capacity *c = &d->cap;
	struct berth_error err;
	struct usage u;
	sqlite3 *db = db_conn(&d->db, &err);
	json_t *cpus, *memory, *disk, *net = NULL;

	(void)rq, (void)arg;
	if (!db || ledger_usage(db, c, &u, &err) || !(net = net_json(&d->net, db, &err))) {
		api_reply_error(rep, &err);
		return;
	}
	cpus = resource(c->host_cpus, c->cpus, u.cpus);
	json_object_set_new(cpus, "overcommit", json_real(c->overcommit));
	json_object_set_new(cpus, "dedicated", json_integer(u.dedicated));
	/* memory: reserved holds the VMMs' overhead beyond their guests' RAM */
	memory = resource(c->host_memory, c->memory, u.memory);
	json_object_set_new(memory, "vmm_overhead", json_integer((json_int_t)u.vmm_overhead));
	/* disk: total is the file system's size, reserved holds the images' */
	disk = resource(u.disk_total, u.disk_capacity, u.disk);
	json_object_set_new(disk, "images", json_integer((json_int_t)u.images));
	http_reply_json(rep, 200,
			json_pack("{s:o, s:o, s:o, s:i, s:o}", "cpus", cpus, "memory", memory,
				  "disk", disk, "servers", (int)u.servers, "network", net));
}

void api_plans(struct berthd *d, const struct http_request *rq, const char *arg,
	       struct http_reply *rep)
{
	json_t *list = json_array();
	unsigned i;

	(void)rq, (void)arg;
	for (i = 0; i < d->cfg.nplans; i++) {
		const struct plan *p = &d->cfg.plans[i];

		json_array_append_new(
		    list, json_pack("{s:s, s:i, s:I, s:I, s:o, s:b}", "name", p->name, "cpus",
				    (int)p->cpus, "memory", (json_int_t)p->memory, "disk",
				    (json_int_t)p->disk, "limits", limits_json(&p->limits),
				    "dedicated_cpus", p->dedicated_cpus));
	}
	http_reply_json(rep, 200, list);
}
