/* config.h - the OCI runtime configuration (config.json) as plain structs.
 *
 * config.c parses config.json once into a struct ct_config and validates it;
 * nothing else in berth-ct sees JSON. Unset numbers hold CT_UNSET. */
#ifndef BERTH_CT_CONFIG_H
#define BERTH_CT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

#define CT_UNSET INT64_MIN

enum ct_hook_kind {
	CT_HOOK_PRESTART,
	CT_HOOK_CREATE_RUNTIME,
	CT_HOOK_CREATE_CONTAINER,
	CT_HOOK_START_CONTAINER,
	CT_HOOK_POSTSTART,
	CT_HOOK_POSTSTOP,
	CT_HOOK_KINDS
};

struct ct_hook {
	char *path;
	char **args; /* NULL-terminated, may be NULL */
	char **env;  /* NULL-terminated, may be NULL */
	int timeout; /* seconds, 0 = none */
};

struct ct_rlimit {
	int resource; /* RLIMIT_* */
	uint64_t soft, hard;
};

struct ct_user {
	uid_t uid;
	gid_t gid;
	gid_t *additional_gids;
	size_t n_additional_gids;
	int64_t umask; /* CT_UNSET or 0..0777 */
};

/* One capability set per bit mask, indexed by CAP_* number. */
enum ct_capset {
	CT_CAP_BOUNDING,
	CT_CAP_EFFECTIVE,
	CT_CAP_INHERITABLE,
	CT_CAP_PERMITTED,
	CT_CAP_AMBIENT,
	CT_CAP_SETS
};

struct ct_process {
	char **args; /* NULL-terminated, at least one */
	char **env;  /* NULL-terminated */
	char *cwd;
	struct ct_user user;
	bool terminal;
	bool has_caps;
	uint64_t caps[CT_CAP_SETS];
	struct ct_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	int64_t oom_score_adj; /* CT_UNSET or -1000..1000 */
	char *apparmor_profile;
	char *selinux_label;
};

struct ct_mount {
	char *destination;
	char *type;
	char *source;
	unsigned long flags;	   /* MS_* without propagation */
	unsigned long propagation; /* MS_SHARED/SLAVE/PRIVATE/UNBINDABLE [| MS_REC] or 0 */
	bool bind;		   /* bind or rbind (MS_BIND [| MS_REC] in flags) */
	char *data;		   /* remaining options, comma-joined, may be NULL */
};

struct ct_namespace {
	int type;   /* CLONE_NEW* */
	char *path; /* join this one instead of creating; may be NULL */
};

struct ct_idmap {
	uint32_t container_id, host_id, size;
};

struct ct_device {
	char *path;
	char type; /* 'c', 'b', 'u' or 'p' */
	int64_t major, minor;
	int64_t file_mode; /* CT_UNSET or permission bits */
	int64_t uid, gid;  /* CT_UNSET or ids */
};

struct ct_devrule {
	bool allow;
	char type;	      /* 'a', 'c' or 'b' */
	int64_t major, minor; /* -1 = any */
	char access[4];	      /* subset of "rwm" */
};

struct ct_throttle {
	int64_t major, minor;
	uint64_t rate;
};

enum ct_throttle_kind {
	CT_THR_READ_BPS,
	CT_THR_WRITE_BPS,
	CT_THR_READ_IOPS,
	CT_THR_WRITE_IOPS,
	CT_THR_KINDS
};

/* linux.resources.unified bounds: entries, key length, value length */
#define CT_UNIFIED_MAX	     64
#define CT_UNIFIED_KEY_MAX   64
#define CT_UNIFIED_VALUE_MAX 1024

/* One linux.resources.unified entry: a cgroup v2 file of the container's cgroup and the
 * string written to it. */
struct ct_unified {
	char *file, *value;
};

struct ct_resources {
	int64_t mem_limit, mem_reservation, mem_swap; /* bytes, -1 = unlimited */
	int64_t mem_kernel;			      /* bytes, -1 = unlimited */
	int64_t mem_swappiness;			      /* 0..100, CT_UNSET when not asked */
	bool mem_disable_oom_killer;
	int64_t cpu_shares, cpu_quota, cpu_period;
	char *cpus, *mems;
	int64_t pids_limit;
	int64_t blkio_weight;
	struct ct_throttle *throttles[CT_THR_KINDS];
	size_t n_throttles[CT_THR_KINDS];
	struct ct_devrule *devices;
	size_t n_devices;
	struct ct_unified *unified; /* written after the fields above (so it wins) */
	size_t n_unified;
};

struct ct_sysctl {
	char *key, *value;
};

struct ct_seccomp_arg {
	unsigned index;
	uint64_t value, value_two;
	int op; /* enum scmp_compare */
};

struct ct_seccomp_rule {
	char **names;
	size_t n_names;
	uint32_t action; /* SCMP_ACT_* */
	struct ct_seccomp_arg *args;
	size_t n_args;
};

struct ct_seccomp {
	uint32_t default_action;
	uint32_t *arches; /* SCMP_ARCH_* tokens */
	size_t n_arches;
	unsigned flags; /* CT_SECCOMP_FLAG_* */
	struct ct_seccomp_rule *rules;
	size_t n_rules;
};

#define CT_SECCOMP_FLAG_LOG	   1u
#define CT_SECCOMP_FLAG_SPEC_ALLOW 2u
#define CT_SECCOMP_FLAG_TSYNC	   4u

struct ct_timens_offset {
	int64_t secs;
	uint32_t nanosecs;
};

struct ct_config {
	char *oci_version;
	char *root_path; /* absolute, resolved against the bundle */
	bool root_readonly;
	struct ct_process process;
	char *hostname;
	char *domainname;
	struct ct_mount *mounts;
	size_t n_mounts;
	struct ct_hook *hooks[CT_HOOK_KINDS];
	size_t n_hooks[CT_HOOK_KINDS];
	char **annotations; /* key, value, key, value ..., NULL */
	/* linux */
	struct ct_namespace *namespaces;
	size_t n_namespaces;
	struct ct_idmap *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
	struct ct_device *devices;
	size_t n_devices;
	char *cgroups_path;
	bool has_resources;
	struct ct_resources resources;
	unsigned long rootfs_propagation; /* 0 = default (rslave) */
	char **masked_paths;
	char **readonly_paths;
	struct ct_sysctl *sysctls;
	size_t n_sysctls;
	struct ct_seccomp *seccomp;		 /* NULL = none */
	struct ct_timens_offset time_offsets[2]; /* monotonic, boottime */
	char *mount_label;
};

/* Parse and validate config.json text; bundle resolves a relative root.path. */
int config_parse(const char *json, size_t len, const char *bundle, struct ct_config **out,
		 struct berth_error *err);

/* Parse a process object alone (the --process file of exec) into *p. */
int config_parse_process(const char *json, size_t len, struct ct_process *p,
			 struct berth_error *err);

/* Read and parse a process.json file. */
int config_load_process(const char *path, struct ct_process *p, struct berth_error *err);

/* Free what a struct ct_process holds (not p itself). */
void config_free_process(struct ct_process *p);

/* Read a whole regular file of at most 16 MiB (config.json, process.json); *out is
 * malloc'd. */
int config_read_file(const char *path, char **out, size_t *len, struct berth_error *err);

/* Free a parsed configuration (NULL is fine). */
void config_free(struct ct_config *c);

/* The namespace entry of a CLONE_NEW* type, or NULL when absent. */
const struct ct_namespace *config_namespace(const struct ct_config *c, int type);

/* Free a NULL-terminated string vector. */
void strv_free(char **v);

/* cleanup attribute for struct ct_config pointers. */
static inline void config_freep(struct ct_config **c)
{
	config_free(*c);
}
#define _cleanup_config_ __attribute__((cleanup(config_freep)))

#endif
