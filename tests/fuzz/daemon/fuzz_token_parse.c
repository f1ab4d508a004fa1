/* fuzz_token_parse - the bearer token of a network request (token_parse in
 * src/daemon/state/tokens.c), as the Authorization header brings it. Nothing may crash or
 * read out of bounds; a token taken has exactly the shape berth_ID_SECRET, its id the
 * lower-case hex it carried and its secret the 64 characters after it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/state/tokens.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1), id[TOKEN_ID_LEN + 1];
	const char *secret = NULL;

	if (!in)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0'; /* a header from libmicrohttpd is a C string */
	if (token_parse(in, id, &secret) &&
	    (strlen(in) != TOKEN_LEN || strlen(id) != TOKEN_ID_LEN ||
	     strspn(id, "0123456789abcdef") != TOKEN_ID_LEN ||
	     secret != in + TOKEN_LEN - TOKEN_SECRET_LEN ||
	     strspn(secret, "0123456789abcdef") != TOKEN_SECRET_LEN))
		abort();
	free(in);
	return 0;
}
