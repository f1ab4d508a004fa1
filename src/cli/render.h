/* render.h - the table form of the daemon's replies (`--format table`, the default).
 * Each takes the reply as parsed JSON and fails (err) when it has the wrong shape. */
#ifndef BERTH_CLI_RENDER_H
#define BERTH_CLI_RENDER_H

#include <jansson.h>
#include <stdio.h>

#include "common/error.h"

/* GET /1.0/servers: NAME KIND STATE CPUS MEMORY DISK ADDRESS. */
int render_servers(json_t *reply, FILE *out, struct berth_error *err);

/* GET /1.0/servers/NAME: one "field: value" line each. */
int render_server(json_t *reply, FILE *out, struct berth_error *err);

/* GET /1.0/images: NAME KIND STATE SIZE CREATED. */
int render_images(json_t *reply, FILE *out, struct berth_error *err);

/* GET /1.0/plans: NAME CPUS MEMORY DISK. */
int render_plans(json_t *reply, FILE *out, struct berth_error *err);

/* GET /1.0/host: capacity, reserved and free of cpus, memory and disk. */
int render_host(json_t *reply, FILE *out, struct berth_error *err);

#endif
