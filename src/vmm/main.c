/* main.c - berth-vmm: boot a Linux kernel in a KVM virtual machine. */
#include <stdio.h>

#include "common/nofile.h"
#include "common/vmlinux_cache.h"

#include "options.h"
#include "vm.h"
#include "vmm_log.h"
#include "vmm/virtio/net_flows.h"

/* File descriptors berth-vmm may need: each user-mode card's flows (net_flows.h), plus a
 * generous allowance for the rest (disks, eventfds, vCPUs, API and console clients). */
#define VMM_NOFILE (VM_MAX_NICS * (NET_FLOWS_MAX + 16) + 1024)

int main(int argc, char **argv)
{
	struct berth_error err = { 0 };
	static char vmlinux[4096];
	struct vm_config cfg;
	int r;

	r = options_parse(argc, argv, &cfg, stdout, &err);
	if (r < 0) {
		berr_print("berth-vmm", &err);
		return VM_EXIT_SETUP;
	}
	if (r > 0)
		return 0;
	nofile_raise(VMM_NOFILE);
	if (cfg.log_path && vmm_log_open(cfg.log_path, cfg.log_max, &err)) {
		berr_print("berth-vmm", &err);
		return VM_EXIT_SETUP;
	}
	if (cfg.decompress) {
		/* Before the sandbox: it writes DIR. The bzImage stays the fallback. */
		if (vmlinux_cache(cfg.kernel, cfg.decompress, vmlinux, sizeof(vmlinux), &err) == 0)
			cfg.kernel = vmlinux;
		else
			fprintf(stderr,
				"berth-vmm: warning: --decompress: %s; booting the bzImage\n",
				err.msg);
	}
	return vm_run(&cfg);
}
