/* caps.c - applying process.capabilities; names were checked by config.c. */
#include "ct/caps.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <sys/capability.h>
#include <sys/prctl.h>

static int last_cap(void)
{
	int n = cap_max_bits();

	return n > 0 ? n - 1 : CAP_LAST_CAP;
}

int caps_check_host(const struct ct_process *p, struct berth_error *err)
{
	uint64_t want =
	    p->caps[CT_CAP_EFFECTIVE] | p->caps[CT_CAP_PERMITTED] | p->caps[CT_CAP_INHERITABLE];
	char names[1024] = "";
	size_t len = 0;
	int cap;

	if (!p->has_caps)
		return 0;
	for (cap = 0; cap < 64; cap++) {
		char *name, *c;

		/* -1 (EINVAL) is a capability this kernel does not know: not grantable either */
		if (!(want & (1ULL << cap)) || prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
			continue;
		name = cap_to_name(cap);
		for (c = name; c && *c; c++)
			*c = (char)toupper((unsigned char)*c);
		if (len < sizeof(names))
			len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
						len ? ", " : "", name ? name : "?");
		cap_free(name);
	}
	if (!len)
		return 0;
	return refuse(err, EPERM,
		      "process.capabilities: %s not in the host's capability bounding set, so "
		      "the process cannot be given them",
		      names);
}

int caps_drop_bounding(const struct ct_process *p, struct berth_error *err)
{
	int cap;

	if (!p->has_caps)
		return 0;
	for (cap = 0; cap <= last_cap(); cap++)
		if (!(p->caps[CT_CAP_BOUNDING] & (1ULL << cap)) &&
		    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return berr(err, errno, "drop capability %d from the bounding set", cap);
	return 0;
}

static int set_flag(cap_t c, cap_flag_t flag, uint64_t mask)
{
	cap_value_t v[64];
	int n = 0, cap;

	for (cap = 0; cap <= last_cap() && cap < 64; cap++)
		if (mask & (1ULL << cap))
			v[n++] = cap;
	return n ? cap_set_flag(c, flag, n, v, CAP_SET) : 0;
}

int caps_apply(const struct ct_process *p, struct berth_error *err)
{
	cap_t c;
	int cap, rc;

	if (!p->has_caps)
		return 0;
	c = cap_init();
	if (!c)
		return berr(err, errno, "cap_init");
	rc = set_flag(c, CAP_EFFECTIVE, p->caps[CT_CAP_EFFECTIVE]) < 0 ||
	     set_flag(c, CAP_PERMITTED, p->caps[CT_CAP_PERMITTED]) < 0 ||
	     set_flag(c, CAP_INHERITABLE, p->caps[CT_CAP_INHERITABLE]) < 0 || cap_set_proc(c) < 0;
	cap_free(c);
	if (rc)
		return berr(err, errno, "set process.capabilities");
	/* The kernel lets a capability be ambient only when it is permitted and
	 * inheritable; like runc, others in the ambient list are skipped. */
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	for (cap = 0; cap <= last_cap(); cap++)
		if ((p->caps[CT_CAP_AMBIENT] & (1ULL << cap)) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0 && errno != EPERM)
			return berr(err, errno, "raise ambient capability %d", cap);
	return 0;
}
