/* seccomp.c - turn struct ct_seccomp into a libseccomp filter and load it. Syscall
 * names this libseccomp does not know are skipped, as runc does: profiles list
 * syscalls of newer kernels. */
#include "ct/seccomp.h"

#include <errno.h>
#include <seccomp.h>
#include <string.h>

static int add_rule(scmp_filter_ctx ctx, const struct ct_seccomp_rule *r, int nr,
		    struct berth_error *err)
{
	struct scmp_arg_cmp cmp[6];
	size_t i;
	int rc;

	for (i = 0; i < r->n_args; i++) {
		cmp[i].arg = r->args[i].index;
		cmp[i].op = (enum scmp_compare)r->args[i].op;
		cmp[i].datum_a = r->args[i].value;
		cmp[i].datum_b = r->args[i].value_two;
	}
	rc = seccomp_rule_add_array(ctx, r->action, nr, (unsigned)r->n_args, cmp);
	/* several conditions on one argument need one rule each (libseccomp ANDs a rule) */
	if (rc == -EINVAL && r->n_args > 1) {
		for (i = 0; i < r->n_args; i++) {
			rc = seccomp_rule_add_array(ctx, r->action, nr, 1, &cmp[i]);
			if (rc < 0)
				break;
		}
	}
	if (rc < 0 && rc != -EEXIST)
		return berr(err, -rc, "linux.seccomp: add rule for syscall %d", nr);
	return 0;
}

int seccomp_apply(const struct ct_seccomp *s, struct berth_error *err)
{
	scmp_filter_ctx ctx;
	size_t i, j;
	int rc = 0;

	if (!s)
		return 0;
	ctx = seccomp_init(s->default_action);
	if (!ctx)
		return berr(err, 0, "linux.seccomp: seccomp_init");
	for (i = 0; i < s->n_arches && rc == 0; i++) {
		rc = seccomp_arch_add(ctx, s->arches[i]);
		if (rc == -EEXIST)
			rc = 0;
	}
	if (rc == 0 && (s->flags & CT_SECCOMP_FLAG_LOG))
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);
	if (rc == 0 && (s->flags & CT_SECCOMP_FLAG_SPEC_ALLOW))
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1);
	if (rc == 0 && (s->flags & CT_SECCOMP_FLAG_TSYNC))
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (rc == 0)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (rc < 0) {
		seccomp_release(ctx);
		return berr(err, -rc, "linux.seccomp: set up the filter");
	}
	for (i = 0; i < s->n_rules; i++) {
		const struct ct_seccomp_rule *r = &s->rules[i];

		if (r->action == s->default_action)
			continue;
		for (j = 0; j < r->n_names; j++) {
			int nr = seccomp_syscall_resolve_name(r->names[j]);

			if (nr == __NR_SCMP_ERROR)
				continue;
			if (add_rule(ctx, r, nr, err) < 0) {
				seccomp_release(ctx);
				return berr_wrap(err, "linux.seccomp.syscalls[%zu] `%s`", i,
						 r->names[j]);
			}
		}
	}
	rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0)
		return berr(err, -rc, "linux.seccomp: load the filter");
	return 0;
}
