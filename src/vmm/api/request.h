/* request.h - one line of the API socket: the request parsed, the reply built.
 *
 * A request is one JSON object, {"cmd":"NAME"} with an optional "id" (a string or an
 * integer) that the reply echoes, and for disk-resize an optional "disk" number. Parsing is strict:
 * unknown commands and fields are refused, so a typo never does something else. docs/api-sock.md is
 * the protocol. */
#ifndef BERTH_VMM_API_REQUEST_H
#define BERTH_VMM_API_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/error.h"

/* The longest request line the server reads, newline excluded. */
#define API_MAX_LINE 4096
/* The longest string "id" a request may carry. */
#define API_MAX_ID 128

enum api_cmd {
	API_STATUS,
	API_PAUSE,
	API_RESUME,
	API_SHUTDOWN,
	API_STOP,
	API_WATCH,
	API_DISK_RESIZE,
	API_SCREENDUMP,
};

/* The highest "disk" number a request may name (the VM checks it against its disks). */
#define API_MAX_DISK 255

struct api_request {
	enum api_cmd cmd;
	json_t *id;    /* NULL: none; owned, released by api_request_release() */
	unsigned disk; /* disk-resize: which disk (0 when not given) */
};

/* Parse one request line of len bytes (no newline); fills req, or err and -1. */
int api_request_parse(const char *line, size_t len, struct api_request *req,
		      struct berth_error *err);

/* Release what api_request_parse() took. */
void api_request_release(struct api_request *req);

/* The command's name as the protocol spells it. */
const char *api_cmd_name(enum api_cmd cmd);

/* A reply {"ok":true, ...fields} echoing id (may be NULL); takes fields (may be NULL). */
json_t *api_reply_ok(json_t *id, json_t *fields);

/* A reply {"ok":false,"error":msg} echoing id (may be NULL). */
json_t *api_reply_error(json_t *id, const char *msg);

/* msg as one compact JSON line ending in '\n', malloc'd, its length in *len; NULL: no memory. */
char *api_line(json_t *msg, size_t *len);

#endif
