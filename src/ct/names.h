/* names.h - the string tables of the OCI spec: rlimits, namespaces, mount options,
 * seccomp actions, operators, architectures and flags. Pure lookups, no I/O. */
#ifndef BERTH_CT_NAMES_H
#define BERTH_CT_NAMES_H

#include <stdbool.h>
#include <stdint.h>

struct names_mount_flag {
	const char *name;
	unsigned long flag;
	bool clear;	  /* "rw", "suid"...: clear the flag instead of setting it */
	bool propagation; /* a propagation type, applied by a separate mount call */
};

/* RLIMIT_* for "RLIMIT_NOFILE" etc., -1 when unknown. */
int names_rlimit(const char *name);

/* CLONE_NEW* for "pid", "network" etc., 0 when unknown. */
int names_namespace(const char *name);

/* The OCI name of a CLONE_NEW* flag ("pid", "network"...), NULL when unknown. */
const char *names_namespace_name(int type);

/* The /proc/PID/ns/ file name of a CLONE_NEW* flag ("pid", "net"...). */
const char *names_namespace_file(int type);

/* The entry for a mount option ("ro", "nosuid", "rprivate"...), NULL when it is data. */
const struct names_mount_flag *names_mount_flag(const char *name);

/* SCMP_ACT_* for an OCI action name; errno_ret is CT_UNSET or the errno/trace value. */
int names_seccomp_action(const char *name, int64_t errno_ret, uint32_t *out);

/* enum scmp_compare for "SCMP_CMP_EQ" etc., -1 when unknown. */
int names_seccomp_op(const char *name);

/* SCMP_ARCH_* token for "SCMP_ARCH_X86_64" etc.; -1 when unknown. */
int names_seccomp_arch(const char *name, uint32_t *out);

/* CT_SECCOMP_FLAG_* for "SECCOMP_FILTER_FLAG_LOG" etc., 0 when unknown or NULL. */
unsigned names_seccomp_flag(const char *name);

/* Signal number for "SIGTERM", "TERM" or "15"; -1 when unknown. */
int names_signal(const char *name);

/* Iterate the known rlimit/namespace/action names for `features`: NULL past the end. */
const char *names_list(int table, unsigned i);
enum {
	NAMES_NAMESPACES,
	NAMES_MOUNT_OPTIONS,
	NAMES_SECCOMP_ACTIONS,
	NAMES_SECCOMP_OPS,
	NAMES_SECCOMP_ARCHES,
	NAMES_SECCOMP_FLAGS
};

#endif
