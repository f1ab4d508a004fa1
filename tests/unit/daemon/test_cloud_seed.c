/* Unit tests for src/daemon/cloud/cloud_seed.c: the NoCloud documents are JSON that carries
 * a tenant's text as it is, and the files land in a directory whatever was there. */
#include "testlib.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/cloud/cloud_seed.h"

static struct cloud_seed sample(void)
{
	struct cloud_seed s = { .present = true };

	snprintf(s.instance_id, sizeof(s.instance_id), "i-0123456789abcdef");
	snprintf(s.hostname, sizeof(s.hostname), "web1");
	s.ssh_keys = json_pack("[s]", "ssh-ed25519 AAAA \"quoted\" \\ comment: {x}");
	return s;
}

static void meta_data_is_json(void **state)
{
	struct cloud_seed s = sample();
	char *text = cloud_meta_data(&s);
	json_t *j = json_loads(text, 0, NULL);

	(void)state;
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "instance-id")),
			    "i-0123456789abcdef");
	assert_string_equal(json_string_value(json_object_get(j, "local-hostname")), "web1");
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "public-keys"), 0)),
			    "ssh-ed25519 AAAA \"quoted\" \\ comment: {x}");
	json_decref(j);
	free(text);
	cloud_seed_free(&s);
}

static void network_config_only_with_an_address(void **state)
{
	struct cloud_seed s = sample();
	char *text = cloud_network_config(&s);
	json_t *j, *eth;

	(void)state;
	assert_null(text);
	snprintf(s.address, sizeof(s.address), "10.0.0.5");
	snprintf(s.gateway, sizeof(s.gateway), "10.0.0.1");
	snprintf(s.mac, sizeof(s.mac), "52:54:00:00:00:05");
	s.prefix = 24;
	text = cloud_network_config(&s);
	j = json_loads(text, 0, NULL);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 2);
	eth = json_object_get(json_object_get(j, "ethernets"), "eth0");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(eth, "match"), "macaddress")),
	    "52:54:00:00:00:05");
	assert_string_equal(json_string_value(json_array_get(json_object_get(eth, "addresses"), 0)),
			    "10.0.0.5/24");
	assert_string_equal(json_string_value(json_object_get(eth, "gateway4")), "10.0.0.1");
	json_decref(j);
	free(text);
	cloud_seed_free(&s);
}

static void files_replace_links(void **state)
{
	struct cloud_seed s = sample();
	struct berth_error err = { 0 };
	char path[256], buf[64] = "";
	struct stat st;
	int dir, fd;

	(void)state;
	s.user_data = strdup("#!/bin/sh\necho hi\n");
	s.user_data_len = strlen(s.user_data);
	snprintf(path, sizeof(path), "%s/victim", testlib_dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/user-data", testlib_dir);
	assert_int_equal(symlink("victim", path), 0);
	dir = open(testlib_dir, O_DIRECTORY | O_RDONLY);
	assert_int_equal(cloud_seed_write(dir, &s, false, getuid(), getgid(), &err), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	fd = open(path, O_RDONLY);
	assert_int_equal(read(fd, buf, sizeof(buf) - 1), (ssize_t)s.user_data_len);
	assert_string_equal(buf, s.user_data);
	close(fd);
	snprintf(path, sizeof(path), "%s/victim", testlib_dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0);
	snprintf(path, sizeof(path), "%s/network-config", testlib_dir);
	assert_int_equal(access(path, F_OK), -1);
	close(dir);
	cloud_seed_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(meta_data_is_json),
		cmocka_unit_test(network_config_only_with_an_address),
		cmocka_unit_test(files_replace_links),
	};

	return cmocka_run_group_tests(tests, testlib_dir_make, testlib_dir_remove);
}
