/* Unit tests for src/ct/config.c: a full valid config lands in the right fields, and
 * every invalid field is rejected with a message naming it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <linux/capability.h>
#include <seccomp.h>

#include "ct/config.h"

static const char base[] =
    "{"
    "\"ociVersion\": \"1.0.2\","
    "\"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", \"env\": [\"PATH=/bin\"]},"
    "\"root\": {\"path\": \"rootfs\"},"
    "\"hostname\": \"h\","
    "\"linux\": {\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"uts\"}, {\"type\": \"pid\"}]}"
    "}";

/* Parse base with patch merged over it (objects merge, other values replace). */
static int parse_patched(const char *patch, struct ct_config **c, struct berth_error *err)
{
	json_t *b = json_loads(base, 0, NULL), *p = json_loads(patch, 0, NULL);
	char *s;
	int rc;

	assert_non_null(b);
	assert_non_null(p);
	assert_int_equal(json_object_update_recursive(b, p), 0);
	s = json_dumps(b, 0);
	rc = config_parse(s, strlen(s), "/bundle", c, err);
	free(s);
	json_decref(b);
	json_decref(p);
	return rc;
}

static void parses_base(void **state)
{
	struct ct_config *c = NULL;
	struct berth_error err;

	(void)state;
	assert_int_equal(parse_patched("{}", &c, &err), 0);
	assert_string_equal(c->root_path, "/bundle/rootfs");
	assert_string_equal(c->process.args[0], "sh");
	assert_null(c->process.args[1]);
	assert_string_equal(c->process.env[0], "PATH=/bin");
	assert_int_equal(c->process.oom_score_adj, CT_UNSET);
	assert_false(c->process.has_caps);
	assert_non_null(config_namespace(c, CLONE_NEWNS));
	assert_null(config_namespace(c, CLONE_NEWNET));
	assert_null(c->seccomp);
	assert_false(c->has_resources);
	config_free(c);
}

static void parses_full(void **state)
{
	static const char full[] =
	    "{"
	    "\"process\": {\"terminal\": true, \"user\": {\"uid\": 5, \"gid\": 6, \"umask\": 18,"
	    " \"additionalGids\": [7, 8]}, \"noNewPrivileges\": true, \"oomScoreAdj\": -500,"
	    " \"capabilities\": {\"bounding\": [\"CAP_CHOWN\", \"CAP_KILL\"], \"ambient\": "
	    "[\"CAP_KILL\"]},"
	    " \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 10, \"hard\": 20}]},"
	    "\"root\": {\"path\": \"/abs\", \"readonly\": true},"
	    "\"mounts\": [{\"destination\": \"/d\", \"type\": \"bind\", \"source\": \"/s\","
	    " \"options\": [\"rbind\", \"ro\", \"nosuid\", \"rslave\", \"mode=1\"]},"
	    " {\"destination\": \"/t\", \"type\": \"tmpfs\", \"options\": [\"rw\", \"size=1m\", "
	    "\"nr_inodes=5\"]}],"
	    "\"hooks\": {\"poststop\": [{\"path\": \"/h\", \"args\": [\"h\", \"x\"], \"timeout\": "
	    "3}]},"
	    "\"annotations\": {\"k\": \"v\"},"
	    "\"linux\": {\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"uts\"},"
	    " {\"type\": \"network\", \"path\": \"/proc/1/ns/net\"}, {\"type\": \"user\"}, "
	    "{\"type\": \"time\"}],"
	    " \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 10}],"
	    " \"gidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 10}],"
	    " \"timeOffsets\": {\"monotonic\": {\"secs\": 5, \"nanosecs\": 6}},"
	    " \"devices\": [{\"path\": \"/dev/x\", \"type\": \"c\", \"major\": 1, \"minor\": 3, "
	    "\"fileMode\": 438}],"
	    " \"cgroupsPath\": \"/a/b\", \"rootfsPropagation\": \"rshared\","
	    " \"resources\": {\"memory\": {\"limit\": 100, \"swap\": 200, \"reservation\": 50,"
	    "  \"swappiness\": 10, \"kernel\": 4096, \"disableOOMKiller\": true},"
	    "  \"cpu\": {\"shares\": 512, \"quota\": 5000, \"period\": 10000, \"cpus\": \"0-1\"},"
	    "  \"pids\": {\"limit\": 9}, \"blockIO\": {\"weight\": 100, \"throttleReadBpsDevice\":"
	    "  [{\"major\": 8, \"minor\": 0, \"rate\": 1000}]},"
	    "  \"devices\": [{\"allow\": false, \"access\": \"rwm\"}, {\"allow\": true, \"type\": "
	    "\"c\","
	    "  \"major\": 1, \"minor\": 3, \"access\": \"rw\"}],"
	    "  \"unified\": {\"memory.min\": \"4096\", \"cgroup.max.depth\": \"2\"}},"
	    " \"maskedPaths\": [\"/proc/kcore\"], \"readonlyPaths\": [\"/proc/sys\"],"
	    " \"sysctl\": {\"net.ipv4.ip_forward\": \"1\"},"
	    " \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,"
	    "  \"architectures\": [\"SCMP_ARCH_X86_64\"], \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\"],"
	    "  \"syscalls\": [{\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\","
	    "  \"args\": [{\"index\": 0, \"value\": 1, \"valueTwo\": 2, \"op\": "
	    "\"SCMP_CMP_MASKED_EQ\"}]}]}}"
	    "}";
	struct ct_config *c = NULL;
	struct berth_error err;

	(void)state;
	assert_int_equal(parse_patched(full, &c, &err), 0);
	assert_true(c->process.terminal);
	assert_int_equal(c->process.user.uid, 5);
	assert_int_equal(c->process.user.gid, 6);
	assert_int_equal(c->process.user.umask, 18);
	assert_int_equal(c->process.user.n_additional_gids, 2);
	assert_int_equal(c->process.user.additional_gids[1], 8);
	assert_true(c->process.no_new_privileges);
	assert_int_equal(c->process.oom_score_adj, -500);
	assert_true(c->process.has_caps);
	assert_int_equal(c->process.caps[CT_CAP_BOUNDING],
			 (1ULL << CAP_CHOWN) | (1ULL << CAP_KILL));
	assert_int_equal(c->process.caps[CT_CAP_AMBIENT], 1ULL << CAP_KILL);
	assert_int_equal(c->process.caps[CT_CAP_EFFECTIVE], 0);
	assert_int_equal(c->process.n_rlimits, 1);
	assert_int_equal(c->process.rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(c->process.rlimits[0].hard, 20);
	assert_string_equal(c->root_path, "/abs");
	assert_true(c->root_readonly);
	assert_int_equal(c->n_mounts, 2);
	assert_true(c->mounts[0].bind);
	assert_int_equal(c->mounts[0].flags, MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID);
	assert_int_equal(c->mounts[0].propagation, MS_SLAVE | MS_REC);
	assert_string_equal(c->mounts[0].data, "mode=1");
	assert_false(c->mounts[1].bind);
	assert_string_equal(c->mounts[1].data, "size=1m,nr_inodes=5");
	assert_int_equal(c->n_hooks[CT_HOOK_POSTSTOP], 1);
	assert_int_equal(c->hooks[CT_HOOK_POSTSTOP][0].timeout, 3);
	assert_string_equal(c->hooks[CT_HOOK_POSTSTOP][0].args[1], "x");
	assert_string_equal(c->annotations[0], "k");
	assert_string_equal(c->annotations[1], "v");
	assert_string_equal(config_namespace(c, CLONE_NEWNET)->path, "/proc/1/ns/net");
	assert_int_equal(c->uid_mappings[0].host_id, 1000);
	assert_int_equal(c->time_offsets[0].secs, 5);
	assert_int_equal(c->time_offsets[0].nanosecs, 6);
	assert_int_equal(c->devices[0].file_mode, 0666);
	assert_int_equal(c->devices[0].uid, CT_UNSET);
	assert_string_equal(c->cgroups_path, "/a/b");
	assert_int_equal(c->rootfs_propagation, MS_SHARED | MS_REC);
	assert_int_equal(c->resources.mem_limit, 100);
	assert_int_equal(c->resources.mem_swap, 200);
	assert_int_equal(c->resources.mem_swappiness, 10);
	assert_int_equal(c->resources.mem_kernel, 4096);
	assert_true(c->resources.mem_disable_oom_killer);
	assert_int_equal(c->resources.cpu_shares, 512);
	assert_string_equal(c->resources.cpus, "0-1");
	assert_null(c->resources.mems);
	assert_int_equal(c->resources.pids_limit, 9);
	assert_int_equal(c->resources.blkio_weight, 100);
	assert_int_equal(c->resources.n_throttles[CT_THR_READ_BPS], 1);
	assert_int_equal(c->resources.throttles[CT_THR_READ_BPS][0].rate, 1000);
	assert_int_equal(c->resources.n_devices, 2);
	assert_int_equal(c->resources.devices[0].type, 'a');
	assert_int_equal(c->resources.devices[0].major, -1);
	assert_string_equal(c->resources.devices[1].access, "rw");
	assert_int_equal(c->resources.n_unified, 2);
	assert_string_equal(c->resources.unified[0].file, "memory.min");
	assert_string_equal(c->resources.unified[0].value, "4096");
	assert_string_equal(c->resources.unified[1].file, "cgroup.max.depth");
	assert_string_equal(c->masked_paths[0], "/proc/kcore");
	assert_string_equal(c->sysctls[0].key, "net.ipv4.ip_forward");
	assert_non_null(c->seccomp);
	assert_int_equal(c->seccomp->default_action, SCMP_ACT_ERRNO(38));
	assert_int_equal(c->seccomp->arches[0], SCMP_ARCH_X86_64);
	assert_int_equal(c->seccomp->flags, CT_SECCOMP_FLAG_LOG);
	assert_int_equal(c->seccomp->rules[0].n_names, 2);
	assert_int_equal(c->seccomp->rules[0].args[0].op, SCMP_CMP_MASKED_EQ);
	assert_int_equal(c->seccomp->rules[0].args[0].value_two, 2);
	config_free(c);
}

struct bad {
	const char *patch;
	const char *message; /* must appear in the error */
};

/* a config patch with one linux.resources.unified entry (v is JSON) */
#define UNIFIED(k, v) "{\"linux\": {\"resources\": {\"unified\": {\"" k "\": " v "}}}}"

static const struct bad bads[] = {
	{ "{\"ociVersion\": \"2.0\"}", "ociVersion" },
	{ "{\"ociVersion\": 1}", "ociVersion: expected a string" },
	{ "{\"process\": null}", "process: missing" },
	{ "{\"process\": []}", "process: expected an object" },
	{ "{\"process\": {\"args\": []}}", "process.args" },
	{ "{\"process\": {\"args\": \"sh\"}}", "process.args: expected an array" },
	{ "{\"process\": {\"args\": [\"sh\", 1]}}", "process.args[1]" },
	{ "{\"process\": {\"env\": [null]}}", "process.env[0]" },
	{ "{\"process\": {\"cwd\": \"rel\"}}", "process.cwd" },
	{ "{\"process\": {\"cwd\": null}}", "process.cwd: missing" },
	{ "{\"process\": {\"user\": {\"uid\": -1}}}", "process.user.uid" },
	{ "{\"process\": {\"user\": {\"uid\": \"0\"}}}", "process.user.uid: expected an integer" },
	{ "{\"process\": {\"user\": {\"gid\": 4294967296}}}", "process.user.gid" },
	{ "{\"process\": {\"user\": {\"umask\": 1000}}}", "process.user.umask" },
	{ "{\"process\": {\"user\": {\"additionalGids\": [1, \"x\"]}}}", "additionalGids[1]" },
	{ "{\"process\": {\"user\": {\"username\": \"bob\"}}}", "process.user.username" },
	{ "{\"process\": {\"capabilities\": {\"bounding\": [\"CAP_NOPE\"]}}}",
	  "process.capabilities.bounding[0]: unknown capability" },
	{ "{\"process\": {\"capabilities\": {\"effective\": [\"chown\"]}}}",
	  "process.capabilities.effective[0]" },
	{ "{\"process\": {\"capabilities\": {\"permitted\": [\"12\"]}}}",
	  "process.capabilities.permitted[0]" },
	{ "{\"process\": {\"capabilities\": {\"ambient\": [5]}}}",
	  "process.capabilities.ambient[0]" },
	{ "{\"process\": {\"capabilities\": []}}", "process.capabilities: expected an object" },
	{ "{\"process\": {\"rlimits\": [{\"type\": \"RLIMIT_FOO\", \"soft\": 1, \"hard\": 1}]}}",
	  "process.rlimits[0].type" },
	{ "{\"process\": {\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 2, \"hard\": 1}]}}",
	  "soft > hard" },
	{ "{\"process\": {\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1}]}}",
	  "process.rlimits[0].hard: missing" },
	{ "{\"process\": {\"rlimits\": [{\"type\": \"RLIMIT_CPU\", \"soft\": 1, \"hard\": 1},"
	  " {\"type\": \"RLIMIT_CPU\", \"soft\": 1, \"hard\": 1}]}}",
	  "given twice" },
	{ "{\"process\": {\"oomScoreAdj\": 2000}}", "process.oomScoreAdj" },
	{ "{\"process\": {\"terminal\": \"yes\"}}", "process.terminal" },
	{ "{\"process\": {\"noNewPrivileges\": 1}}", "process.noNewPrivileges" },
	{ "{\"process\": {\"apparmorProfile\": \"x\"}}", "AppArmor" },
	{ "{\"process\": {\"selinuxLabel\": \"x\"}}", "SELinux" },
	{ "{\"process\": {\"ioPriority\": {\"class\": \"IOPRIO_CLASS_RT\"}}}",
	  "process.ioPriority" },
	{ "{\"root\": {\"path\": \"\"}}", "root.path" },
	{ "{\"root\": null}", "root: missing" },
	{ "{\"root\": {\"path\": \"r\", \"readonly\": \"no\"}}", "root.readonly" },
	{ "{\"hostname\": 5}", "hostname" },
	{ "{\"hostname\": "
	  "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
	  "hostname: longer" },
	{ "{\"linux\": {\"namespaces\": [{\"type\": \"mount\"}]}}", "needs a uts namespace" },
	{ "{\"domainname\": \"d\", \"linux\": {\"namespaces\": [{\"type\": \"mount\"}]}, "
	  "\"hostname\": "
	  "\"\"}",
	  "domainname: needs a uts namespace" },
	{ "{\"mounts\": [{\"destination\": \"rel\", \"type\": \"tmpfs\"}]}",
	  "mounts[0].destination" },
	{ "{\"mounts\": [{\"destination\": \"/x\"}]}", "mounts[0].type: missing" },
	{ "{\"mounts\": [{\"destination\": \"/x\", \"type\": \"bind\"}]}", "mounts[0].source" },
	{ "{\"mounts\": [{\"destination\": \"/x\", \"type\": \"tmpfs\", \"options\": "
	  "[\"tmpcopyup\"]}]}",
	  "not supported" },
	{ "{\"mounts\": [{\"destination\": \"/x\", \"type\": \"tmpfs\", \"options\": [3]}]}",
	  "mounts[0].options[0]" },
	{ "{\"mounts\": [{\"destination\": \"/x\", \"type\": \"tmpfs\", \"options\": [\"a,b\"]}]}",
	  "mounts[0].options[0]: bad option" },
	{ "{\"mounts\": [{\"destination\": \"/x\", \"type\": \"tmpfs\", \"uidMappings\": [{}]}]}",
	  "mounts[0].uidMappings" },
	{ "{\"mounts\": {}}", "mounts: expected an array" },
	{ "{\"hooks\": {\"prestart\": [{\"path\": \"rel\"}]}}", "hooks.prestart[0].path" },
	{ "{\"hooks\": {\"poststop\": [{\"path\": \"/x\", \"timeout\": 0}]}}",
	  "hooks.poststop[0].timeout" },
	{ "{\"hooks\": {\"createRuntime\": [{\"path\": \"/x\", \"args\": [1]}]}}",
	  "hooks.createRuntime[0].args[0]" },
	{ "{\"hooks\": {\"startContainer\": [5]}}", "hooks.startContainer[0]" },
	{ "{\"annotations\": {\"a\": 1}}", "annotations.a" },
	{ "{\"linux\": null}", "linux: missing" },
	{ "{\"linux\": {\"namespaces\": [{\"type\": \"foo\"}]}}", "linux.namespaces[0].type" },
	{ "{\"linux\": {\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"mount\"}]}}",
	  "given twice" },
	{ "{\"linux\": {\"namespaces\": [{\"type\": \"pid\"}]}, \"hostname\": null}",
	  "mount namespace is required" },
	{ "{\"linux\": {\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"uts\"},"
	  " {\"type\": \"net\", \"path\": \"x\"}]}}",
	  "linux.namespaces[2].type" },
	{ "{\"linux\": {\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"uts\"},"
	  " {\"type\": \"network\", \"path\": \"x\"}]}}",
	  "not absolute" },
	{ "{\"linux\": {\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1, \"size\": 1}]}}",
	  "needs a user namespace" },
	{ "{\"linux\": {\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"uts\"}, {\"type\": "
	  "\"user\"}]}}",
	  "needs both" },
	{ "{\"linux\": {\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1, \"size\": 0}]}}",
	  "linux.uidMappings[0].size" },
	{ "{\"linux\": {\"gidMappings\": [{\"containerID\": 4294967294, \"hostID\": 1, \"size\": "
	  "5}]}}",
	  "range overflows" },
	{ "{\"linux\": {\"devices\": [{\"path\": \"/etc/x\", \"type\": \"c\", \"major\": 1, "
	  "\"minor\": "
	  "1}]}}",
	  "not under /dev" },
	{ "{\"linux\": {\"devices\": [{\"path\": \"/dev/x\", \"type\": \"x\", \"major\": 1, "
	  "\"minor\": "
	  "1}]}}",
	  "linux.devices[0].type" },
	{ "{\"linux\": {\"devices\": [{\"path\": \"/dev/x\", \"type\": \"c\", \"minor\": 1}]}}",
	  "linux.devices[0].major: missing" },
	{ "{\"linux\": {\"devices\": [{\"path\": \"/dev/x\", \"type\": \"c\", \"major\": 1, "
	  "\"minor\": "
	  "1,"
	  " \"fileMode\": 70000}]}}",
	  "linux.devices[0].fileMode" },
	{ "{\"linux\": {\"resources\": {\"memory\": {\"limit\": \"1g\"}}}}",
	  "linux.resources.memory.limit" },
	{ "{\"linux\": {\"resources\": {\"memory\": {\"limit\": 100, \"swap\": 50}}}}",
	  "linux.resources.memory.swap" },
	{ "{\"linux\": {\"resources\": {\"memory\": {\"kernelTCP\": 5}}}}", "kernelTCP" },
	{ "{\"linux\": {\"resources\": {\"memory\": {\"swappiness\": 101}}}}",
	  "linux.resources.memory.swappiness: 101 is out of range" },
	{ "{\"linux\": {\"resources\": {\"memory\": {\"kernel\": -2}}}}",
	  "linux.resources.memory.kernel: -2 is out of range" },
	{ "{\"linux\": {\"resources\": {\"memory\": {\"disableOOMKiller\": 1}}}}",
	  "linux.resources.memory.disableOOMKiller: expected true or false" },
	{ "{\"linux\": {\"resources\": {\"cpu\": {\"shares\": 1}}}}",
	  "linux.resources.cpu.shares" },
	{ "{\"linux\": {\"resources\": {\"cpu\": {\"quota\": 10}}}}", "linux.resources.cpu.quota" },
	{ "{\"linux\": {\"resources\": {\"cpu\": {\"period\": 10}}}}",
	  "linux.resources.cpu.period" },
	{ "{\"linux\": {\"resources\": {\"cpu\": {\"cpus\": \"a\"}}}}", "cpus/mems" },
	{ "{\"linux\": {\"resources\": {\"cpu\": {\"realtimeRuntime\": 5}}}}", "realtimeRuntime" },
	{ "{\"linux\": {\"resources\": {\"pids\": {}}}}", "linux.resources.pids.limit: missing" },
	{ "{\"linux\": {\"resources\": {\"blockIO\": {\"weight\": 5}}}}",
	  "linux.resources.blockIO.weight" },
	{ "{\"linux\": {\"resources\": {\"blockIO\": {\"throttleReadBpsDevice\": [{\"major\": 8, "
	  "\"minor\": 0}]}}}}",
	  "throttleReadBpsDevice[0].rate" },
	{ "{\"linux\": {\"resources\": {\"blockIO\": {\"weightDevice\": [{}]}}}}", "weightDevice" },
	{ "{\"linux\": {\"resources\": {\"devices\": [{\"allow\": true, \"access\": \"rwx\"}]}}}",
	  "linux.resources.devices[0].access" },
	{ "{\"linux\": {\"resources\": {\"devices\": [{\"allow\": true, \"access\": \"rr\"}]}}}",
	  "repeats a letter" },
	{ "{\"linux\": {\"resources\": {\"devices\": [{\"access\": \"r\"}]}}}",
	  "linux.resources.devices[0].allow" },
	{ "{\"linux\": {\"resources\": {\"devices\": [{\"allow\": true, \"type\": \"p\"}]}}}",
	  "linux.resources.devices[0].type" },
	{ "{\"linux\": {\"resources\": {\"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": "
	  "1}]}}}",
	  "hugepageLimits" },
	{ UNIFIED("memory.max", "1"), "linux.resources.unified.memory.max: expected a string" },
	{ UNIFIED("memory.max", "\"\""), "one line" },
	{ UNIFIED("memory.max", "\"1\\n2\""), "one line" },
	{ UNIFIED("", "\"1\""), "not of the form controller.file" },
	{ UNIFIED("memory", "\"1\""), "not of the form controller.file" },
	{ UNIFIED(".max", "\"1\""), "not of the form controller.file" },
	{ UNIFIED("memory.", "\"1\""), "not of the form controller.file" },
	{ UNIFIED("memory..max", "\"1\""), "not of the form controller.file" },
	{ UNIFIED("..", "\"1\""), "not of the form controller.file" },
	{ UNIFIED("../memory.max", "\"1\""), "only a-z" },
	{ UNIFIED("sub/memory.max", "\"1\""), "only a-z" },
	{ UNIFIED("Memory.max", "\"1\""), "only a-z" },
	{ UNIFIED("memory.max ", "\"1\""), "only a-z" },
	{ UNIFIED("memory-max.x", "\"1\""), "only a-z" },
	{ UNIFIED("memory.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "\"1\""),
	  "too long" },
	{ UNIFIED("cgroup.procs", "\"1\""), "a cgroup core file the runtime manages" },
	{ UNIFIED("cgroup.threads", "\"1\""), "a cgroup core file the runtime manages" },
	{ UNIFIED("cgroup.subtree_control", "\"+memory\""), "a cgroup core file" },
	{ UNIFIED("cgroup.type", "\"threaded\""), "a cgroup core file" },
	{ UNIFIED("cgroup.freeze", "\"1\""), "a cgroup core file" },
	{ UNIFIED("cgroup.kill", "\"1\""), "a cgroup core file" },
	{ "{\"linux\": {\"resources\": {\"unified\": [\"memory.max\"]}}}",
	  "linux.resources.unified: expected an object" },
	{ "{\"linux\": {\"cgroupsPath\": \"/a/../b\"}}", "linux.cgroupsPath" },
	{ "{\"linux\": {\"cgroupsPath\": 5}}", "linux.cgroupsPath" },
	{ "{\"linux\": {\"rootfsPropagation\": \"bogus\"}}", "linux.rootfsPropagation" },
	{ "{\"linux\": {\"rootfsPropagation\": \"ro\"}}", "linux.rootfsPropagation" },
	{ "{\"linux\": {\"sysctl\": {\"x\": 1}}}", "linux.sysctl.x" },
	{ "{\"linux\": {\"sysctl\": {\"a/b\": \"1\"}}}", "bad key" },
	{ "{\"linux\": {\"sysctl\": {\"..\": \"1\"}}}", "bad key" },
	{ "{\"linux\": {\"maskedPaths\": [1]}}", "linux.maskedPaths[0]" },
	{ "{\"linux\": {\"readonlyPaths\": \"x\"}}", "linux.readonlyPaths" },
	{ "{\"linux\": {\"seccomp\": {}}}", "linux.seccomp.defaultAction: missing" },
	{ "{\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_NOPE\"}}}", "unknown action" },
	{ "{\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_NOTIFY\"}}}",
	  "SCMP_ACT_NOTIFY" },
	{ "{\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": "
	  "-1}}}",
	  "defaultErrnoRet" },
	{ "{\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": "
	  "\"/x\"}}}",
	  "listenerPath" },
	{ "{\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": "
	  "[\"x86\"]}}}",
	  "linux.seccomp.architectures[0]" },
	{ "{\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"X\"]}}}",
	  "linux.seccomp.flags[0]" },
	{ "{\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
	  "[{\"names\": "
	  "[]}]}}}",
	  "linux.seccomp.syscalls[0].names" },
	{ "{\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
	  "[{\"names\": "
	  "[\"read\"]}]}}}",
	  "linux.seccomp.syscalls[0].action: missing" },
	{ "{\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
	  "[{\"names\": "
	  "[\"read\"],"
	  " \"action\": \"SCMP_ACT_LOG\", \"args\": [{\"index\": 6, \"value\": 1, \"op\": "
	  "\"SCMP_CMP_EQ\"}]}]}}}",
	  "args[0].index" },
	{ "{\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
	  "[{\"names\": "
	  "[\"read\"],"
	  " \"action\": \"SCMP_ACT_LOG\", \"args\": [{\"index\": 0, \"value\": 1, \"op\": "
	  "\"EQ\"}]}]}}}",
	  "args[0].op" },
	{ "{\"linux\": {\"timeOffsets\": {\"monotonic\": {\"secs\": 1}}}}",
	  "needs a time namespace" },
	{ "{\"linux\": {\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"uts\"}, {\"type\": "
	  "\"time\"}],"
	  " \"timeOffsets\": {\"boottime\": {\"nanosecs\": 1000000000}}}}",
	  "linux.timeOffsets.boottime.nanosecs" },
	{ "{\"linux\": {\"mountLabel\": \"system_u:object_r:x\"}}", "linux.mountLabel" },
	{ "{\"linux\": {\"intelRdt\": {\"closID\": \"x\"}}}", "linux.intelRdt" },
	{ "{\"linux\": {\"personality\": {\"domain\": \"LINUX32\"}}}", "linux.personality" },
	{ "{\"vm\": {\"hypervisor\": {}}}", "vm" },
};

static void rejects_each_bad_field(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		struct ct_config *c = NULL;
		struct berth_error err = { 0 };

		if (parse_patched(bads[i].patch, &c, &err) == 0) {
			config_free(c);
			fail_msg("accepted: %s", bads[i].patch);
		}
		if (!strstr(err.msg, bads[i].message))
			fail_msg("patch %s: message \"%s\" lacks \"%s\"", bads[i].patch, err.msg,
				 bads[i].message);
	}
}

/* The bounds that need long documents: entry count and value length; the allowed core files. */
static void bounds_unified(void **state)
{
	char doc[8192], *p = doc, *end = doc + sizeof(doc);
	struct ct_config *c = NULL;
	struct berth_error err = { 0 };
	int i;

	(void)state;
	p += snprintf(p, (size_t)(end - p), "{\"linux\": {\"resources\": {\"unified\": {");
	for (i = 0; i <= CT_UNIFIED_MAX; i++)
		p += snprintf(p, (size_t)(end - p), "%s\"memory.f%d\": \"1\"", i ? ", " : "", i);
	snprintf(p, (size_t)(end - p), "}}}}");
	assert_int_equal(parse_patched(doc, &c, &err), -1);
	assert_non_null(strstr(err.msg, "more than 64 entries"));

	p = doc + snprintf(doc, sizeof(doc),
			   "{\"linux\": {\"resources\": {\"unified\": "
			   "{\"memory.high\": \"");
	memset(p, '7', CT_UNIFIED_VALUE_MAX + 1);
	snprintf(p + CT_UNIFIED_VALUE_MAX + 1, 16, "\"}}}}");
	assert_int_equal(parse_patched(doc, &c, &err), -1);
	assert_non_null(strstr(err.msg, "linux.resources.unified.memory.high: the value"));
	p[CT_UNIFIED_VALUE_MAX] = '"';
	snprintf(p + CT_UNIFIED_VALUE_MAX + 1, 16, "}}}}");
	assert_int_equal(parse_patched(doc, &c, &err), 0);
	assert_int_equal(strlen(c->resources.unified[0].value), CT_UNIFIED_VALUE_MAX);
	config_free(c);

	assert_int_equal(parse_patched(UNIFIED("cgroup.max.descendants", "\"10\""), &c, &err), 0);
	assert_string_equal(c->resources.unified[0].file, "cgroup.max.descendants");
	config_free(c);
	assert_int_equal(parse_patched(UNIFIED("io.max", "\"8:0 rbps=1048576\""), &c, &err), 0);
	assert_string_equal(c->resources.unified[0].value, "8:0 rbps=1048576");
	config_free(c);
}

static void rejects_bad_documents(void **state)
{
	static const char *const docs[] = { "", "{", "[]", "5", "{\"a\":1,\"a\":2}", "nul\0l" };
	static const char *const msgs[] = { "line", "line", "expected an object",
					    "line", "line", "line" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct ct_config *c = NULL;
		struct berth_error err = { 0 };

		assert_int_equal(
		    config_parse(docs[i], i == 5 ? 5 : strlen(docs[i]), NULL, &c, &err), -1);
		if (!strstr(err.msg, msgs[i]))
			fail_msg("doc %zu: \"%s\" lacks \"%s\"", i, err.msg, msgs[i]);
	}
}

static void parses_process_alone(void **state)
{
	static const char doc[] =
	    "{\"args\": [\"ls\", \"-l\"], \"cwd\": \"/tmp\", \"user\": {\"uid\": 3}}";
	struct ct_process p;
	struct berth_error err;

	(void)state;
	assert_int_equal(config_parse_process(doc, strlen(doc), &p, &err), 0);
	assert_string_equal(p.args[1], "-l");
	assert_string_equal(p.cwd, "/tmp");
	assert_int_equal(p.user.uid, 3);
	config_free_process(&p);
	assert_int_equal(config_parse_process("{\"args\": []}", 12, &p, &err), -1);
	assert_non_null(strstr(err.msg, "process.args"));
}

/* exec --process refuses what config.json refuses: the LSM labels berth-ct cannot apply */
static void process_alone_refuses_lsm_labels(void **state)
{
	static const char *const docs[] = {
		"{\"args\": [\"ls\"], \"cwd\": \"/\", \"apparmorProfile\": \"unconfined\"}",
		"{\"args\": [\"ls\"], \"cwd\": \"/\", \"selinuxLabel\": \"system_u:r:t:s0\"}"
	};
	static const char *const msgs[] = {
		"process.apparmorProfile: AppArmor is not supported by berth-ct",
		"process.selinuxLabel: SELinux is not supported by berth-ct"
	};
	static const char empty[] = "{\"args\": [\"ls\"], \"cwd\": \"/\", \"apparmorProfile\": "
				    "\"\", \"selinuxLabel\": \"\"}";
	struct ct_process p;
	struct berth_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		assert_int_equal(config_parse_process(docs[i], strlen(docs[i]), &p, &err), -1);
		if (!strstr(err.msg, msgs[i]))
			fail_msg("doc %zu: \"%s\" lacks \"%s\"", i, err.msg, msgs[i]);
	}
	assert_int_equal(config_parse_process(empty, strlen(empty), &p, &err), 0);
	config_free_process(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_base),
		cmocka_unit_test(parses_full),
		cmocka_unit_test(rejects_each_bad_field),
		cmocka_unit_test(bounds_unified),
		cmocka_unit_test(rejects_bad_documents),
		cmocka_unit_test(parses_process_alone),
		cmocka_unit_test(process_alone_refuses_lsm_labels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
