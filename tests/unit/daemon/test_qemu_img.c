/* test_qemu_img.c - the judge of a customer's qcow2 (qemu_img_json.c) on qemu-img's own words,
 * and qemu-img run on real images (qemu_img.c, image_disk_judge and image_disk_convert): a whole
 * qcow2 becomes the raw disk it held, with progress; a backed, cut or oversized one is refused and
 * leaves nothing. */
#include "testlib.h"
#include "daemon/scratch.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "daemon/images/images.h"
#include "daemon/images/qemu_img.h"
#include "daemon/images/qemu_img_json.h"

static int info(const char *json, uint64_t *vsize, struct berth_error *err)
{
	return qemu_img_info_judge(json, strlen(json), "d.qcow2", vsize, err);
}

static void test_info_judge(void **state)
{
	struct berth_error err = { 0 };
	uint64_t vs = 0;

	(void)state;
	assert_int_equal(
	    info("{\"format\":\"qcow2\",\"virtual-size\":65536,"
		 "\"format-specific\":{\"type\":\"qcow2\",\"data\":{\"corrupt\":false}}}",
		 &vs, &err),
	    0);
	assert_int_equal(vs, 65536);
	assert_int_equal(
	    info("{\"format\":\"qcow2\",\"virtual-size\":1,\"backing-filename\":\"/etc/"
		 "shadow\"}",
		 &vs, &err),
	    -1);
	assert_contains(err.msg, "d.qcow2 has a backing file");
	assert_int_equal(info("{\"format\":\"qcow2\",\"virtual-size\":1,\"full-backing-filename\":"
			      "\"x\"}",
			      &vs, &err),
			 -1);
	assert_int_equal(info("{\"format\":\"qcow2\",\"virtual-size\":1,\"format-specific\":{"
			      "\"data\":{\"data-file\":\"/dev/sda\"}}}",
			      &vs, &err),
			 -1);
	assert_contains(err.msg, "external data file");
	assert_int_equal(
	    info("{\"format\":\"qcow2\",\"virtual-size\":1,\"encrypted\":true}", &vs, &err), -1);
	assert_contains(err.msg, "encrypted");
	assert_int_equal(info("{\"format\":\"raw\",\"virtual-size\":1}", &vs, &err), -1);
	assert_int_equal(info("{\"format\":\"qcow2\",\"virtual-size\":-1}", &vs, &err), -1);
	assert_int_equal(info("{\"format\":\"qcow2\",\"virtual-size\":\"1\"}", &vs, &err), -1);
	assert_int_equal(
	    info("{\"format\":\"qcow2\",\"format\":\"qcow2\",\"virtual-size\":1}", &vs, &err), -1);
	assert_int_equal(info("[1]", &vs, &err), -1);
	assert_int_equal(qemu_img_check_judge("{\"corruptions\":3}", 17, "d", &err), -1);
	assert_contains(err.msg, "truncated or corrupt");
	assert_int_equal(qemu_img_check_judge("{\"leaks\":3}", 11, "d", &err), 0);
	assert_int_equal(qemu_img_check_judge("{\"check-errors\":-1}", 19, "d", &err), -1);
}

static int last_pct = -1;

static void progress(void *ctx, int pct)
{
	(void)ctx;
	assert_true(pct >= last_pct && pct <= 100);
	last_pct = pct;
}

/* What an import does with the disk in dir: judge it, convert it when it is a qcow2. */
static int make_raw(const char *d, uint64_t max, progress_fn fn, struct berth_error *err)
{
	uint64_t vsize;
	bool q;

	if (image_disk_judge(d, "d", max, "the limit", &q, &vsize, err))
		return -1;
	return q ? image_disk_convert(d, "d", vsize, fn, NULL, NULL, NULL, err) : 0;
}

static void sh(const char *cmd)
{
	char full[1024];

	snprintf(full, sizeof(full), "cd %s && %s", dir, cmd);
	if (system(full) != 0)
		fail_msg("command failed: %s", cmd);
}

static void test_convert(void **state)
{
	struct berth_error err = { 0 };
	char cmd[512];
	bool q;

	(void)state;
	if (system("command -v qemu-img >/dev/null") != 0)
		skip(); /* apt-get install qemu-utils */
	sh("mkdir img && head -c 3M /dev/urandom > data && truncate -s 16M data && "
	   "qemu-img convert -f raw -O qcow2 data img/disk.img");
	assert_int_equal(qcow2_file(at("img/disk.img"), &q, &err), 0);
	assert_true(q);
	assert_int_equal(make_raw(at("img"), 1 << 30, progress, &err), 0);
	assert_int_equal(last_pct, 100);
	sh("cmp data img/disk.img && test ! -e img/disk.raw && test $(stat -c %a img/disk.img) = "
	   "600");
	/* Raw already: left as it is. */
	assert_int_equal(make_raw(at("img"), 1 << 30, NULL, &err), 0);
	sh("cmp data img/disk.img");

	/* Too large for the limit; a backing file; cut short: refused, nothing new left. */
	sh("qemu-img convert -f raw -O qcow2 data img/disk.img");
	assert_int_equal(make_raw(at("img"), 1 << 20, NULL, &err), -1);
	assert_int_equal(err.errnum, EFBIG);
	assert_contains(err.msg, "more than the limit (1 MiB)");
	snprintf(cmd, sizeof(cmd), "qemu-img create -q -f qcow2 -F raw -b %s/data img/disk.img",
		 dir);
	sh(cmd);
	assert_int_equal(make_raw(at("img"), 1 << 30, NULL, &err), -1);
	assert_contains(err.msg, "backing file");
	sh("qemu-img convert -f raw -O qcow2 data full.qcow2 && head -c 1M full.qcow2 > "
	   "img/disk.img");
	assert_int_equal(make_raw(at("img"), 1 << 30, NULL, &err), -1);
	assert_contains(err.msg, "truncated or corrupt");
	sh("test ! -e img/disk.raw");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info_judge),
		cmocka_unit_test_setup_teardown(test_convert, scratch_setup, scratch_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
