/* gen/main.c - the build's compiler of berth-vmm's allow-lists: every thread kind with every
 * valid set of features (rules.h), compiled by libseccomp (rules.c) and written to stdout
 * as C (programs.h), with the system calls' names. So berth-vmm starts without compiling a
 * filter, which cost it about half a millisecond at every start.
 *
 * Each program must compare the tgkill rule's pid with SECCOMP_PID_SENTINEL exactly once:
 * that instruction is where install.c puts the VMM's pid. */
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/seccomp/programs.h"

#define MAX_PROGRAMS (VMM_THREAD_KINDS * SECCOMP_FEATURES)

static struct sock_fprog unique[MAX_PROGRAMS];
static unsigned nunique;
static int index_of[VMM_THREAD_KINDS][SECCOMP_FEATURES];
static unsigned pid_at[MAX_PROGRAMS];

/* The one instruction a program compares with the sentinel pid, or -1. */
static long find_pid(const struct sock_fprog *p)
{
	long at = -1;

	for (unsigned i = 0; i < p->len; i++)
		if (p->filter[i].code == (BPF_JMP | BPF_JEQ | BPF_K) &&
		    p->filter[i].k == SECCOMP_PID_SENTINEL) {
			if (at >= 0)
				return -1;
			at = (long)i;
		}
	return at;
}

/* Keep p as a new program or free it for an equal one kept before; returns its index. */
static int keep(struct sock_fprog *p)
{
	for (unsigned i = 0; i < nunique; i++)
		if (unique[i].len == p->len &&
		    !memcmp(unique[i].filter, p->filter, p->len * sizeof(*p->filter))) {
			free(p->filter);
			return (int)i;
		}
	unique[nunique] = *p;
	return (int)nunique++;
}

static int compile_all(void)
{
	struct berth_error err;
	struct sock_fprog p;
	long at;

	for (int k = 0; k < VMM_THREAD_KINDS; k++)
		for (unsigned f = 0; f < SECCOMP_FEATURES; f++) {
			index_of[k][f] = -1;
			if (!seccomp_features_valid(f))
				continue;
			if (seccomp_rules_compile(k, f, &p, &err)) {
				fprintf(stderr, "seccomp-gen: %s\n", err.msg);
				return -1;
			}
			at = find_pid(&p);
			if (at < 0) {
				fprintf(stderr,
					"seccomp-gen: kind %d, features %u: the pid is "
					"not compared exactly once\n",
					k, f);
				free(p.filter);
				return -1;
			}
			index_of[k][f] = keep(&p);
			pid_at[index_of[k][f]] = (unsigned)at;
		}
	return 0;
}

static void print_programs(void)
{
	for (unsigned i = 0; i < nunique; i++) {
		printf("\nstatic struct sock_filter program%u[%u] = {\n", i, unique[i].len);
		for (unsigned j = 0; j < unique[i].len; j++) {
			const struct sock_filter *s = &unique[i].filter[j];

			printf("\t{ 0x%02x, %u, %u, 0x%08x },\n", s->code, s->jt, s->jf, s->k);
		}
		printf("};\n");
	}
	printf(
	    "\nstruct seccomp_program seccomp_programs[VMM_THREAD_KINDS][SECCOMP_FEATURES] = {\n");
	for (int k = 0; k < VMM_THREAD_KINDS; k++) {
		printf("\t[%d] = {\n", k);
		for (unsigned f = 0; f < SECCOMP_FEATURES; f++) {
			int i = index_of[k][f];

			if (i >= 0)
				printf("\t\t[%u] = { program%d, %u, %u },\n", f, i, unique[i].len,
				       pid_at[i]);
		}
		printf("\t},\n");
	}
	printf("};\n");
}

static void print_names(void)
{
	printf("\nconst char *const seccomp_syscall_names[SECCOMP_SYSCALL_NAMES] = {\n");
	for (int nr = 0; nr < SECCOMP_SYSCALL_NAMES; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);

		if (name)
			printf("\t[%d] = \"%s\",\n", nr, name);
		free(name);
	}
	printf("};\n");
}

int main(void)
{
	if (compile_all())
		return 1;
	printf("/* Made by src/vmm/seccomp/gen/main.c from src/vmm/seccomp/rules.c: do not edit. "
	       "*/\n");
	printf("#include \"vmm/seccomp/programs.h\"\n");
	print_programs();
	print_names();
	for (unsigned i = 0; i < nunique; i++)
		free(unique[i].filter);
	return fflush(stdout) ? 1 : 0;
}
