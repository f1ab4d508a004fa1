/* programs.h - berth-vmm's allow-lists as BPF programs, compiled at build time: gen/main.c
 * compiles rules.c's lists into build/gen/vmm/seccomp_programs.c, which holds these. */
#ifndef BERTH_VMM_SECCOMP_PROGRAMS_H
#define BERTH_VMM_SECCOMP_PROGRAMS_H

#include "vmm/seccomp/rules.h"

#define SECCOMP_SYSCALL_NAMES 512 /* x86-64's numbers stay below this */

struct seccomp_program {
	struct sock_filter *insns; /* NULL for a combination no configuration has */
	unsigned short len;
	unsigned short pid_at; /* the instruction that compares with SECCOMP_PID_SENTINEL */
};

/* By thread kind and feature bits (rules.h); entries whose programs are equal share one. */
extern struct seccomp_program seccomp_programs[VMM_THREAD_KINDS][SECCOMP_FEATURES];

/* x86-64's system-call names by number (NULL where none), for the SIGSYS handler's line. */
extern const char *const seccomp_syscall_names[SECCOMP_SYSCALL_NAMES];

#endif
