/* names.c - the string tables of the OCI spec and their lookups. */
#include "ct/names.h"

#include <ctype.h>
#include <limits.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "ct/config.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *name;
	int resource;
} rlimits[] = {
	{ "RLIMIT_AS", RLIMIT_AS },
	{ "RLIMIT_CORE", RLIMIT_CORE },
	{ "RLIMIT_CPU", RLIMIT_CPU },
	{ "RLIMIT_DATA", RLIMIT_DATA },
	{ "RLIMIT_FSIZE", RLIMIT_FSIZE },
	{ "RLIMIT_LOCKS", RLIMIT_LOCKS },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
	{ "RLIMIT_NICE", RLIMIT_NICE },
	{ "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_NPROC", RLIMIT_NPROC },
	{ "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
	{ "RLIMIT_RTTIME", RLIMIT_RTTIME },
	{ "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_STACK", RLIMIT_STACK },
};

static const struct {
	const char *name, *file;
	int type;
} namespaces[] = {
	{ "pid", "pid", CLONE_NEWPID },		 { "network", "net", CLONE_NEWNET },
	{ "mount", "mnt", CLONE_NEWNS },	 { "ipc", "ipc", CLONE_NEWIPC },
	{ "uts", "uts", CLONE_NEWUTS },		 { "user", "user", CLONE_NEWUSER },
	{ "cgroup", "cgroup", CLONE_NEWCGROUP }, { "time", "time", CLONE_NEWTIME },
};

static const struct names_mount_flag mount_flags[] = {
	{ "async", MS_SYNCHRONOUS, true, false },
	{ "atime", MS_NOATIME, true, false },
	{ "bind", MS_BIND, false, false },
	{ "defaults", 0, false, false },
	{ "dev", MS_NODEV, true, false },
	{ "diratime", MS_NODIRATIME, true, false },
	{ "dirsync", MS_DIRSYNC, false, false },
	{ "exec", MS_NOEXEC, true, false },
	{ "iversion", MS_I_VERSION, false, false },
	{ "lazytime", MS_LAZYTIME, false, false },
	{ "loud", MS_SILENT, true, false },
	{ "mand", MS_MANDLOCK, false, false },
	{ "noatime", MS_NOATIME, false, false },
	{ "nodev", MS_NODEV, false, false },
	{ "nodiratime", MS_NODIRATIME, false, false },
	{ "noexec", MS_NOEXEC, false, false },
	{ "noiversion", MS_I_VERSION, true, false },
	{ "nolazytime", MS_LAZYTIME, true, false },
	{ "nomand", MS_MANDLOCK, true, false },
	{ "norelatime", MS_RELATIME, true, false },
	{ "nostrictatime", MS_STRICTATIME, true, false },
	{ "nosuid", MS_NOSUID, false, false },
	{ "nosymfollow", MS_NOSYMFOLLOW, false, false },
	{ "private", MS_PRIVATE, false, true },
	{ "rbind", MS_BIND | MS_REC, false, false },
	{ "relatime", MS_RELATIME, false, false },
	{ "remount", MS_REMOUNT, false, false },
	{ "ro", MS_RDONLY, false, false },
	{ "rprivate", MS_PRIVATE | MS_REC, false, true },
	{ "rshared", MS_SHARED | MS_REC, false, true },
	{ "rslave", MS_SLAVE | MS_REC, false, true },
	{ "runbindable", MS_UNBINDABLE | MS_REC, false, true },
	{ "rw", MS_RDONLY, true, false },
	{ "shared", MS_SHARED, false, true },
	{ "silent", MS_SILENT, false, false },
	{ "slave", MS_SLAVE, false, true },
	{ "strictatime", MS_STRICTATIME, false, false },
	{ "suid", MS_NOSUID, true, false },
	{ "sync", MS_SYNCHRONOUS, false, false },
	{ "unbindable", MS_UNBINDABLE, false, true },
};

static const struct {
	const char *name;
	uint32_t action;
	bool takes_value; /* errnoRet is the errno (or trace message) */
} actions[] = {
	{ "SCMP_ACT_KILL", SCMP_ACT_KILL, false },
	{ "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false },
	{ "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false },
	{ "SCMP_ACT_TRAP", SCMP_ACT_TRAP, false },
	{ "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true },
	{ "SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true },
	{ "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false },
	{ "SCMP_ACT_LOG", SCMP_ACT_LOG, false },
};

static const struct {
	const char *name;
	int op;
} ops[] = {
	{ "SCMP_CMP_NE", SCMP_CMP_NE },
	{ "SCMP_CMP_LT", SCMP_CMP_LT },
	{ "SCMP_CMP_LE", SCMP_CMP_LE },
	{ "SCMP_CMP_EQ", SCMP_CMP_EQ },
	{ "SCMP_CMP_GE", SCMP_CMP_GE },
	{ "SCMP_CMP_GT", SCMP_CMP_GT },
	{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

static const char *const arches[] = {
	"SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",	    "SCMP_ARCH_ARM",
	"SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",	   "SCMP_ARCH_MIPS64",	    "SCMP_ARCH_MIPS64N32",
	"SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
	"SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",	    "SCMP_ARCH_S390X",
	"SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",
};

static const struct {
	const char *name;
	unsigned flag;
} seccomp_flags[] = {
	{ "SECCOMP_FILTER_FLAG_LOG", CT_SECCOMP_FLAG_LOG },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", CT_SECCOMP_FLAG_SPEC_ALLOW },
	{ "SECCOMP_FILTER_FLAG_TSYNC", CT_SECCOMP_FLAG_TSYNC },
};

static const struct {
	const char *name;
	int sig;
} signals[] = {
	{ "ABRT", SIGABRT },   { "ALRM", SIGALRM }, { "BUS", SIGBUS },	 { "CHLD", SIGCHLD },
	{ "CONT", SIGCONT },   { "FPE", SIGFPE },   { "HUP", SIGHUP },	 { "ILL", SIGILL },
	{ "INT", SIGINT },     { "IO", SIGIO },	    { "IOT", SIGIOT },	 { "KILL", SIGKILL },
	{ "PIPE", SIGPIPE },   { "PROF", SIGPROF }, { "PWR", SIGPWR },	 { "QUIT", SIGQUIT },
	{ "SEGV", SIGSEGV },   { "STOP", SIGSTOP }, { "SYS", SIGSYS },	 { "TERM", SIGTERM },
	{ "TRAP", SIGTRAP },   { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },
	{ "URG", SIGURG },     { "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "VTALRM", SIGVTALRM },
	{ "WINCH", SIGWINCH }, { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
};

int names_rlimit(const char *name)
{
	size_t i;

	for (i = 0; i < COUNT(rlimits); i++)
		if (!strcmp(rlimits[i].name, name))
			return rlimits[i].resource;
	return -1;
}

int names_namespace(const char *name)
{
	size_t i;

	for (i = 0; i < COUNT(namespaces); i++)
		if (!strcmp(namespaces[i].name, name))
			return namespaces[i].type;
	return 0;
}

const char *names_namespace_name(int type)
{
	size_t i;

	for (i = 0; i < COUNT(namespaces); i++)
		if (namespaces[i].type == type)
			return namespaces[i].name;
	return NULL;
}

const char *names_namespace_file(int type)
{
	size_t i;

	for (i = 0; i < COUNT(namespaces); i++)
		if (namespaces[i].type == type)
			return namespaces[i].file;
	return NULL;
}

const struct names_mount_flag *names_mount_flag(const char *name)
{
	size_t i;

	for (i = 0; i < COUNT(mount_flags); i++)
		if (!strcmp(mount_flags[i].name, name))
			return &mount_flags[i];
	return NULL;
}

int names_seccomp_action(const char *name, int64_t errno_ret, uint32_t *out)
{
	size_t i;

	for (i = 0; i < COUNT(actions); i++) {
		if (strcmp(actions[i].name, name))
			continue;
		*out = actions[i].action;
		if (actions[i].takes_value)
			*out |= errno_ret == CT_UNSET
				    ? (actions[i].action == SCMP_ACT_ERRNO(0) ? 1u : 0u)
				    : (uint32_t)errno_ret;
		return 0;
	}
	return -1;
}

int names_seccomp_op(const char *name)
{
	size_t i;

	for (i = 0; i < COUNT(ops); i++)
		if (!strcmp(ops[i].name, name))
			return ops[i].op;
	return -1;
}

int names_seccomp_arch(const char *name, uint32_t *out)
{
	char lower[32];
	size_t i;

	for (i = 0; i < COUNT(arches); i++)
		if (!strcmp(arches[i], name))
			break;
	if (i == COUNT(arches))
		return -1;
	for (i = 0; name[10 + i] && i < sizeof(lower) - 1; i++)
		lower[i] = (char)tolower((unsigned char)name[10 + i]);
	lower[i] = '\0';
	*out = seccomp_arch_resolve_name(lower);
	return *out ? 0 : -1;
}

unsigned names_seccomp_flag(const char *name)
{
	size_t i;

	for (i = 0; name && i < COUNT(seccomp_flags); i++)
		if (!strcmp(seccomp_flags[i].name, name))
			return seccomp_flags[i].flag;
	return 0;
}

int names_signal(const char *name)
{
	char *end;
	long n;
	size_t i;

	if (isdigit((unsigned char)name[0])) {
		n = strtol(name, &end, 10);
		return (*end || n <= 0 || n > 64) ? -1 : (int)n;
	}
	if (!strncasecmp(name, "SIG", 3))
		name += 3;
	if (!strncasecmp(name, "RTMIN+", 6) || !strncasecmp(name, "RTMAX-", 6)) {
		n = strtol(name + 6, &end, 10);
		if (*end || n < 0 || n > SIGRTMAX - SIGRTMIN)
			return -1;
		return (int)(toupper((unsigned char)name[3]) == 'I' ? SIGRTMIN + n : SIGRTMAX - n);
	}
	for (i = 0; i < COUNT(signals); i++)
		if (!strcasecmp(signals[i].name, name))
			return signals[i].sig;
	return -1;
}

const char *names_list(int table, unsigned i)
{
	switch (table) {
	case NAMES_NAMESPACES:
		return i < COUNT(namespaces) ? namespaces[i].name : NULL;
	case NAMES_MOUNT_OPTIONS:
		return i < COUNT(mount_flags) ? mount_flags[i].name : NULL;
	case NAMES_SECCOMP_ACTIONS:
		return i < COUNT(actions) ? actions[i].name : NULL;
	case NAMES_SECCOMP_OPS:
		return i < COUNT(ops) ? ops[i].name : NULL;
	case NAMES_SECCOMP_ARCHES:
		return i < COUNT(arches) ? arches[i] : NULL;
	case NAMES_SECCOMP_FLAGS:
		return i < COUNT(seccomp_flags) ? seccomp_flags[i].name : NULL;
	}
	return NULL;
}
