/* devfilter.c - the device-access program of cgroup v2, in the runc/crun mould.
 *
 * The program loads the request (type, access, major, minor) into r2..r5, then tests
 * the rules from the last to the first: the first hit returns its verdict (1 allow,
 * 0 deny); no hit denies. Each rule is a block whose failed tests jump to the next. */
#include "ct/devfilter.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"

#define INSN(c, d, s, o, i)                                                                        \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

/* The instructions of one rule; off is the jump past the rule's block. */
static size_t rule_block(const struct ct_devrule *r, struct bpf_insn *p)
{
	size_t n = 0, k, skip;
	uint32_t access = 0;

	for (k = 0; r->access[k]; k++)
		access |= r->access[k] == 'r'	? BPF_DEVCG_ACC_READ
			  : r->access[k] == 'w' ? BPF_DEVCG_ACC_WRITE
						: BPF_DEVCG_ACC_MKNOD;
	if (r->type != 'a')
		p[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 2, 0, 0,
			      r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
	if (access != (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD)) {
		/* an allow covers a request inside it: (r3 & ~access) == 0; a deny hits a
		 * request that touches it: (r3 & access) != 0 */
		p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 1, 3, 0, 0);
		p[n++] = INSN(BPF_ALU64 | BPF_AND | BPF_K, 1, 0, 0,
			      (int32_t)(r->allow ? ~access : access));
		p[n++] = INSN(BPF_JMP | (r->allow ? BPF_JNE : BPF_JEQ) | BPF_K, 1, 0, 0, 0);
	}
	if (r->major >= 0)
		p[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 4, 0, 0, (int32_t)r->major);
	if (r->minor >= 0)
		p[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 5, 0, 0, (int32_t)r->minor);
	p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, r->allow ? 1 : 0);
	p[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	/* point each conditional jump at the end of the block */
	for (k = 0; k + 2 < n; k++) {
		skip = n - k - 1;
		if (BPF_CLASS(p[k].code) == BPF_JMP && BPF_OP(p[k].code) != BPF_EXIT)
			p[k].off = (int16_t)skip;
	}
	return n;
}

int devfilter_build(const struct ct_devrule *rules, size_t n, struct bpf_insn **out,
		    struct berth_error *err)
{
	/* 6 loads, at most 8 per rule, 2 for the final deny */
	struct bpf_insn *p = calloc(6 + 8 * n + 2, sizeof(*p));
	size_t len = 0, i;

	if (!p)
		return berr(err, ENOMEM, "device filter");
	p[len++] = INSN(BPF_LDX | BPF_W | BPF_MEM, 2, 1, 0, 0); /* access_type */
	p[len++] = INSN(BPF_ALU64 | BPF_AND | BPF_K, 2, 0, 0, 0xffff);
	p[len++] = INSN(BPF_LDX | BPF_W | BPF_MEM, 3, 1, 0, 0);
	p[len++] = INSN(BPF_ALU64 | BPF_RSH | BPF_K, 3, 0, 0, 16);
	p[len++] = INSN(BPF_LDX | BPF_W | BPF_MEM, 4, 1, 4, 0); /* major */
	p[len++] = INSN(BPF_LDX | BPF_W | BPF_MEM, 5, 1, 8, 0); /* minor */
	for (i = n; i-- > 0;)
		len += rule_block(&rules[i], p + len);
	p[len++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
	p[len++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	*out = p;
	return (int)len;
}

int devfilter_attach(const char *dir, const struct bpf_insn *prog, size_t n,
		     struct berth_error *err)
{
	_cleanup_close_ int cg = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int fd = -1;
	union bpf_attr load, attach;
	char log[4096] = "";

	if (cg < 0)
		return berr(err, errno, "open `%s`", dir);
	memset(&load, 0, sizeof(load));
	load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	load.insns = (uintptr_t)prog;
	load.insn_cnt = (uint32_t)n;
	load.license = (uintptr_t) "GPL";
	load.log_buf = (uintptr_t)log;
	load.log_size = sizeof(log);
	load.log_level = 1;
	fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &load, sizeof(load));
	if (fd < 0)
		return berr(err, errno, "load the device filter (%.200s)", log);
	memset(&attach, 0, sizeof(attach));
	attach.target_fd = (uint32_t)cg;
	attach.attach_bpf_fd = (uint32_t)fd;
	attach.attach_type = BPF_CGROUP_DEVICE;
	attach.attach_flags = BPF_F_ALLOW_MULTI;
	if (syscall(SYS_bpf, BPF_PROG_ATTACH, &attach, sizeof(attach)) < 0)
		return berr(err, errno, "attach the device filter to `%s`", dir);
	return 0;
}
