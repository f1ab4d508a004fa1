/* config.h - what a VM is asked to be, as given on the command line. */
#ifndef BERTH_VMM_CONFIG_H
#define BERTH_VMM_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

enum console_mode {
	CONSOLE_STDIO, /* guest output on stdout, input from stdin */
	CONSOLE_FILE,  /* guest output appended to a file, no input */
	CONSOLE_NONE,  /* output discarded, no input */
};

struct vm_config {
	const char *kernel;
	const char *initrd;  /* NULL: none */
	const char *cmdline;
	uint64_t mem;        /* bytes */
	unsigned cpus;
	enum console_mode console;
	const char *console_path; /* CONSOLE_FILE only */
	bool no_reboot;
};

#define VM_DEFAULT_MEM     (512ULL << 20)
#define VM_MIN_MEM         (32ULL << 20)
#define VM_MAX_CPUS        255
#define VM_DEFAULT_CMDLINE "console=ttyS0 reboot=k panic=-1"

#endif
