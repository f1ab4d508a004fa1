/* fuzz_api_route - berthd's URL routing (api_route in src/daemon/api/api.c): a method and a
 * path as a client sends them (the input split at its first newline). Nothing may crash or
 * read out of bounds; a route found has a handler and a '*' segment that is one non-empty
 * path segment within API_ARG_MAX, and 404/405 leave no handler and no segment. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/api/api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1), *path;
	char arg[API_ARG_MAX];
	api_fn fn;
	unsigned status;
	size_t n;

	if (!in)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0'; /* a path from libmicrohttpd is a C string: a NUL ends it */
	path = strchr(in, '\n');
	if (path)
		*path++ = '\0';
	else
		path = in + strlen(in);
	memset(arg, 'x', sizeof(arg));
	status = api_route(in, path, &fn, arg);
	n = strnlen(arg, sizeof(arg));
	if (n == sizeof(arg) || strchr(arg, '/'))
		abort();
	if (status == 200 ? !fn || (n && !strstr(path, arg))
			  : fn || n || (status != 404 && status != 405))
		abort();
	free(in);
	return 0;
}
