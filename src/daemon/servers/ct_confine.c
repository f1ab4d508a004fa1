/* ct_confine.c - what keeps a container's root from being the host's: a user namespace of
 * its own (its ids 0..65535 are its range of host ids), the capabilities it keeps in there,
 * and the seccomp profile berthd writes into every container's bundle (linux.seccomp, which
 * berth-ct installs). A privileged container (no range) keeps the capability set of a
 * container without a user namespace, and the same profile with the keyring calls refused.
 *
 * Capabilities: LXC's default (all of them in the container's own user namespace, where
 * they reach only what the namespace owns) minus what LXC's common config drops:
 * sys_module, sys_rawio, sys_time, mac_admin, mac_override; and, since berth-ct refuses a
 * capability its own bounding set lacks, minus what berthd's bounding set lacks.
 *
 * The profile: default allow (a system container runs anything a machine runs), with the
 * calls refused that Docker's and LXC/Incus's defaults refuse and a system container never
 * needs (docs/berthd-drivers.md, "Seccomp profile", says why each). */
#include "daemon/servers/ct_confine.h"

#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>

#include "daemon/config.h"

/* LXC's lxc.cap.drop of its common configuration. */
static const char *const dropped[] = { "cap_sys_module", "cap_sys_rawio",    "cap_sys_time",
				       "cap_mac_admin",	 "cap_mac_override", NULL };

/* A privileged container: Docker's default set, plus NET_ADMIN for its own network
 * namespace and SYS_BOOT so that its init's reboot() ends the container (the kernel turns
 * it into the exit of the pid namespace's init). No SYS_ADMIN: root here is the host's. */
static const char *const privileged_caps[] = {
	"CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",	   "CAP_FOWNER",
	"CAP_MKNOD",   "CAP_NET_RAW",	   "CAP_SETGID",	   "CAP_SETUID",
	"CAP_SETFCAP", "CAP_SETPCAP",	   "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
	"CAP_KILL",    "CAP_AUDIT_WRITE",  "CAP_NET_ADMIN",	   "CAP_SYS_BOOT",
	NULL
};

static bool is_dropped(const char *name)
{
	const char *const *d;

	for (d = dropped; *d; d++)
		if (!strcmp(*d, name))
			return true;
	return false;
}

/* "cap_chown" as OCI writes it: "CAP_CHOWN". */
static json_t *oci_cap_name(const char *name)
{
	char upper[64];
	size_t i;

	for (i = 0; name[i] && i < sizeof(upper) - 1; i++)
		upper[i] = (char)toupper((unsigned char)name[i]);
	upper[i] = '\0';
	return json_string(upper);
}

json_t *confine_caps(const struct server *s)
{
	json_t *a = json_array();
	int cap;

	if (!s->idmap) {
		for (const char *const *c = privileged_caps; a && *c; c++)
			json_array_append_new(a, json_string(*c));
		return a;
	}
	for (cap = 0; a && cap < cap_max_bits(); cap++) {
		char *name;

		/* berth-ct refuses a capability outside its bounding set: berthd's, inherited */
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) != 1)
			continue;
		name = cap_to_name((cap_value_t)cap);
		if (name && strncmp(name, "cap_", 4) == 0 && !is_dropped(name))
			json_array_append_new(a, oci_cap_name(name));
		cap_free(name);
	}
	return a;
}

/* One rule of the profile: names refused with errno e. */
static json_t *deny(const char *const *names, int e)
{
	json_t *n = json_array();

	for (; n && *names; names++)
		json_array_append_new(n, json_string(*names));
	return json_pack("{s:o, s:s, s:i}", "names", n, "action", "SCMP_ACT_ERRNO", "errnoRet", e);
}

/* names refused with errno e when their argument index, masked, equals value. */
static json_t *deny_when(const char *name, unsigned index, uint64_t mask, uint64_t value, int e)
{
	return json_pack("{s:[s], s:s, s:i, s:[{s:i, s:I, s:I, s:s}]}", "names", name, "action",
			 "SCMP_ACT_ERRNO", "errnoRet", e, "args", "index", (int)index, "value",
			 (json_int_t)mask, "valueTwo", (json_int_t)value, "op",
			 "SCMP_CMP_MASKED_EQ");
}

/* The kernel's own: modules, kexec, time, swap, accounting, raw I/O ports, the kernel
 * log; each needs a capability of the host's user namespace, which root in a container
 * does not have, so the refusal only closes the door earlier, before any kernel code of
 * theirs runs. open_by_handle_at opens any inode of a file system by its handle, past
 * the container's root: the "shocker" escape of privileged containers. */
static const char *const kernel_calls[] = { "kexec_load",
					    "kexec_file_load",
					    "init_module",
					    "finit_module",
					    "delete_module",
					    "create_module",
					    "query_module",
					    "get_kernel_syms",
					    "open_by_handle_at",
					    "acct",
					    "swapon",
					    "swapoff",
					    "settimeofday",
					    "stime",
					    "clock_settime",
					    "clock_adjtime",
					    "iopl",
					    "ioperm",
					    "syslog",
					    "lookup_dcookie",
					    "nfsservctl",
					    "uselib",
					    "vm86",
					    "vm86old",
					    "_sysctl",
					    "sysfs",
					    "ustat",
					    NULL };

/* Attack surface a system container does without: BPF programs and perf events (kernel
 * memory and timing leaks, many CVEs), userfaultfd (stretches kernel races). */
static const char *const surface_calls[] = { "bpf", "perf_event_open", "userfaultfd", NULL };

/* io_uring: a second system call interface, the source of many escapes (Docker refuses it
 * too); ENOSYS, so programs fall back to plain system calls as on a kernel without it. */
static const char *const uring_calls[] = { "io_uring_setup", "io_uring_enter", "io_uring_register",
					   NULL };

/* A privileged container's root is the host's uid 0: its user keyring and named keyrings
 * are the host root's and every other privileged container's. ENOSYS, as Incus does, so
 * that systemd and others go on without keyrings. A container with a range of its own has
 * a user keyring of its own (another uid) and named keyrings of its own (another user
 * namespace), and keeps them. */
static const char *const keyring_calls[] = { "add_key", "keyctl", "request_key", NULL };

/* clone3 hides its flags in memory seccomp cannot read: ENOSYS makes glibc use clone,
 * whose flags the rule below sees (Docker does the same). */
static const char *const clone3_call[] = { "clone3", NULL };

json_t *confine_seccomp(const struct server *s)
{
	json_t *rules = json_array();

	if (!rules)
		return NULL;
	json_array_append_new(rules, deny(kernel_calls, EPERM));
	json_array_append_new(rules, deny(surface_calls, EPERM));
	json_array_append_new(rules, deny(uring_calls, ENOSYS));
	json_array_append_new(rules, deny(clone3_call, ENOSYS));
	/* no user namespace inside: it would give a tenant's unprivileged users all
	 * capabilities over new namespaces, the usual way into kernel bugs */
	json_array_append_new(rules, deny_when("unshare", 0, CLONE_NEWUSER, CLONE_NEWUSER, EPERM));
	json_array_append_new(rules, deny_when("clone", 0, CLONE_NEWUSER, CLONE_NEWUSER, EPERM));
	/* umount -f of a mount it shares with the host (LXC's reject_force_umount) */
	json_array_append_new(rules, deny_when("umount2", 1, MNT_FORCE, MNT_FORCE, EPERM));
	if (!s->idmap)
		json_array_append_new(rules, deny(keyring_calls, ENOSYS));
	return json_pack("{s:s, s:[s,s,s], s:o}", "defaultAction", "SCMP_ACT_ALLOW",
			 "architectures", "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
			 "syscalls", rules);
}

int confine_linux(json_t *lx, const struct server *s)
{
	json_t *ns = json_object_get(lx, "namespaces"), *map;

	if (json_object_set_new(lx, "seccomp", confine_seccomp(s)) < 0)
		return -1;
	if (!s->idmap)
		return 0;
	map = json_pack("[{s:i, s:I, s:I}]", "containerID", 0, "hostID", (json_int_t)s->idmap,
			"size", (json_int_t)CONFIG_IDMAP_SIZE);
	if (!map || json_array_append_new(ns, json_pack("{s:s}", "type", "user")) < 0 ||
	    json_object_set(lx, "uidMappings", map) < 0 ||
	    json_object_set_new(lx, "gidMappings", map) < 0)
		return -1;
	return 0;
}
