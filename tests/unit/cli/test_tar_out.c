/* test_tar_out.c - the archive berth makes of a VM's files (src/cli/tar_out.c), read back by
 * GNU tar: plain files byte for byte, a disk with holes (inside and at its end) extracted
 * with the same bytes and sparse again, an all-hole file, and a file that shrinks while it
 * is read failing with its name. */
#include "testlib.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/tar_out.h"

/* testlib_dir/name made size bytes long with data at the given MiB offsets (-1 ends). */
static void make_file(const char *name, off_t size, const int *mib_at)
{
	char path[128], buf[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", testlib_dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, size), 0);
	for (; *mib_at >= 0; mib_at++) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (char)(i * 7 + *mib_at);
		for (int k = 0; k < 256; k++)
			assert_int_equal(pwrite(fd, buf, sizeof(buf),
						((off_t)*mib_at << 20) + k * (off_t)sizeof(buf)),
					 sizeof(buf));
	}
	close(fd);
}

/* Archive the named files (as themselves) into testlib_dir/out.tar; returns -1 on failure. */
static int archive(const char *const names[], unsigned n, struct berth_error *err)
{
	char path[128], buf[100000];
	struct tar_out t;
	uint64_t data;
	ssize_t got;
	FILE *out;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/out.tar", testlib_dir);
	out = fopen(path, "w");
	assert_non_null(out);
	tar_out_init(&t);
	for (unsigned i = 0; i < n && rc == 0; i++) {
		snprintf(path, sizeof(path), "%s/%s", testlib_dir, names[i]);
		rc = tar_out_add(&t, names[i], path, open(path, O_RDONLY), &data, err);
	}
	while (rc == 0 && (got = tar_out_read(&t, buf, sizeof(buf), err)) != 0) {
		if (got < 0)
			rc = -1;
		else
			assert_int_equal(fwrite(buf, 1, (size_t)got, out), (size_t)got);
	}
	tar_out_free(&t);
	fclose(out);
	return rc;
}

static void files_come_back_the_same(void **state)
{
	static const char *const names[] = { "kernel", "disk.img", "holes" };
	struct berth_error err = { 0 };
	struct stat st;
	char path[128];

	(void)state;
	make_file("kernel", 3 << 20, (int[]){ 0, 1, 2, -1 });
	make_file("disk.img", 64 << 20, (int[]){ 3, 40, -1 }); /* holes inside and at the end */
	make_file("holes", 16 << 20, (int[]){ -1 });
	assert_int_equal(archive(names, 3, &err), 0);
	for (unsigned i = 0; i < 3; i++) {
		char cmd[512];

		snprintf(cmd, sizeof(cmd),
			 "mkdir -p %s/x && tar -C %s/x -xf %s/out.tar && cmp %s/x/%s %s/%s",
			 testlib_dir, testlib_dir, testlib_dir, testlib_dir, names[i], testlib_dir,
			 names[i]);
		assert_int_equal(system(cmd), 0);
	}
	snprintf(path, sizeof(path), "%s/x/disk.img", testlib_dir);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size == 64 << 20);
	assert_true(st.st_blocks * 512 <= (3 << 20)); /* 2 MiB of data: sparse again */
	snprintf(path, sizeof(path), "%s/x/holes", testlib_dir);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size == 16 << 20 && st.st_blocks * 512 <= 65536);
}

static void a_file_that_shrinks_fails(void **state)
{
	struct berth_error err = { 0 };
	char path[128], buf[65536];
	struct tar_out t;
	uint64_t data;
	ssize_t got;

	(void)state;
	make_file("shrinks", 4 << 20, (int[]){ 0, 1, 2, 3, -1 });
	snprintf(path, sizeof(path), "%s/shrinks", testlib_dir);
	tar_out_init(&t);
	assert_int_equal(tar_out_add(&t, "disk.img", path, open(path, O_RDONLY), &data, &err), 0);
	assert_true(data == 4 << 20);
	assert_int_equal(truncate(path, 1 << 20), 0);
	while ((got = tar_out_read(&t, buf, sizeof(buf), &err)) > 0)
		;
	assert_int_equal(got, -1);
	assert_contains(err.msg, "shrinks shrank while it was read");
	tar_out_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(files_come_back_the_same),
		cmocka_unit_test(a_file_that_shrinks_fails),
	};

	return cmocka_run_group_tests(tests, testlib_dir_make, testlib_dir_remove);
}
