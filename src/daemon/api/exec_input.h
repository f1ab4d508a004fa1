/* exec_input.h - checking the body of POST /1.0/servers/NAME/exec (command, env, cwd, tty)
 * before anything runs: bounded word and variable counts and bytes, no NULs, KEY=VALUE
 * variables, an absolute cwd. */
#ifndef BERTH_DAEMON_EXEC_INPUT_H
#define BERTH_DAEMON_EXEC_INPUT_H

#include <jansson.h>

#include "common/error.h"
#include "daemon/servers/server_console.h"

#define EXEC_WORDS_MAX 256
#define EXEC_ENV_MAX   32 /* berth-ct takes 63 --env; what a person types is far less */
#define EXEC_BYTES_MAX (64 << 10)

/* Check body (an object whose fields are known) into rq (zeroed by the caller): its strings
 * are borrowed from body, its arrays are its own; exec_request_free() them, also after a
 * failure (an EINVAL message naming the field). */
int exec_request_read(json_t *body, struct exec_request *rq, struct berth_error *err);

/* Free rq's arrays (not the strings body holds). */
void exec_request_free(struct exec_request *rq);

#endif
