/* main.c - berth-vmm: boot a Linux kernel in a KVM virtual machine. */
#include <stdio.h>

#include "options.h"
#include "vm.h"
#include "vmm_log.h"

int main(int argc, char **argv)
{
	struct berth_error err = { 0 };
	struct vm_config cfg;
	int r;

	r = options_parse(argc, argv, &cfg, stdout, &err);
	if (r < 0) {
		berr_print("berth-vmm", &err);
		return VM_EXIT_SETUP;
	}
	if (r > 0)
		return 0;
	if (cfg.log_path && vmm_log_open(cfg.log_path, cfg.log_max, &err)) {
		berr_print("berth-vmm", &err);
		return VM_EXIT_SETUP;
	}
	return vm_run(&cfg);
}
