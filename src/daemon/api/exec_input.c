/* exec_input.c - the exec request body's checks (exec_input.h). */
#include "daemon/api/exec_input.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/api/api_input.h"

/* body[key]: an array of 1..max strings without NULs (NULL-terminated into a new *out, the
 * strings borrowed from body); absent leaves *out NULL unless required. *bytes adds up. */
static int string_list(json_t *body, const char *key, size_t max, bool required, char ***out,
		       size_t *bytes, struct berth_error *err)
{
	json_t *a = json_object_get(body, key), *v;
	size_t i, n;

	*out = NULL;
	if (!a)
		return required ? refuse(err, EINVAL, "field '%s' is missing", key) : 0;
	n = json_array_size(a);
	if (!json_is_array(a) || n == 0 || n > max)
		return refuse(err, EINVAL, "field '%s' must be an array of 1 to %zu strings", key,
			      max);
	*out = calloc(n + 1, sizeof(char *));
	if (!*out)
		return berr(err, ENOMEM, "field '%s'", key);
	json_array_foreach(a, i, v)
	{
		if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
			return refuse(err, EINVAL,
				      "field '%s': item %zu is not a string without NULs", key, i);
		(*out)[i] = (char *)json_string_value(v);
		*bytes += json_string_length(v) + 1;
	}
	return 0;
}

int exec_request_read(json_t *body, struct exec_request *rq, struct berth_error *err)
{
	size_t bytes = 0, i;

	if (string_list(body, "command", EXEC_WORDS_MAX, true, &rq->command, &bytes, err) ||
	    string_list(body, "env", EXEC_ENV_MAX, false, &rq->env, &bytes, err) ||
	    input_string(body, "cwd", false, &rq->cwd, err) ||
	    input_bool(body, "tty", &rq->tty, err))
		return -1;
	if (!rq->command[0][0])
		return refuse(err, EINVAL, "field 'command': the program's name is empty");
	for (i = 0; rq->env && rq->env[i]; i++)
		if (!strchr(rq->env[i], '=') || rq->env[i][0] == '=')
			return refuse(err, EINVAL, "field 'env': '%.64s' is not KEY=VALUE",
				      rq->env[i]);
	if (rq->cwd && rq->cwd[0] != '/')
		return refuse(err, EINVAL, "field 'cwd' must be an absolute path");
	if (bytes + (rq->cwd ? strlen(rq->cwd) : 0) > EXEC_BYTES_MAX)
		return refuse(err, EINVAL, "the command, env and cwd are longer than %d bytes",
			      EXEC_BYTES_MAX);
	return 0;
}

void exec_request_free(struct exec_request *rq)
{
	free(rq->command);
	free(rq->env);
	rq->command = rq->env = NULL;
}
