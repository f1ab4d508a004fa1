/* ctprobe.c - what a tenant would try from inside a container, for userns_ct.sh (built
 * static by the test, copied into a busybox rootfs):
 *   ctprobe syscalls        finit_module, open_by_handle_at, kexec_load: "NAME errno"
 *   ctprobe unshare-user    unshare(CLONE_NEWUSER): "refused errno", else the new uid_map
 *   ctprobe add-key DESC    adds a user key DESC to the user keyring (@u): "added"
 *   ctprobe find-key DESC   searches @u for it: "found" or "missing errno" */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void try(const char *name, long rc)
{
	printf("%s %s\n", name, rc < 0 ? strerrorname_np(errno) : "allowed");
}

int main(int argc, char **argv)
{
	char buf[256];
	ssize_t n;
	int fd;

	if (argc >= 2 && !strcmp(argv[1], "syscalls")) {
		struct {
			unsigned int bytes;
			int type;
			unsigned char h[8];
		} fh = { 8, 1, { 0 } };

		try("finit_module", syscall(SYS_finit_module, -1, "", 0));
		try("open_by_handle_at", syscall(SYS_open_by_handle_at, AT_FDCWD, &fh, O_RDONLY));
		try("kexec_load", syscall(SYS_kexec_load, 0, 0, NULL, 0));
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "unshare-user")) {
		if (unshare(CLONE_NEWUSER) < 0) {
			printf("refused %s\n", strerrorname_np(errno));
			return 0;
		}
		fd = open("/proc/self/uid_map", O_RDONLY);
		n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
		printf("allowed uid_map=[%s]\n", n > 0 ? (buf[n] = '\0', buf) : "");
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "add-key")) {
		if (syscall(SYS_add_key, "user", argv[2], "secret", 6, KEY_SPEC_USER_KEYRING) < 0) {
			printf("add-key %s\n", strerrorname_np(errno));
			return 1;
		}
		printf("added\n");
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "find-key")) {
		if (syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_USER_KEYRING, "user", argv[2], 0) <
		    0)
			printf("missing %s\n", strerrorname_np(errno));
		else
			printf("found\n");
		return 0;
	}
	fprintf(stderr, "usage: ctprobe syscalls|unshare-user|add-key DESC|find-key DESC\n");
	return 2;
}
