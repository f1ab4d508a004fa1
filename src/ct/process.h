/* process.h - turning the prepared container process into process.args: rlimits, a fresh
 * session keyring, user, capabilities, no_new_privs, seccomp, then execve. Shared by
 * create and exec. */
#ifndef BERTH_CT_PROCESS_H
#define BERTH_CT_PROCESS_H

#include <stddef.h>

#include "common/error.h"
#include "ct/config.h"

/* Find process.args[0] through the PATH of process.env, in the current root. */
int process_find(const struct ct_process *p, char *out, size_t len, struct berth_error *err);

/* Apply p (and the seccomp filter s, may be NULL) and execve path, passing on only
 * stdio and fds 3..3+preserve_fds-1; returns only on error. */
int process_exec(const struct ct_process *p, const char *path, const struct ct_seccomp *s,
		 int preserve_fds, struct berth_error *err);

#endif
