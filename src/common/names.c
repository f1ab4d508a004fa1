/* names.c - validation of server and image names. */
#include "names.h"

#include <errno.h>
#include <string.h>

static bool name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (!first && c == '-');
}

bool name_valid(const char *name)
{
	size_t i;

	if (!name || !name[0])
		return false;
	for (i = 0; name[i]; i++) {
		if (i >= NAME_MAX_LEN || !name_char(name[i], i == 0))
			return false;
	}
	return true;
}

int name_check(const char *what, const char *name, struct berth_error *err)
{
	if (name_valid(name))
		return 0;
	if (!name || !name[0])
		return refuse(err, EINVAL,
			      "%s name is empty: use 1 to %d lowercase letters, digits and '-'",
			      what, NAME_MAX_LEN);
	return refuse(err, EINVAL,
		      "invalid %s name '%.80s': use 1 to %d lowercase letters, digits and '-', "
		      "starting with a letter or digit",
		      what, name, NAME_MAX_LEN);
}
