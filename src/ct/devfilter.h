/* devfilter.h - cgroup v2 device rules: an eBPF program (BPF_PROG_TYPE_CGROUP_DEVICE)
 * compiled from the same ordered rule list cgroup v1 writes to devices.allow/deny. */
#ifndef BERTH_CT_DEVFILTER_H
#define BERTH_CT_DEVFILTER_H

#include <linux/bpf.h>
#include <stddef.h>

#include "common/error.h"
#include "ct/config.h"

/* Compile rules (applied in order after "deny all"; the last match wins) into a
 * program; *out is malloc'd. Returns the instruction count or -1. */
int devfilter_build(const struct ct_devrule *rules, size_t n, struct bpf_insn **out,
		    struct berth_error *err);

/* Load a program and attach it to the cgroup directory dir. */
int devfilter_attach(const char *dir, const struct bpf_insn *prog, size_t n,
		     struct berth_error *err);

#endif
