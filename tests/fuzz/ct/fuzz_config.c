/* fuzz_config.c - libFuzzer target for config.json parsing (src/ct/config.c): any
 * input must parse or fail with a message, never crash, leak or overrun. The first
 * byte picks whether the input is a whole config or an exec process.json. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ct/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct berth_error err;
	struct ct_config *c = NULL;
	struct ct_process p;

	if (size && data[0] == 'P') {
		if (config_parse_process((const char *)data + 1, size - 1, &p, &err) == 0)
			config_free_process(&p);
		return 0;
	}
	if (config_parse((const char *)data, size, "/bundle", &c, &err) == 0)
		config_free(c);
	else if (!err.msg[0])
		__builtin_trap(); /* every failure must say why */
	return 0;
}
