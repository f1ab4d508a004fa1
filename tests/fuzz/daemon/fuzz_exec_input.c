/* fuzz_exec_input - the body of POST /1.0/servers/NAME/exec, parsed as berthd parses it
 * (jansson, duplicate keys refused, an object of known fields) and checked by
 * exec_request_read. Nothing may crash, leak or read out of bounds; what is accepted holds
 * what berth-console is promised: a non-empty program, at most EXEC_WORDS_MAX words and
 * EXEC_ENV_MAX KEY=VALUE variables, an absolute cwd, EXEC_BYTES_MAX bytes in all. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/api/api_input.h"
#include "daemon/api/exec_input.h"

static const char *const fields[] = { "command", "env", "cwd", "tty", NULL };

/* Abort unless rq, accepted, keeps exec_input.h's promises. */
static void check(const struct exec_request *rq)
{
	size_t i, bytes = 0;

	if (!rq->command || !rq->command[0] || !rq->command[0][0])
		abort();
	for (i = 0; rq->command[i]; i++)
		bytes += strlen(rq->command[i]) + 1;
	if (i > EXEC_WORDS_MAX)
		abort();
	for (i = 0; rq->env && rq->env[i]; i++) {
		if (rq->env[i][0] == '=' || !strchr(rq->env[i], '='))
			abort();
		bytes += strlen(rq->env[i]) + 1;
	}
	if (i > EXEC_ENV_MAX || (rq->cwd && rq->cwd[0] != '/'))
		abort();
	if (bytes + (rq->cwd ? strlen(rq->cwd) : 0) > EXEC_BYTES_MAX)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct berth_error err = { 0 };
	struct exec_request rq = { 0 };
	json_error_t jerr;
	json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);

	if (!body)
		return 0;
	if (json_is_object(body) && input_fields(body, fields, &err) == 0 &&
	    exec_request_read(body, &rq, &err) == 0)
		check(&rq);
	exec_request_free(&rq);
	json_decref(body);
	return 0;
}
