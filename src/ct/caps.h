/* caps.h - the five capability sets of process.capabilities, via libcap. */
#ifndef BERTH_CT_CAPS_H
#define BERTH_CT_CAPS_H

#include "common/error.h"
#include "ct/config.h"

/* Refuse effective, permitted or inheritable capabilities outside berth-ct's own
 * bounding set (the container's is no larger): the error names them all. */
int caps_check_host(const struct ct_process *p, struct berth_error *err);

/* Drop every capability outside the bounding set (before switching user). */
int caps_drop_bounding(const struct ct_process *p, struct berth_error *err);

/* Set effective, permitted, inheritable and ambient (after switching user). */
int caps_apply(const struct ct_process *p, struct berth_error *err);

#endif
