/* Unit tests for src/daemon/cloud/ssh_key.c: real keys pass, each kind of malformed line is
 * refused with a message saying what is wrong. */
#include "testlib.h"

#include <errno.h>

#include "daemon/cloud/ssh_key.h"

#define ED25519 "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDwokooKDcUln4DP7FDNzmREhAUPKBmXGlWI7rmeMk2T"

static int check(const char *line, struct berth_error *err)
{
	return ssh_key_check(line, strlen(line), err);
}

static void real_keys_pass(void **state)
{
	struct berth_error err = { 0 };

	(void)state;
	assert_int_equal(check(ED25519, &err), 0);
	assert_int_equal(check(ED25519 " test@berth", &err), 0);
	assert_int_equal(check(ED25519 " a comment with spaces", &err), 0);
	assert_int_equal(
	    check("ssh-rsa "
		  "AAAAB3NzaC1yc2EAAAADAQABAAAAgQDQYhTUG4giBYGeXGBx0KXDhWHGC2a2vfa/JinTsAFD/a31Woj/"
		  "QkeT8aPU9R2jje0TJevsPvSCuuOThcihVDLxwnGKnCNcK45WDeOf8S5o8eSGwiS0pKswko7HSjuRKsle"
		  "bqDqOKcVLLOIQCkciqRtDzFlK+Y+7n+ZoCnDuCOjZQ==",
		  &err),
	    0);
	assert_int_equal(
	    check("ecdsa-sha2-nistp256 "
		  "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEA6gl+247BatjfISuw/"
		  "jRaM8lACHkMpuyjtJVxX23HxM35S3MvnXTdYS2hkzb66U6cG0rMAGw02NUCmWgRcrLM= e",
		  &err),
	    0);
}

static void refused(const char *line, const char *why)
{
	struct berth_error err = { 0 };

	assert_int_equal(check(line, &err), -1);
	assert_int_equal(err.errnum, EINVAL);
	assert_contains(err.msg, why);
}

static void malformed_keys_are_refused(void **state)
{
	char big[SSH_KEY_MAX + 2];

	(void)state;
	refused("", "empty");
	refused("ssh-ed25519", "\"TYPE BASE64 [COMMENT]\"");
	refused("ssh-foo AAAA", "type 'ssh-foo' is not one of");
	refused("ssh-ed25519 not*base64", "not base64");
	refused("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDwokooKDcUln4DP7FDNzmREhAUPKBmXGlWI7rmeMk2",
		"not base64");
	refused("ssh-ed25519 QUFBQQ==", "not a key of type ssh-ed25519");
	refused("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5", "holds no key after its type");
	refused("ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIDwokooKDcUln4DP7FDNzmREhAUPKBmXGlWI7rmeMk2T",
		"not a key of type ssh-rsa");
	refused("ssh-ed25519 AA==", "too short");
	refused("ssh-ed25519 =AAA", "not base64");
	refused(ED25519 " two\nlines", "byte 0x0a");
	refused(ED25519 "\r", "byte 0x0d");
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	refused(big, "at most 8192");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_keys_pass),
		cmocka_unit_test(malformed_keys_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
