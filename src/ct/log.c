/* log.c - the --log file of the OCI command line. */
#include "ct/log.h"

#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ct/state.h"

static const char *log_path;
static bool log_json;

void log_init(const char *path, bool json)
{
	log_path = path;
	log_json = json;
}

void log_msg(const char *level, const char *msg)
{
	char now[64];
	FILE *f;

	if (strcmp(level, "error"))
		fprintf(stderr, "berth-ct: %s: %s\n", level, msg);
	else
		fprintf(stderr, "berth-ct: %s\n", msg);
	if (!log_path)
		return;
	f = fopen(log_path, "ae");
	if (!f)
		return;
	state_now(now, sizeof(now));
	if (log_json) {
		json_t *o = json_pack("{s:s, s:s, s:s}", "level", level, "msg", msg, "time", now);
		char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;

		if (s)
			fprintf(f, "%s\n", s);
		free(s);
		json_decref(o);
	} else {
		fprintf(f, "%s %s: %s\n", now, level, msg);
	}
	fclose(f);
}
