/* seccomp.h - linux.seccomp compiled and loaded with libseccomp. */
#ifndef BERTH_CT_SECCOMP_H
#define BERTH_CT_SECCOMP_H

#include "common/error.h"
#include "ct/config.h"

/* Build the filter of s and load it into the calling thread. */
int seccomp_apply(const struct ct_seccomp *s, struct berth_error *err);

#endif
