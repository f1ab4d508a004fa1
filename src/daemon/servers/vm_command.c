/* vm_command.c - the berth-vmm command line of a VM server (vm_command.h). */
#include "daemon/servers/vm_command.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon/servers/server_console.h"
#include "daemon/servers/server_files.h"

void vm_kernel_cmdline(char *out, size_t size, const char *own, const char *net)
{
	snprintf(out, size, "%s%s%s%s%s", VM_CMDLINE_BASE, *own ? " " : "", own, *net ? " " : "",
		 net);
}

static void add(struct vm_args *a, const char *arg)
{
	a->argv[a->argc++] = (char *)arg;
}

/* An option and its value. */
static void add_opt(struct vm_args *a, const char *opt, const char *value)
{
	add(a, opt);
	add(a, value);
}

/* ",iops=N" and ",bps=N" for the limits given (0: none) appended to arg. */
static void add_limits(char *arg, size_t size, uint64_t iops, uint64_t bps)
{
	size_t n = strlen(arg);

	/* fits: VM_LIMITS_LEN is room for both */
	if (iops)
		n += (size_t)snprintf(arg + n, size - n, ",iops=%" PRIu64, iops);
	if (bps)
		snprintf(arg + n, size - n, ",bps=%" PRIu64, bps);
}

/* --kernel, --initrd and --cmdline of a kernel-booted server; the kernel is the vmlinux its
 * import extracted (booted through PVH) when there is one, else the bzImage. With a display,
 * always the bzImage: the kernel learns of the framebuffer berth-vmm set up only from the
 * zero page's screen_info, which a PVH boot does not have (so efifb and its console would
 * never reach the screen). */
static int add_kernel(const struct server *s, bool display, const char *net_cmdline,
		      struct vm_args *a, struct berth_error *err)
{
	if (image_file(a->kernel, s, display ? "kernel" : "vmlinux", err) < 0 ||
	    (access(a->kernel, F_OK) < 0 && image_file(a->kernel, s, "kernel", err) < 0) ||
	    image_file(a->initrd, s, "initrd", err) < 0)
		return -1;
	add_opt(a, "--kernel", a->kernel);
	if (access(a->initrd, F_OK) == 0)
		add_opt(a, "--initrd", a->initrd);
	/* berth-vmm's default is VM_CMDLINE_BASE: a command line only when it differs */
	if (s->cmdline[0] || net_cmdline[0]) {
		vm_kernel_cmdline(a->cmdline, sizeof(a->cmdline), s->cmdline, net_cmdline);
		add_opt(a, "--cmdline", a->cmdline);
	}
	return 0;
}

int vm_command(const struct server *s, const struct driver_env *e, const char *net,
	       const char *net_cmdline, struct vm_args *a, struct berth_error *err)
{
	char console[PATH_MAX], seed[PATH_MAX];

	a->argc = 0;
	if (server_file(a->disk, s, "disk.img", err) < 0 ||
	    server_file(a->sock, s, "api.sock", err) < 0 ||
	    server_file(a->log, s, "vmm.log", err) < 0 ||
	    server_file(console, s, "console.log", err) < 0 ||
	    console_socket(e, s->name, a->console_sock, err) < 0)
		return -1;
	if (snprintf(a->net, sizeof(a->net), "%s", net) >= NET_VM_ARG_MAX)
		return berr(err, ENAMETOOLONG, "VM %s: its --net argument is too long", s->name);
	if (a->net[0])
		add_limits(a->net, sizeof(a->net), 0, s->limits.net_bps);
	/* a path with a comma would read as berth-vmm's items: server paths have none */
	snprintf(a->disk_arg, sizeof(a->disk_arg), "%s", a->disk);
	add_limits(a->disk_arg, sizeof(a->disk_arg), s->limits.disk_iops, s->limits.disk_bps);
	/* berth-vmm's own log is capped as the console's is: a guest can make it talk */
	if (e->console_log_max) {
		snprintf(a->console, sizeof(a->console), "file=%s,max=%llu", console,
			 (unsigned long long)e->console_log_max);
		snprintf(a->vmm_log, sizeof(a->vmm_log), "%s,max=%llu", a->log,
			 (unsigned long long)e->console_log_max);
	} else {
		snprintf(a->console, sizeof(a->console), "file=%s", console);
		snprintf(a->vmm_log, sizeof(a->vmm_log), "%s", a->log);
	}
	snprintf(a->cpus, sizeof(a->cpus), "%u", s->cpus);
	snprintf(a->mem, sizeof(a->mem), "%" PRIu64, s->memory);
	add(a, e->vmm_path);
	if (s->boot == BOOT_FIRMWARE) {
		/* the firmware boots the first disk; a disk-only image always gives one */
		if (access(a->disk, F_OK) != 0)
			return berr(err, errno, "VM %s boots by firmware but has no disk `%s`",
				    s->name, a->disk);
		add(a, "--firmware"); /* berth-vmm's own default: Debian's SeaBIOS */
	} else if (add_kernel(s, e->vm_display, net_cmdline, a, err) < 0) {
		return -1;
	}
	if (access(a->disk, F_OK) == 0)
		add_opt(a, "--disk", a->disk_arg);
	if (server_file(seed, s, VM_SEED_DISK, err) < 0)
		return -1;
	if (access(seed, F_OK) == 0) {
		snprintf(a->seed_arg, sizeof(a->seed_arg), "%s,ro,serial=cidata", seed);
		add_opt(a, "--disk", a->seed_arg);
	}
	if (a->net[0])
		add_opt(a, "--net", a->net);
	add_opt(a, "--cpus", a->cpus);
	add_opt(a, "--mem", a->mem);
	add_opt(a, "--console", a->console);
	add_opt(a, "--console-sock", a->console_sock);
	if (e->vm_display) {
		/* in the server's directory: inside a jailed VMM's jail (bound at the same
		 * path), its socket made 0600 by the VMM's uid, which berthd (root) reaches */
		if (server_file(a->vnc, s, VM_VNC_SOCK, err) < 0)
			return -1;
		add(a, "--display");
		add_opt(a, "--vnc", a->vnc);
	}
	add_opt(a, "--api-sock", a->sock);
	add_opt(a, "--log", a->vmm_log);
	add(a, "--prealloc"); /* the reserved RAM is the guest's before it runs */
	a->argv[a->argc] = NULL;
	return 0;
}
