/* rules.h - what each kind of berth-vmm thread may call, as libseccomp rules.
 *
 * Only the build uses these: gen/main.c compiles every kind of thread with every set of
 * features into BPF programs (programs.h), which berth-vmm installs without compiling
 * anything at start. The one value known only at run time, the VMM's pid (signals go only
 * to the VMM itself), is compiled as SECCOMP_PID_SENTINEL and patched in by install.c. */
#ifndef BERTH_VMM_SECCOMP_RULES_H
#define BERTH_VMM_SECCOMP_RULES_H

#include <linux/filter.h>

#include "common/error.h"
#include "vmm/seccomp/seccomp.h"

/* What a VM's configuration adds to the lists: bits of a program's index (programs.h). */
enum seccomp_feature {
	SECCOMP_F_SLIRP = 1,   /* --net user: libslirp's sockets, also on main and vCPU threads */
	SECCOMP_F_CAPLOG = 2,  /* a capped log (console file, --log) reopened at rotation */
	SECCOMP_F_LOGFD = 4,   /* --log: fds 1 and 2 moved onto the new file (implies CAPLOG) */
	SECCOMP_F_SOCKETS = 8, /* API, console or VNC sockets, whose files go at exit */
	SECCOMP_FEATURES = 16, /* the number of combinations */
};

/* The tgkill rule's pid in a compiled program: never a real pid (above pid_max's limit). */
#define SECCOMP_PID_SENTINEL 0x7e57c0deU

/* Whether features is a combination a configuration can have (LOGFD needs CAPLOG). */
int seccomp_features_valid(unsigned features);

/* Compile kind's list with features into prog (prog->filter malloc'd, the caller frees). */
int seccomp_rules_compile(enum vmm_thread kind, unsigned features, struct sock_fprog *prog,
			  struct berth_error *err);

#endif
