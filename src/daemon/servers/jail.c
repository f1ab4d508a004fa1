/* jail.c - the jail of a VMM that berthd starts (see jail.h).
 *
 * Two halves: the parent's (berthd's thread, as root) chooses and prepares what the VMM may
 * use: binds, owners, the tap's owner, the console's listening socket. The child's
 * (jail_enter, between clone and execve of a threaded program: async-signal-safe calls
 * only, no malloc, no stdio) builds the root from that list and drops to the VM's ids. */
#include "daemon/servers/jail.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/unix_sock.h"
#include "daemon/net/net_link.h"

#define JAIL_CAP_MAX 64 /* every capability number the bounding set may hold */

static int node_of(struct jail_node *n, const char *path, mode_t mode, struct berth_error *err)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return berr(err, errno, "jail: %s", path);
	if (!S_ISCHR(st.st_mode))
		return berr(err, 0, "jail: %s is not a character device", path);
	*n = (struct jail_node){ .path = path, .rdev = st.st_rdev, .mode = mode };
	return 0;
}

/* The root's library directories: symbolic links into /usr (merged /usr) are copied as
 * links, real directories are bound read-only. */
static int add_lib_dirs(struct jail *j, struct berth_error *err)
{
	static const char *const dirs[] = { "/lib", "/lib64", "/lib32", "/libx32" };
	struct stat st;
	ssize_t n;
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (lstat(dirs[i], &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (jail_bind(j, dirs[i], true, false, err) < 0)
				return -1;
			j->binds[j->nbinds - 1].exec = true;
			continue;
		}
		if (!S_ISLNK(st.st_mode) || j->nlinks == 4)
			continue;
		n = readlink(dirs[i], j->link_to[j->nlinks], PATH_MAX - 1);
		if (n <= 0)
			continue;
		j->link_to[j->nlinks][n] = '\0';
		snprintf(j->links[j->nlinks++], sizeof(j->links[0]), "%s", dirs[i]);
	}
	return 0;
}

int jail_init(struct jail *j, uid_t uid, const char *state_dir, const char *vmm_path,
	      const char *hostname, struct berth_error *err)
{
	memset(j, 0, sizeof(*j));
	/* bound and run where it really is: a bind never follows a link (jail_bind) */
	if (!realpath(vmm_path, j->exec_path))
		return berr(err, errno, "jail: the VMM `%s`", vmm_path);
	j->uid = uid;
	j->gid = (gid_t)uid;
	j->console_fd = -1;
	snprintf(j->hostname, sizeof(j->hostname), "%s", hostname);
	if ((size_t)snprintf(j->root, sizeof(j->root), "%s/jail", state_dir) >= sizeof(j->root))
		return berr(err, ENAMETOOLONG, "jail: `%s/jail`", state_dir);
	if (mkdir(j->root, 0700) < 0 && errno != EEXIST)
		return berr(err, errno, "jail: create `%s`", j->root);
	/* /usr: the VMM's shared libraries and its default firmware, read-only */
	if (jail_bind(j, "/usr", true, false, err) < 0 || add_lib_dirs(j, err) < 0 ||
	    jail_bind(j, j->exec_path, false, false, err) < 0)
		return -1;
	j->binds[0].exec = true;
	j->binds[j->nbinds - 1].exec = true;
	if (node_of(&j->nodes[0], "/dev/kvm", 0600, err) < 0 ||
	    node_of(&j->nodes[1], "/dev/null", 0666, err) < 0)
		return -1;
	return 0;
}

int jail_bind(struct jail *j, const char *path, bool dir, bool writable, struct berth_error *err)
{
	struct jail_bind *b;

	if (j->nbinds == JAIL_BINDS_MAX)
		return berr(err, E2BIG, "jail: more than %d files to bind", JAIL_BINDS_MAX);
	if (path[0] != '/' || strlen(j->root) + strlen(path) >= PATH_MAX)
		return berr(err, EINVAL, "jail: `%s` must be an absolute path shorter than %d",
			    path, PATH_MAX);
	b = &j->binds[j->nbinds++];
	snprintf(b->path, sizeof(b->path), "%s", path);
	b->dir = dir;
	b->writable = writable;
	b->exec = false;
	return 0;
}

int jail_own(const struct jail *j, const char *path, bool dir, struct berth_error *err)
{
	_cleanup_close_ int fd = -1;
	struct dirent *e;
	DIR *d;
	int rc = 0;

	if (!dir) {
		/* made when missing (a log the VMM appends to), never through a link */
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
			  0600);
		if (fd < 0 || fchown(fd, j->uid, j->gid) < 0)
			return berr(err, errno, "jail: give `%s` to uid %u", path,
				    (unsigned)j->uid);
		return 0;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fchown(fd, j->uid, j->gid) < 0)
		return berr(err, errno, "jail: give `%s` to uid %u", path, (unsigned)j->uid);
	d = fdopendir(dup(fd));
	if (!d)
		return berr(err, errno, "jail: read `%s`", path);
	while (!rc && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fchownat(fd, e->d_name, j->uid, j->gid, AT_SYMLINK_NOFOLLOW) < 0 &&
		    errno != ENOENT)
			rc = berr(err, errno, "jail: give `%s/%s` to uid %u", path, e->d_name,
				  (unsigned)j->uid);
	}
	closedir(d);
	return rc;
}

int jail_readable(const char *path, struct berth_error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		return berr(err, errno, "jail: `%s`", path);
	if (!S_ISREG(st.st_mode))
		return berr(err, 0, "jail: `%s` is not a file", path);
	if ((st.st_mode & 0044) != 0044 && fchmod(fd, (st.st_mode & 07777) | 0044) < 0)
		return berr(err, errno, "jail: let the VMM read `%s`", path);
	return 0;
}

int jail_tap(struct jail *j, const char *ifname, struct berth_error *err)
{
	_cleanup_close_ int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (strnlen(ifname, IFNAMSIZ) >= IFNAMSIZ)
		return berr(err, EINVAL, "jail: tap name `%s` too long", ifname);
	if (fd < 0)
		return berr(err, errno, "jail: open /dev/net/tun");
	/* the same flags berth-vmm attaches with; the owner stays on the persistent tap, and
	 * lets the VMM attach every queue of it itself */
	if (net_link_tap_attach(fd, ifname) < 0 ||
	    ioctl(fd, TUNSETOWNER, (unsigned long)j->uid) < 0)
		return berr(err, errno, "jail: give tap %s to uid %u", ifname, (unsigned)j->uid);
	return node_of(&j->nodes[2], "/dev/net/tun", 0600, err);
}

int jail_console(struct jail *j, const char *path, struct berth_error *err)
{
	struct unix_listen_file file;

	j->console_fd = unix_listen(path, 0660, "console", &file, err);
	return j->console_fd < 0 ? -1 : 0;
}

void jail_done(struct jail *j)
{
	if (j->console_fd >= 0)
		close(j->console_fd);
	j->console_fd = -1;
}

pid_t jail_clone(void)
{
	/* like fork(): no new stack, the child returns here (the caller is single-threaded) */
	return (pid_t)syscall(SYS_clone,
			      CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | SIGCHLD,
			      NULL, NULL, NULL, NULL);
}

/* --- the child: async-signal-safe from here on --- */

/* root + path into out (PATH_MAX; jail_bind checked the length). */
static void in_root(char *out, const char *root, const char *path)
{
	size_t r = strlen(root), p = strlen(path);

	memcpy(out, root, r);
	memcpy(out + r, path, p + 1);
}

/* mkdir -p of the directories above path's last part, from skip bytes on (the root). */
static int make_parents(char *path, size_t skip)
{
	char *p;

	for (p = path + skip + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

/* A mount point at target: a directory or an empty file, unless there is one already (the
 * VMM binary below /usr). */
static int make_target(const char *target, bool dir)
{
	struct stat st;
	int fd;

	if (lstat(target, &st) == 0)
		return 0;
	if (dir)
		return mkdir(target, 0755);
	fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* The host's b->path at the same path in the root: a clone of its mount that never follows
 * a symbolic link at its last part, nosuid and nodev, read-only and noexec unless asked. */
static int bind_one(const struct jail *j, const struct jail_bind *b, char *target)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };
	unsigned rec = b->dir ? AT_RECURSIVE : 0;
	int fd, rc;

	in_root(target, j->root, b->path);
	if (make_parents(target, strlen(j->root)) < 0 || make_target(target, b->dir) < 0)
		return -1;
	fd = open_tree(AT_FDCWD, b->path,
		       OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW | rec);
	if (fd < 0)
		return -1;
	if (!b->writable)
		attr.attr_set |= MOUNT_ATTR_RDONLY;
	if (!b->exec)
		attr.attr_set |= MOUNT_ATTR_NOEXEC;
	rc = mount_setattr(fd, "", AT_EMPTY_PATH | rec, &attr, sizeof(attr));
	if (rc == 0)
		rc = move_mount(fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH);
	close(fd);
	return rc;
}

static int make_node(const struct jail *j, const struct jail_node *n, char *target)
{
	in_root(target, j->root, n->path);
	if (make_parents(target, strlen(j->root)) < 0 ||
	    mknod(target, S_IFCHR | n->mode, n->rdev) < 0)
		return -1;
	/* the VM's own node: the host's /dev/kvm stays root's */
	if (n->mode == 0600 && chown(target, j->uid, j->gid) < 0)
		return -1;
	return 0;
}

static enum jail_step build_root(const struct jail *j)
{
	char target[PATH_MAX];
	unsigned i;

	/* nothing mounted here reaches the host, nothing of the host's later mounts comes in */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return JAIL_MOUNT_PRIVATE;
	if (mount("berth-jail", j->root, "tmpfs", MS_NOSUID, "mode=0755,size=1m,nr_inodes=256") < 0)
		return JAIL_MOUNT_ROOT;
	for (i = 0; i < j->nbinds; i++)
		if (bind_one(j, &j->binds[i], target) < 0)
			return JAIL_BIND;
	for (i = 0; i < j->nlinks; i++) {
		in_root(target, j->root, j->links[i]);
		if (symlink(j->link_to[i], target) < 0)
			return JAIL_BIND;
	}
	for (i = 0; i < sizeof(j->nodes) / sizeof(j->nodes[0]); i++)
		if (j->nodes[i].path && make_node(j, &j->nodes[i], target) < 0)
			return JAIL_NODE;
	/* the root itself read-only: the VMM writes only into its server's directory */
	if (mount(NULL, j->root, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID, NULL) < 0)
		return JAIL_MOUNT_ROOT;
	if (chdir(j->root) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return JAIL_PIVOT;
	return JAIL_OK;
}

static enum jail_step drop(const struct jail *j)
{
	struct rlimit rl;
	int cap;

	if (j->memlock && getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur < j->memlock) {
		/* as root the VMM locked its RAM whatever the limit; as the VM's uid it needs
		 * one (raising the hard limit needs CAP_SYS_RESOURCE: else up to it) */
		struct rlimit want = { j->memlock,
				       j->memlock > rl.rlim_max ? j->memlock : rl.rlim_max };

		if (setrlimit(RLIMIT_MEMLOCK, &want) < 0) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_MEMLOCK, &rl);
		}
	}
	for (cap = 0; cap < JAIL_CAP_MAX; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return JAIL_PRIVS;
	if (setgroups(0, NULL) < 0 || setresgid(j->gid, j->gid, j->gid) < 0 ||
	    setresuid(j->uid, j->uid, j->uid) < 0)
		return JAIL_IDS;
	/* a uid other than 0 has cleared the permitted, effective and ambient sets */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return JAIL_PRIVS;
	return JAIL_OK;
}

enum jail_step jail_enter(const struct jail *j)
{
	enum jail_step step = build_root(j);

	if (step != JAIL_OK)
		return step;
	if (sethostname(j->hostname, strlen(j->hostname)) < 0)
		return JAIL_HOSTNAME;
	if (j->console_fd >= 0) {
		/* at the number berth-vmm's --console-sock-fd names, open across execve */
		if (j->console_fd != JAIL_CONSOLE_FD && dup2(j->console_fd, JAIL_CONSOLE_FD) < 0)
			return JAIL_FDS;
		if (fcntl(JAIL_CONSOLE_FD, F_SETFD, 0) < 0)
			return JAIL_FDS;
	}
	return drop(j);
}

const char *jail_step_name(enum jail_step step)
{
	static const char *const names[] = {
		[JAIL_OK] = "ok",
		[JAIL_MOUNT_PRIVATE] = "make its mounts private",
		[JAIL_MOUNT_ROOT] = "mount its root",
		[JAIL_BIND] = "bind its files",
		[JAIL_NODE] = "make its device nodes",
		[JAIL_PIVOT] = "pivot into its root",
		[JAIL_HOSTNAME] = "set its host name",
		[JAIL_FDS] = "pass its console socket",
		[JAIL_IDS] = "take its uid and gid",
		[JAIL_PRIVS] = "drop its capabilities",
	};

	return step < sizeof(names) / sizeof(names[0]) ? names[step] : "?";
}
