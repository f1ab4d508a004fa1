/* render.c - replies of berthd as aligned tables. A listing is described by its columns
 * (header, JSON field, how to format it), so every list prints the same way. */
#include "cli/render.h"

#include <errno.h>
#include <string.h>

#include "cli/cells.h"
#include "cli/table.h"

#define CELL	 64 /* room for any one formatted number, size or time */
#define MAX_COLS 8

/* One column of a listing (or one line of a single object). */
struct column {
	const char *header; /* "MEMORY" (or the label "memory") */
	const char *key;    /* the field: "memory" (NULL: the cell reads the whole object) */
	const char *(*cell)(const json_t *v, char *buf, size_t len);
};

/* A reply that is not what the API promises: say so rather than print nonsense. */
static int bad_shape(struct berth_error *err, const char *want)
{
	return berr(err, 0,
		    "unexpected reply from berthd (expected %s): is berth as new as "
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

/* Add obj's row of cols (ncols at most MAX_COLS) to t. */
static int add_row(struct table *t, const json_t *obj, const struct column *cols, unsigned ncols)
{
	char buf[MAX_COLS][CELL];
	const char *cells[MAX_COLS];
	unsigned c;

	for (c = 0; c < ncols; c++)
		cells[c] = cols[c].cell(cols[c].key ? json_object_get(obj, cols[c].key) : obj,
					buf[c], CELL);
	return table_add(t, cells);
}

/* An array of objects, a row each under a header line. */
static int render_rows(json_t *reply, const struct column *cols, unsigned ncols, const char *what,
		       FILE *out, struct berth_error *err)
{
	const char *headers[MAX_COLS];
	struct table t;
	unsigned c;
	size_t i;
	json_t *obj;
	int rc;

	if (!json_is_array(reply))
		return bad_shape(err, what);
	for (c = 0; c < ncols; c++)
		headers[c] = cols[c].header;
	table_init(&t, ncols);
	rc = table_add(&t, headers);
	json_array_foreach(reply, i, obj)
	{
		if (rc < 0)
			break;
		rc = add_row(&t, obj, cols, ncols);
	}
	return table_done(&t, rc, out, err);
}

#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

int render_servers(json_t *reply, FILE *out, struct berth_error *err)
{
	static const struct column cols[] = {
		{ "NAME", "name", cell_text },	     { "KIND", "kind", cell_text },
		{ "STATE", "state", cell_text },     { "CPUS", "cpus", cell_text },
		{ "MEMORY", "memory", cell_size },   { "DISK", "disk", cell_size },
		{ "ADDRESS", "address", cell_text }, { "IDS", NULL, cell_ids },
	};

	return render_rows(reply, cols, NCOLS(cols), "a list of servers", out, err);
}

int render_server(json_t *reply, FILE *out, struct berth_error *err)
{
	static const struct column lines[] = {
		{ "name", "name", cell_text },	     { "kind", "kind", cell_text },
		{ "image", "image", cell_text },     { "state", "state", cell_text },
		{ "cpus", "cpus", cell_text },	     { "memory", "memory", cell_size },
		{ "disk", "disk", cell_size },	     { "address", "address", cell_text },
		{ "pid", "pid", cell_text },	     { "restart", "restart", cell_text },
		{ "created", "created", cell_time }, { "cloud-init", "cloud_init", cell_seed },
		{ "ids", NULL, cell_ids },	     { "boot", "boot", cell_text },
		{ "entry", "entry", cell_text },     { "cmdline", "cmdline", cell_text },
	};
	struct table t;
	char buf[CELL];
	unsigned i;
	int rc = 0;

	if (!json_is_object(reply))
		return bad_shape(err, "a server");
	table_init(&t, 2);
	for (i = 0; i < NCOLS(lines) && rc == 0; i++) {
		const json_t *v = lines[i].key ? json_object_get(reply, lines[i].key) : reply;

		/* boot, entry and cmdline are a VM's, ids a container's: the other has no such
		 * lines; a berthd before cloud-init seeds has no cloud_init */
		if (((i >= NCOLS(lines) - 3 || !strcmp(lines[i].header, "cloud-init")) && !v) ||
		    (!lines[i].key && !json_object_get(reply, "privileged")))
			continue;
		rc =
		    table_add(&t, (const char *[]){ lines[i].header, lines[i].cell(v, buf, CELL) });
	}
	return table_done(&t, rc, out, err);
}

int render_images(json_t *reply, FILE *out, struct berth_error *err)
{
	static const struct column cols[] = {
		{ "NAME", "name", cell_text },	     { "KIND", "kind", cell_text },
		{ "STATE", "state", cell_text },     { "SIZE", "size", cell_size },
		{ "CREATED", "created", cell_time },
	};

	return render_rows(reply, cols, NCOLS(cols), "a list of images", out, err);
}

int render_plans(json_t *reply, FILE *out, struct berth_error *err)
{
	static const struct column cols[] = {
		{ "NAME", "name", cell_text },
		{ "CPUS", "cpus", cell_text },
		{ "MEMORY", "memory", cell_size },
		{ "DISK", "disk", cell_size },
	};

	return render_rows(reply, cols, NCOLS(cols), "a list of plans", out, err);
}

int render_host(json_t *reply, FILE *out, struct berth_error *err)
{
	static const char *const resources[] = { "cpus", "memory", "disk" };
	static const char *const fields[] = { "total", "capacity", "reserved", "free" };
	struct table t;
	char b[2][CELL];
	unsigned k, c;
	int rc;

	if (!json_is_object(reply) || !json_is_object(json_object_get(reply, "cpus")))
		return bad_shape(err, "the host's resources");
	/* A row per resource, whose object's fields are the columns; cpus are counts. */
	table_init(&t, 5);
	rc = table_add(&t, (const char *[]){ "RESOURCE", "TOTAL", "CAPACITY", "RESERVED", "FREE" });
	for (k = 0; k < NCOLS(resources) && rc == 0; k++) {
		json_t *r = json_object_get(reply, resources[k]);
		const char *cells[5] = { resources[k] };
		char buf[4][CELL];

		for (c = 0; c < 4; c++)
			cells[c + 1] = (k ? cell_size : cell_text)(json_object_get(r, fields[c]),
								   buf[c], CELL);
		rc = table_add(&t, cells);
	}
	rc = table_done(&t, rc, out, err);
	if (rc == 0)
		fprintf(out, "servers: %s, cpu overcommit: %s\n",
			cell_text(json_object_get(reply, "servers"), b[0], CELL),
			cell_text(json_object_get(json_object_get(reply, "cpus"), "overcommit"),
				  b[1], CELL));
	return rc;
}
