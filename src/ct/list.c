/* list.c - `list`: every container under the state root, as a table or JSON. */
#include "ct/container.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "ct/state.h"

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int container_list(const char *root, bool json, bool quiet, struct berth_error *err)
{
	json_auto_t *arr = json_array();
	struct dirent **names = NULL;
	int n, i;

	n = scandir(root, &names, NULL, by_name);
	if (n < 0) {
		if (errno != ENOENT)
			return berr(err, errno, "read `%s`", root);
		n = 0;
	}
	if (!json && !quiet)
		printf("%-24s %-8s %-10s %-40s %-32s %s\n", "ID", "PID", "STATUS", "BUNDLE",
		       "CREATED", "OWNER");
	for (i = 0; i < n; i++) {
		_cleanup_state_ struct ct_state *st = NULL;
		struct berth_error skip;
		const char *status;

		if (names[i]->d_name[0] != '.' &&
		    state_load(root, names[i]->d_name, &st, &skip) == 0) {
			status = state_status(root, st);
			if (json) {
				_cleanup_free_ char *s = state_json(st, status, false);

				json_array_append_new(arr,
						      s ? json_loads(s, 0, NULL) : json_null());
			} else if (quiet) {
				printf("%s\n", st->id);
			} else {
				printf("%-24s %-8d %-10s %-40s %-32s %s\n", st->id,
				       strcmp(status, "stopped") ? (int)st->pid : 0, status,
				       st->bundle, st->created, st->owner);
			}
		}
		free(names[i]);
	}
	free(names);
	if (json) {
		_cleanup_free_ char *s = json_dumps(arr, JSON_COMPACT);

		printf("%s\n", s ? s : "[]");
	}
	return 0;
}
