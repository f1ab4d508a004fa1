/* fuzz_api_input - what a client sends berthd: a request body parsed as berthd parses it
 * (jansson, duplicate keys refused, an object required), then every field checker a create,
 * resize, state change or image import runs (a kernel command line's, SSH keys and
 * user-data too), and the name and size
 * parsers behind them. Nothing may crash, leak or read out of bounds, whatever the body. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/names.h"
#include "daemon/api/api_input.h"

static const char *const fields[] = { "name",	  "kind",      "image",	 "plan",   "restart",
				      "cpus",	  "memory",    "disk",	 "action", "force",
				      "timeout",  "rootfs",    "kernel", "initrd", "cmdline",
				      "ssh_keys", "user_data", NULL };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct berth_error err = { 0 };
	json_error_t jerr;
	json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
	const char *s = NULL;
	unsigned u = 0;
	uint64_t bytes = 0;
	bool b = false;
	json_t *keys = NULL;
	size_t len = 0;

	if (!body)
		return 0;
	if (json_is_object(body)) {
		input_fields(body, fields, &err);
		for (const char *const *f = fields; *f; f++) {
			s = NULL;
			if (!input_string(body, *f, false, &s, &err) && s)
				name_check("server", s, &err);
		}
		input_uint(body, "cpus", 1, 255, &u, &err);
		input_uint(body, "timeout", 0, 3600, &u, &err);
		input_size(body, "memory", &bytes, &err);
		input_size(body, "disk", &bytes, &err);
		input_bool(body, "force", &b, &err);
		input_cmdline(body, "cmdline", 1024, &s, &err);
		input_ssh_keys(body, "ssh_keys", 32, &keys, &err);
		input_text(body, "user_data", 65536, &s, &len, &err);
		s = NULL;
		if (!input_string(body, "name", false, &s, &err) && s) {
			input_query_uint("timeout", s, 600, &u, &err);
			input_query_bool("force", s, &b, &err);
		}
	}
	json_decref(body);
	return 0;
}
