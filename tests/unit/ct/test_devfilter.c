/* Unit tests for the device rules of src/ct/cgroup.c and the eBPF program that
 * src/ct/devfilter.c compiles from them. A small interpreter runs the program on
 * requests, so the tests check verdicts, not instruction layouts. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "ct/cgroup.h"
#include "ct/devfilter.h"

/* Run the subset of eBPF devfilter_build emits on one request. */
static int run(const struct bpf_insn *p, int n, uint32_t type, uint32_t access, uint32_t major,
	       uint32_t minor)
{
	uint32_t ctx[3] = { (access << 16) | type, major, minor };
	uint64_t r[11] = { 0 };
	int pc = 0, steps = 0;

	while (pc >= 0 && pc < n && steps++ < 10000) {
		const struct bpf_insn *i = &p[pc++];
		uint64_t imm = (uint64_t)(int64_t)i->imm;

		switch (i->code) {
		case BPF_LDX | BPF_W | BPF_MEM:
			r[i->dst_reg] = ctx[i->off / 4];
			break;
		case BPF_ALU64 | BPF_AND | BPF_K:
			r[i->dst_reg] &= imm;
			break;
		case BPF_ALU64 | BPF_RSH | BPF_K:
			r[i->dst_reg] >>= i->imm;
			break;
		case BPF_ALU64 | BPF_MOV | BPF_X:
			r[i->dst_reg] = r[i->src_reg];
			break;
		case BPF_ALU64 | BPF_MOV | BPF_K:
			r[i->dst_reg] = imm;
			break;
		case BPF_JMP | BPF_JNE | BPF_K:
			if (r[i->dst_reg] != imm)
				pc += i->off;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			if (r[i->dst_reg] == imm)
				pc += i->off;
			break;
		case BPF_JMP | BPF_EXIT:
			return (int)r[0];
		default:
			fail_msg("unexpected opcode 0x%x", i->code);
		}
	}
	fail_msg("program ran off its end");
	return -1;
}

static struct bpf_insn *compile(const struct ct_config *c, int *n)
{
	struct ct_devrule *rules = NULL;
	struct bpf_insn *p = NULL;
	struct berth_error err;
	int k = cgroup_device_rules(c, &rules, &err);

	assert_true(k >= 0);
	*n = devfilter_build(rules, (size_t)k, &p, &err);
	assert_true(*n > 0);
	free(rules);
	return p;
}

#define R   BPF_DEVCG_ACC_READ
#define W   BPF_DEVCG_ACC_WRITE
#define M   BPF_DEVCG_ACC_MKNOD
#define CHR BPF_DEVCG_DEV_CHAR
#define BLK BPF_DEVCG_DEV_BLOCK

static void defaults_only(void **state)
{
	struct ct_config c = { 0 };
	struct bpf_insn *p;
	int n;

	(void)state;
	p = compile(&c, &n);
	assert_int_equal(run(p, n, CHR, R | W, 1, 3), 1);   /* /dev/null */
	assert_int_equal(run(p, n, CHR, M, 136, 7), 1);	    /* a pty */
	assert_int_equal(run(p, n, CHR, R, 1, 1), 0);	    /* /dev/mem */
	assert_int_equal(run(p, n, BLK, R, 1, 3), 0);	    /* block 1:3 is not char 1:3 */
	assert_int_equal(run(p, n, BLK, R | W, 254, 0), 0); /* a disk */
	free(p);
}

static void rules_in_order(void **state)
{
	struct ct_devrule user[] = {
		{ false, 'a', -1, -1, "rwm" }, /* leading blanket deny: restates the start */
		{ true, 'b', 254, -1, "r" },   /* read any partition of disk 254 */
		{ false, 'c', 1, 7, "r" },     /* no reading /dev/full */
	};
	struct ct_device dev = { .path = "/dev/x", .type = 'c', .major = 10, .minor = 200 };
	struct ct_config c = { .devices = &dev, .n_devices = 1 };
	struct bpf_insn *p;
	int n;

	(void)state;
	c.resources.devices = user;
	c.resources.n_devices = 3;
	p = compile(&c, &n);
	assert_int_equal(run(p, n, CHR, R, 1, 3), 1); /* defaults survive */
	assert_int_equal(run(p, n, CHR, R, 1, 7), 0); /* last match wins */
	assert_int_equal(run(p, n, CHR, W, 1, 7), 1);
	assert_int_equal(run(p, n, CHR, R | W, 1, 7), 0); /* a deny hits any overlap */
	assert_int_equal(run(p, n, BLK, R, 254, 3), 1);
	assert_int_equal(run(p, n, BLK, R | W, 254, 3), 0);	 /* write not granted */
	assert_int_equal(run(p, n, CHR, R | W | M, 10, 200), 1); /* linux.devices entry */
	free(p);
}

static void trailing_deny_all(void **state)
{
	struct ct_devrule user[] = { { true, 'c', 5, 5, "rw" }, { false, 'a', -1, -1, "rwm" } };
	struct ct_config c = { 0 };
	struct bpf_insn *p;
	int n;

	(void)state;
	c.resources.devices = user;
	c.resources.n_devices = 2;
	p = compile(&c, &n);
	assert_int_equal(run(p, n, CHR, R, 1, 3), 0);
	assert_int_equal(run(p, n, CHR, R, 5, 5), 0);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_only),
		cmocka_unit_test(rules_in_order),
		cmocka_unit_test(trailing_deny_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
