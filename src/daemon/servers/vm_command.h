/* vm_command.h - the berth-vmm command line of a VM server: direct kernel boot with the
 * kernel command line berth, the image or the server and the network make, or firmware
 * boot of the server's disk (docs/berthd-drivers.md). */
#ifndef BERTH_DAEMON_VM_COMMAND_H
#define BERTH_DAEMON_VM_COMMAND_H

#include <limits.h>
#include <stddef.h>

#include "common/error.h"
#include "daemon/net/net.h"
#include "daemon/servers/driver.h"
#include "daemon/servers/server.h"

/* berth's own part of every kernel command line: the serial console berth logs and serves,
 * and a reboot or panic that ends the VMM (berth-vmm's default) */
#define VM_CMDLINE_BASE "console=ttyS0 reboot=k panic=-1"
#define VM_CMDLINE_LEN	(sizeof(VM_CMDLINE_BASE) + 1 + SERVER_CMDLINE_MAX + 1 + NET_CMDLINE_MAX)
#define VM_ARGS_MAX	32
#define VM_LIMITS_LEN	64	   /* ",iops=N,bps=N": two 20-digit numbers and their keys */
#define VM_SEED_DISK	"seed.iso" /* in s->dir: its cloud-init seed disk, when it has a seed */

struct vm_args {
	char *argv[VM_ARGS_MAX];
	int argc;
	char kernel[PATH_MAX], initrd[PATH_MAX], disk[PATH_MAX], sock[PATH_MAX], log[PATH_MAX];
	char console[PATH_MAX + 40], vmm_log[PATH_MAX + 40], console_sock[PATH_MAX], cpus[16],
	    mem[32];
	char net[NET_VM_ARG_MAX + VM_LIMITS_LEN], cmdline[VM_CMDLINE_LEN];
	char disk_arg[PATH_MAX + VM_LIMITS_LEN]; /* --disk: the path and its limits */
	char seed_arg[PATH_MAX + 32];		 /* --disk of the seed disk: read-only */
};

/* The kernel command line of a kernel-booted VM: berth's part, then own (the image's or
 * the server's, may be ""), then net (the network's, may be ""). */
void vm_kernel_cmdline(char *out, size_t size, const char *own, const char *net);

/* The berth-vmm command line of server s into a (a->argv, NULL-terminated): net is its
 * --net argument and net_cmdline what its network adds to the kernel command line (both
 * "" when none). A firmware-booted server gets --firmware and its disk, never a kernel.
 * s->limits become the disk's iops=/bps= and the NIC's bps=. Its seed disk (VM_SEED_DISK),
 * when there is one, comes after its own disk, read-only. */
int vm_command(const struct server *s, const struct driver_env *e, const char *net,
	       const char *net_cmdline, struct vm_args *a, struct berth_error *err);

#endif
