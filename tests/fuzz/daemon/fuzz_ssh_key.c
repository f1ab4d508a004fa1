/* fuzz_ssh_key - an SSH public key line as a tenant sends it in a create's ssh_keys:
 * ssh_key_check() on any bytes must neither crash nor read out of bounds, and say why
 * when it refuses. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/cloud/ssh_key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct berth_error err = { 0 };
	/* a copy of exactly size bytes, so that ASan sees any read past the line */
	char *line = malloc(size ? size : 1);

	if (!line)
		return 0;
	memcpy(line, data, size);
	if (ssh_key_check(line, size, &err) < 0 && !err.msg[0])
		abort();
	free(line);
	return 0;
}
