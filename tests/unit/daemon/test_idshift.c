/* test_idshift.c - a tree shifted to a range of ids: owners and groups below 65536 gain the
 * range's start, once (a hard link, a second walk), symlinks themselves, setuid kept, file
 * capabilities rewritten as version 3 rooted at the start, ACL entries' ids shifted. Needs
 * root (chown). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "daemon/servers/idshift.h"
#include "scratch.h"

#define START 1000000u

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static uint32_t get32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void file(const char *name, uid_t uid, gid_t gid, mode_t mode)
{
	int fd = open(at(name), O_WRONLY | O_CREAT | O_EXCL, 0600);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(chown(at(name), uid, gid), 0);
	assert_int_equal(chmod(at(name), mode), 0);
}

static void owner_is(const char *name, uid_t uid, gid_t gid)
{
	struct stat st;

	assert_int_equal(lstat(at(name), &st), 0);
	assert_int_equal(st.st_uid, uid);
	assert_int_equal(st.st_gid, gid);
}

static void shifts_a_tree(void **state)
{
	struct berth_error err = { 0 };
	/* version 2 file capabilities: CAP_NET_BIND_SERVICE permitted, effective */
	unsigned char caps[24] = { 0 }, acl[4 + 3 * 8] = { 0 };
	struct stat st;
	ssize_t n;

	(void)state;
	if (geteuid() != 0)
		skip();
	file("suid", 0, 0, 04755);
	file("user", 1000, 1001, 0644);
	file("far", 70000, 70000, 0644); /* at or above 65536: stays */
	assert_int_equal(link(at("user"), at("user-link")), 0);
	assert_int_equal(symlink("user", at("sym")), 0);
	assert_int_equal(lchown(at("sym"), 5, 5), 0);
	assert_int_equal(mkdir(at("d"), 0755), 0);
	file("caps", 0, 0, 0755);
	put32(caps, 0x02000000u | 1u);
	put32(caps + 4, 1u << 10);
	assert_int_equal(setxattr(at("caps"), "security.capability", caps, 20, 0), 0);
	/* an access ACL: user:33:rw- between the owner's and the others' entries */
	put32(acl, 2);
	acl[4] = 0x01, acl[6] = 6;			  /* ACL_USER_OBJ rw */
	acl[12] = 0x02, acl[14] = 6, put32(acl + 16, 33); /* ACL_USER 33 rw */
	acl[20] = 0x20, acl[22] = 4;			  /* ACL_OTHER r */
	if (setxattr(at("user"), "system.posix_acl_access", acl, sizeof(acl), 0) < 0)
		acl[0] = 0; /* a scratch file system without ACLs: not checked below */

	assert_int_equal(idshift_tree(dir, START, &err), 0);
	owner_is("suid", START, START);
	assert_int_equal(stat(at("suid"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 04755);
	owner_is("user", START + 1000, START + 1001);
	owner_is("user-link", START + 1000, START + 1001);
	owner_is("far", 70000, 70000);
	owner_is("sym", START + 5, START + 5);
	owner_is("d", START, START);
	n = getxattr(at("caps"), "security.capability", caps, sizeof(caps));
	assert_int_equal(n, 24);
	assert_int_equal(get32(caps), 0x03000000u | 1u);
	assert_int_equal(get32(caps + 4), 1u << 10);
	assert_int_equal(get32(caps + 20), START);
	if (acl[0]) {
		assert_int_equal(getxattr(at("user"), "system.posix_acl_access", acl, sizeof(acl)),
				 sizeof(acl));
		assert_int_equal(get32(acl + 16), START + 33);
	}

	/* a second walk (a shift cut short and run again) shifts nothing twice */
	assert_int_equal(idshift_tree(dir, START, &err), 0);
	owner_is("user", START + 1000, START + 1001);
	owner_is("suid", START, START);
	assert_int_equal(idshift_tree(dir, 1000, &err), -1); /* below 65536: refused */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(shifts_a_tree, scratch_setup, scratch_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
