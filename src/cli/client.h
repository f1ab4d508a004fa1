/* client.h - HTTP to berthd over its Unix socket, or HTTPS to a remote berthd with a bearer
 * token and its certificate's pinned public key (libcurl), JSON in and out. */
#ifndef BERTH_CLI_CLIENT_H
#define BERTH_CLI_CLIENT_H

#include <jansson.h>
#include <sys/types.h>

#include "common/error.h"
#include "common/tls_pin.h"

#define CLIENT_REPLY_MAX (16u << 20) /* a reply larger than this is not berthd's */

struct client {
	const char *socket;  /* the daemon's socket path */
	const char *url;     /* a remote berthd, https://HOST:PORT; NULL: the socket */
	const char *token;   /* the remote's bearer token */
	const char *pin;     /* the remote's certificate pin (common/tls_pin.h) */
	const char *remote;  /* the remote's name, for messages */
	const char *project; /* the operator's ?project= on every call, or NULL */
	void *curl;	     /* CURL *, reused so the connection is kept */
};

/* Connect to url (https://HOST:PORT) trusting any certificate, once, and give the pin of
 * the one it shows (berth remote add: trust on first use, as Incus does). */
int client_fetch_pin(const char *url, char pin[TLS_PIN_LEN + 1], struct berth_error *err);

/* Set c up to talk to the daemon at socket_path (set url, token, pin, remote after, for a
 * remote berthd). */
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
