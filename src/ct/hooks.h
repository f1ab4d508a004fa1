/* hooks.h - OCI hooks: run each with the container state on stdin, bounded by its timeout. */
#ifndef BERTH_CT_HOOKS_H
#define BERTH_CT_HOOKS_H

#include "common/error.h"
#include "ct/config.h"

/* Run the hooks of one kind in order. The first failure stops them, except for
 * poststart and poststop hooks: each failure is logged as a warning and the rest run
 * (those never return -1). */
int hooks_run(const struct ct_config *c, enum ct_hook_kind kind, const char *state_json,
	      struct berth_error *err);

#endif
