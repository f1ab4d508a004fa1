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

/* Projects: NAME CPUS MEMORY DISK (used/quota) SERVERS; one project as a one-row list. */
int render_projects(json_t *reply, FILE *out, struct berth_error *err);
int render_project(json_t *reply, FILE *out, struct berth_error *err);

/* Tokens: ID PROJECT CREATED; a new token's text, said to be shown only once. */
int render_tokens(json_t *reply, FILE *out, struct berth_error *err);
int render_token(json_t *reply, FILE *out, struct berth_error *err);

#endif
