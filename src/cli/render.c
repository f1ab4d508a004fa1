/* render.c - replies of berthd as aligned tables. */
#include "cli/render.h"

#include <errno.h>

#include "cli/cells.h"
#include "cli/table.h"

#define CELL 64 /* room for any one formatted number, size or time */

/* A reply that is not what the API promises: say so rather than print nonsense. */
static int bad_shape(struct berth_error *err, const char *want)
{
	return berr(err, 0, "unexpected reply from berthd (expected %s): is berth as new as "
			    "berthd? (berth --version)",
		    want);
}

/* Print t and free it; the only failure left is an earlier out-of-memory. */
static int table_done(struct table *t, int rc, FILE *out, struct berth_error *err)
{
	if (rc == 0)
		table_print(t, out);
	table_free(t);
	return rc < 0 ? berr(err, ENOMEM, "table") : 0;
}

/* A server's disk: 0 reserves the image's own size. */
static const char *disk_cell(const json_t *v, char *buf, size_t len)
{
	if (json_is_integer(v) && json_integer_value(v) == 0)
		return "(image)";
	return cell_size(v, buf, len);
}

int render_servers(json_t *reply, FILE *out, struct berth_error *err)
{
	struct table t;
	size_t i;
	json_t *s;
	int rc;

	if (!json_is_array(reply))
		return bad_shape(err, "a list of servers");
	table_init(&t, 7);
	rc = table_add(&t, (const char *[]){ "NAME", "KIND", "STATE", "CPUS", "MEMORY", "DISK",
					     "ADDRESS" });
	json_array_foreach(reply, i, s) {
		char b[4][CELL];

		if (rc < 0)
			break;
		rc = table_add(
			&t, (const char *[]){ cell_text(json_object_get(s, "name"), b[0], CELL),
					      json_string_value(json_object_get(s, "kind")),
					      json_string_value(json_object_get(s, "state")),
					      cell_text(json_object_get(s, "cpus"), b[1], CELL),
					      cell_size(json_object_get(s, "memory"), b[2], CELL),
					      disk_cell(json_object_get(s, "disk"), b[3], CELL),
					      json_string_value(json_object_get(s, "address")) });
	}
	return table_done(&t, rc, out, err);
}

int render_server(json_t *reply, FILE *out, struct berth_error *err)
{
	static const char *const text[] = { "name", "kind", "image", "state", "cpus" };
	static const char *const rest[] = { "address", "pid", "restart" };
	struct table t;
	char b[CELL];
	unsigned i;
	int rc = 0;

	if (!json_is_object(reply))
		return bad_shape(err, "a server");
	table_init(&t, 2);
	for (i = 0; i < sizeof(text) / sizeof(text[0]) && rc == 0; i++)
		rc = table_add(&t, (const char *[]){
					   text[i], cell_text(json_object_get(reply, text[i]), b, CELL) });
	if (rc == 0)
		rc = table_add(&t, (const char *[]){
					   "memory", cell_size(json_object_get(reply, "memory"), b, CELL) });
	if (rc == 0)
		rc = table_add(&t, (const char *[]){
					   "disk", disk_cell(json_object_get(reply, "disk"), b, CELL) });
	for (i = 0; i < sizeof(rest) / sizeof(rest[0]) && rc == 0; i++)
		rc = table_add(&t, (const char *[]){
					   rest[i], cell_text(json_object_get(reply, rest[i]), b, CELL) });
	if (rc == 0)
		rc = table_add(&t, (const char *[]){
					   "created", cell_time(json_object_get(reply, "created"), b, CELL) });
	return table_done(&t, rc, out, err);
}

int render_images(json_t *reply, FILE *out, struct berth_error *err)
{
	struct table t;
	size_t i;
	json_t *m;
	int rc;

	if (!json_is_array(reply))
		return bad_shape(err, "a list of images");
	table_init(&t, 5);
	rc = table_add(&t, (const char *[]){ "NAME", "KIND", "STATE", "SIZE", "CREATED" });
	json_array_foreach(reply, i, m) {
		char b[3][CELL];

		if (rc < 0)
			break;
		rc = table_add(&t,
			       (const char *[]){ cell_text(json_object_get(m, "name"), b[0], CELL),
						 json_string_value(json_object_get(m, "kind")),
						 json_string_value(json_object_get(m, "state")),
						 cell_size(json_object_get(m, "size"), b[1], CELL),
						 cell_time(json_object_get(m, "created"), b[2], CELL) });
	}
	return table_done(&t, rc, out, err);
}

int render_plans(json_t *reply, FILE *out, struct berth_error *err)
{
	struct table t;
	size_t i;
	json_t *p;
	int rc;

	if (!json_is_array(reply))
		return bad_shape(err, "a list of plans");
	table_init(&t, 4);
	rc = table_add(&t, (const char *[]){ "NAME", "CPUS", "MEMORY", "DISK" });
	json_array_foreach(reply, i, p) {
		char b[4][CELL];

		if (rc < 0)
			break;
		rc = table_add(&t,
			       (const char *[]){ cell_text(json_object_get(p, "name"), b[0], CELL),
						 cell_text(json_object_get(p, "cpus"), b[1], CELL),
						 cell_size(json_object_get(p, "memory"), b[2], CELL),
						 cell_size(json_object_get(p, "disk"), b[3], CELL) });
	}
	return table_done(&t, rc, out, err);
}

int render_host(json_t *reply, FILE *out, struct berth_error *err)
{
	static const char *const kinds[] = { "cpus", "memory", "disk" };
	static const char *const cols[] = { "total", "capacity", "reserved", "free" };
	struct table t;
	unsigned k, c;
	char b[4][CELL];
	int rc;

	if (!json_is_object(reply) || !json_is_object(json_object_get(reply, "cpus")))
		return bad_shape(err, "the host's resources");
	table_init(&t, 5);
	rc = table_add(&t, (const char *[]){ "RESOURCE", "TOTAL", "CAPACITY", "RESERVED", "FREE" });
	for (k = 0; k < 3 && rc == 0; k++) {
		json_t *r = json_object_get(reply, kinds[k]);
		const char *cell[4];

		for (c = 0; c < 4; c++)
			cell[c] = k ? cell_size(json_object_get(r, cols[c]), b[c], CELL) :
				      cell_text(json_object_get(r, cols[c]), b[c], CELL);
		rc = table_add(&t, (const char *[]){ kinds[k], cell[0], cell[1], cell[2], cell[3] });
	}
	rc = table_done(&t, rc, out, err);
	if (rc == 0)
		fprintf(out, "servers: %s, cpu overcommit: %s\n",
			cell_text(json_object_get(reply, "servers"), b[0], CELL),
			cell_text(json_object_get(json_object_get(reply, "cpus"), "overcommit"),
				  b[1], CELL));
	return rc;
}
