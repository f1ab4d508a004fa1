/* fuzz_api_request.c - libFuzzer target: hostile lines through the API request parser.
 *
 * Each input is one request line, parsed, and answered the way the server answers it (a
 * reply echoing the id, or an error reply carrying the parser's message), serialised. */
#include <stdint.h>
#include <stdlib.h>

#include "vmm/api/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct berth_error err = { 0 };
	struct api_request req;
	json_t *reply;
	size_t len;
	char *line;

	if (size > API_MAX_LINE)
		return 0;
	if (api_request_parse((const char *)data, size, &req, &err) == 0) {
		(void)api_cmd_name(req.cmd);
		reply = api_reply_ok(req.id, json_pack("{s:s}", "state", "running"));
		api_request_release(&req);
	} else {
		reply = api_reply_error(NULL, err.msg);
		if (!reply)
			abort(); /* an error reply must always be possible */
	}
	line = api_line(reply, &len);
	json_decref(reply);
	free(line);
	return 0;
}
