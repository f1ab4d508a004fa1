/* fuzz_cgroup_path.c - libFuzzer target: /proc/PID/cgroup text through cgroup_path_in()
 * (src/common/cgroup.c), which berth-ct reads for a container's init to place an exec'd
 * process in the cgroup the container's systemd chose: the paths are names a tenant made.
 * The first byte picks the line asked for: v2's, v1's name=systemd, or a controller. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cgroup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const controllers[] = { NULL, "name=systemd", "cpu" };
	const char *controller;
	FILE *f;
	char *path;

	if (size < 1)
		return 0;
	controller = controllers[data[0] % 3];
	f = fmemopen((void *)(data + 1), size - 1, "r");
	if (!f)
		return 0;
	path = cgroup_path_in(f, controller);
	fclose(f);
	/* a path is one whole line's rest: never a newline in it, never longer than the input */
	if (path && (strchr(path, '\n') || strlen(path) >= size))
		abort();
	free(path);
	return 0;
}
