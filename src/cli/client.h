/* client.h - HTTP to berthd over its Unix socket (libcurl), JSON in and out. */
#ifndef BERTH_CLI_CLIENT_H
#define BERTH_CLI_CLIENT_H

#include <jansson.h>
#include <sys/types.h>

#include "common/error.h"

#define CLIENT_REPLY_MAX (16u << 20) /* a reply larger than this is not berthd's */

struct client {
	const char *socket; /* the daemon's socket path */
	void *curl;	    /* CURL *, reused so the connection is kept */
};

/* Set c up to talk to the daemon at socket_path. */
int client_open(struct client *c, const char *socket_path, struct berth_error *err);

/* Release c. */
void client_close(struct client *c);

/* Call method on path (such as "/1.0/servers") with body (or NULL), giving up after
 * timeout_s seconds. On 2xx *reply is the parsed reply (NULL when empty). Fails with the
 * daemon's own message on 4xx/5xx, and says how to start berthd when it cannot be
 * reached. */
int client_call(struct client *c, const char *method, const char *path, const json_t *body,
		unsigned timeout_s, json_t **reply, struct berth_error *err);

/* An upload's source: up to max bytes into buf; 0 ends the body, -1 aborts the request
 * (err of the source says why). */
typedef ssize_t (*client_read_fn)(void *ctx, char *buf, size_t max);

/* POST to path an archive body (Content-Type application/x-tar, chunked) read from read,
 * as client_call does otherwise. No limit on the whole transfer, only on a stall of
 * stall_s seconds. Returns -1 with err untouched when read aborted. */
int client_upload(struct client *c, const char *path, client_read_fn read, void *ctx,
		  unsigned stall_s, json_t **reply, struct berth_error *err);

#endif
