/* options.c - command-line parsing and checking for berth-vmm. */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>

#include "common/caplog.h"
#include "common/size.h"
#include "device_options.h"
#include "vmm/boot/firmware.h"

#ifndef BERTH_VERSION
#define BERTH_VERSION "0.1.0"
#endif

static const char usage[] =
    "usage: berth-vmm --kernel FILE [options]\n"
    "       berth-vmm --firmware [PATH] --disk PATH [options]\n"
    "\n"
    "Boot a Linux bzImage, or a disk by its firmware, in a KVM virtual machine.\n"
    "\n"
    "  --kernel FILE         Linux kernel to boot: a bzImage (x86-64, boot protocol 2.12+),\n"
    "                        or an ELF vmlinux with a PVH entry note, booted through PVH\n"
    "  --decompress DIR      boot a bzImage's vmlinux through PVH: extracted once into DIR,\n"
    "                        named by the bzImage's sha256, reused next time; a bzImage\n"
    "                        without one boots as it is (with a warning)\n"
    "  --firmware [PATH]     boot by firmware instead: a BIOS ROM image (default\n"
    "                        " FIRMWARE_DEFAULT ", SeaBIOS), which boots the\n"
    "                        first disk's own boot loader\n"
    "  --firmware-log PATH   the firmware's debug log (port 0x402) into PATH (capped at\n"
    "                        1 MiB, then PATH.1); default: berth-vmm's stderr\n"
    "  --initrd FILE         initramfs to load beside it\n"
    "  --cmdline STR         kernel command line (default: \"" VM_DEFAULT_CMDLINE "\")\n"
    "  --mem SIZE            guest RAM, e.g. 512M or 4G (default 512M)\n"
    "  --cpus N              number of vCPUs, 1-255 (default 1)\n"
    "  --console MODE        stdio (default), file=PATH[,max=SIZE], or none; with max (at\n"
    "                        least 64K) the file is capped: PATH.1 holds the part before\n"
    "  --console-sock PATH   also serve the console on this Unix socket (mode 0660), one\n"
    "                        client at a time, raw bytes both ways; needs --console file=\n"
    "                        or none\n"
    "  --console-sock-fd N   serve the listening socket inherited as fd N instead of making\n"
    "                        one at --console-sock's PATH (for a jailer: berthd)\n"
    "  --no-reboot           exit when the guest reboots (or triple-faults) instead of\n"
    "                        booting it again\n"
    "  --disk PATH[,ro][,serial=ID][,iops=N][,bps=N]\n"
    "                        a raw disk image as a virtio-blk disk (repeatable: vda, vdb...);\n"
    "                        locked while in use; ro: the guest cannot write it; iops, bps:\n"
    "                        at most N requests, N bytes (K, M, G: powers of 1024) a second\n"
    "  --net tap=IFNAME[,mac=MAC][,bps=N]\n"
    "                        a virtio-net card on an existing tap interface; bps: at most N\n"
    "                        bytes a second each way; on a multi-queue tap (ip tuntap add\n"
    "                        IFNAME mode tap multi_queue), one queue pair per vCPU (at most 8)\n"
    "  --net user[,mac=MAC][,hostfwd=tcp::HOSTPORT-:GUESTPORT]...[,bps=N]\n"
    "                        a virtio-net card on user-mode networking: DHCP gives the guest\n"
    "                        10.0.2.15, it reaches only the host's loopback (as 10.0.2.2), and\n"
    "                        each hostfwd forwards 127.0.0.1:HOSTPORT to the guest\n"
    "  --no-rng              no virtio-rng entropy device (there is one by default)\n"
    "  --display             a graphics adapter (bochs-display, 16 MiB framebuffer), a PS/2\n"
    "                        keyboard and a virtio tablet (the pointer VNC clients drive);\n"
    "                        with --firmware, SeaBIOS shows its text on it; see screendump\n"
    "                        on --api-sock\n"
    "  --vnc PATH            a VNC server (RFB 3.8, no password: the socket is made 0600)\n"
    "                        for the display on Unix socket PATH; needs --display\n"
    "  --prealloc            allocate (and lock, where RLIMIT_MEMLOCK allows) all guest RAM\n"
    "                        before the guest starts, so it never waits for host memory\n"
    "  --api-sock PATH       control socket: JSON lines to pause, resume, stop (docs/api-sock.md)\n"
    "  --log PATH[,max=SIZE] berth-vmm's own messages (stdout, stderr) appended to PATH; with\n"
    "                        max (at least 64K) capped as --console file= is\n"
    "  --no-seccomp          run without the system-call filters (on by default; for\n"
    "                        debugging: a call outside them kills the VMM and is logged)\n"
    "  -h, --help            show this help\n"
    "  -V, --version         show the version\n"
    "\n"
    "On a terminal the console is raw; press Ctrl-A x to quit, Ctrl-A Ctrl-A to send Ctrl-A.\n"
    "SIGTERM presses the guest's ACPI power button; a second SIGTERM stops the VM at once.\n"
    "Exit status: 0 guest powered off (or rebooted with --no-reboot, or Ctrl-A x),\n"
    "1 guest failed (panic, KVM error, triple fault with --no-reboot), 2 bad usage or set-up\n"
    "error, 143 stopped at once (a second SIGTERM, or \"stop\" on the API socket).\n";

enum {
	OPT_KERNEL = 256,
	OPT_DECOMPRESS,
	OPT_FIRMWARE,
	OPT_FIRMWARE_LOG,
	OPT_INITRD,
	OPT_CMDLINE,
	OPT_MEM,
	OPT_CPUS,
	OPT_CONSOLE,
	OPT_CONSOLE_SOCK,
	OPT_CONSOLE_SOCK_FD,
	OPT_NO_REBOOT,
	OPT_DISK,
	OPT_NET,
	OPT_NO_RNG,
	OPT_DISPLAY,
	OPT_API_SOCK,
	OPT_VNC,
	OPT_PREALLOC,
	OPT_LOG,
	OPT_NO_SECCOMP,
};

static const struct option longopts[] = {
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "decompress", required_argument, NULL, OPT_DECOMPRESS },
	{ "firmware", optional_argument, NULL, OPT_FIRMWARE },
	{ "firmware-log", required_argument, NULL, OPT_FIRMWARE_LOG },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "cmdline", required_argument, NULL, OPT_CMDLINE },
	{ "mem", required_argument, NULL, OPT_MEM },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "console", required_argument, NULL, OPT_CONSOLE },
	{ "console-sock", required_argument, NULL, OPT_CONSOLE_SOCK },
	{ "console-sock-fd", required_argument, NULL, OPT_CONSOLE_SOCK_FD },
	{ "no-reboot", no_argument, NULL, OPT_NO_REBOOT },
	{ "disk", required_argument, NULL, OPT_DISK },
	{ "net", required_argument, NULL, OPT_NET },
	{ "no-rng", no_argument, NULL, OPT_NO_RNG },
	{ "display", no_argument, NULL, OPT_DISPLAY },
	{ "prealloc", no_argument, NULL, OPT_PREALLOC },
	{ "no-seccomp", no_argument, NULL, OPT_NO_SECCOMP },
	{ "api-sock", required_argument, NULL, OPT_API_SOCK },
	{ "vnc", required_argument, NULL, OPT_VNC },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static int parse_mem(const char *arg, uint64_t *mem, struct berth_error *err)
{
	struct sysinfo si;
	char a[32], b[32];

	if (size_parse(arg, mem, err))
		return berr_wrap(err, "--mem");
	if (*mem < VM_MIN_MEM)
		return berr(err, 0, "--mem %s is too small: a guest needs at least %s", arg,
			    size_format(VM_MIN_MEM, a, sizeof(a)));
	if (*mem % (1ULL << 20))
		return berr(err, 0, "--mem %s is not a whole number of MiB", arg);
	if (sysinfo(&si) == 0 && *mem > (uint64_t)si.totalram * si.mem_unit)
		return berr(err, 0, "--mem %s is more than this host's RAM (%s)",
			    size_format(*mem, a, sizeof(a)),
			    size_format(((uint64_t)si.totalram * si.mem_unit) & ~((1ULL << 20) - 1),
					b, sizeof(b)));
	return 0;
}

static int parse_cpus(const char *arg, unsigned *cpus, struct berth_error *err)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (!*arg || *end || errno || arg[0] == '-' || v < 1 || v > VM_MAX_CPUS)
		return berr(err, 0, "--cpus '%s': give a whole number from 1 to %d", arg,
			    VM_MAX_CPUS);
	*cpus = (unsigned)v;
	return 0;
}

/* PATH[,max=SIZE] at spec, a part of option opt's value arg: the path ends at the first
 * comma, as in --disk; *max is 0 without one. */
static int parse_capped_file(const char *opt, const char *arg, char *spec, const char **path,
			     uint64_t *max, struct berth_error *err)
{
	char *comma = strchr(spec, ',');
	char a[32];

	*path = spec;
	*max = 0;
	if (!*spec || spec == comma)
		return berr(err, 0, "%s '%s': give a path, e.g. %sfile.log,max=1M", opt, arg,
			    spec == arg ? "" : "file=");
	if (!comma)
		return 0;
	if (strncmp(comma + 1, "max=", 4))
		return berr(err, 0,
			    "%s '%s': unknown item '%s' (use max=SIZE; a path cannot "
			    "contain a comma)",
			    opt, arg, comma + 1);
	if (size_parse(comma + 5, max, err))
		return berr_wrap(err, "%s '%s'", opt, arg);
	if (*max < CAPLOG_MIN)
		return berr(err, 0, "%s '%s': max must be at least %s", opt, arg,
			    size_format(CAPLOG_MIN, a, sizeof(a)));
	*comma = '\0';
	return 0;
}

/* An inherited fd: 3 or above (0-2 are stdio). */
static int parse_fd(const char *arg, int *fd, struct berth_error *err)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(arg, &end, 10);
	if (errno || end == arg || *end || n < 3 || n > INT_MAX)
		return berr(err, 0, "--console-sock-fd '%s': give an open fd, 3 or above", arg);
	*fd = (int)n;
	return 0;
}

/* file=PATH[,max=SIZE]. */
static int parse_console_file(char *arg, struct vm_config *cfg, struct berth_error *err)
{
	cfg->console = CONSOLE_FILE;
	return parse_capped_file("--console", arg, arg + 5, &cfg->console_path, &cfg->console_max,
				 err);
}

static int parse_console(char *arg, struct vm_config *cfg, struct berth_error *err)
{
	if (!strncmp(arg, "file=", 5))
		return parse_console_file(arg, cfg, err);
	if (!strcmp(arg, "stdio"))
		cfg->console = CONSOLE_STDIO;
	else if (!strcmp(arg, "none"))
		cfg->console = CONSOLE_NONE;
	else
		return berr(err, 0, "--console '%s': use stdio, none or file=PATH[,max=SIZE]", arg);
	return 0;
}

int options_parse(int argc, char **argv, struct vm_config *cfg, FILE *out, struct berth_error *err)
{
	bool cmdline_given = false;
	int c;

	memset(cfg, 0, sizeof(*cfg));
	cfg->mem = VM_DEFAULT_MEM;
	cfg->cpus = 1;
	cfg->cmdline = VM_DEFAULT_CMDLINE;
	cfg->console = CONSOLE_STDIO;
	cfg->rng = true;
	cfg->seccomp = true;
	cfg->console_sock_fd = -1;
	opterr = 0;
	optind = 0; /* full re-initialisation, so tests can parse many times */
	while ((c = getopt_long(argc, argv, ":hV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_KERNEL:
			cfg->kernel = optarg;
			break;
		case OPT_FIRMWARE:
			/* --firmware=PATH, --firmware PATH, or --firmware alone (the default) */
			if (!optarg && optind < argc && argv[optind][0] != '-')
				optarg = argv[optind++];
			if (optarg && !*optarg)
				return berr(err, 0, "--firmware: give a path, or none for %s",
					    FIRMWARE_DEFAULT);
			cfg->firmware = optarg ? optarg : FIRMWARE_DEFAULT;
			break;
		case OPT_FIRMWARE_LOG:
			if (!*optarg)
				return berr(err, 0, "--firmware-log needs a path");
			cfg->firmware_log = optarg;
			break;
		case OPT_INITRD:
			cfg->initrd = optarg;
			break;
		case OPT_DECOMPRESS:
			if (!*optarg)
				return berr(err, 0, "--decompress needs a directory");
			cfg->decompress = optarg;
			break;
		case OPT_CMDLINE:
			cfg->cmdline = optarg;
			cmdline_given = true;
			break;
		case OPT_MEM:
			if (parse_mem(optarg, &cfg->mem, err))
				return -1;
			break;
		case OPT_CPUS:
			if (parse_cpus(optarg, &cfg->cpus, err))
				return -1;
			break;
		case OPT_CONSOLE:
			if (parse_console(optarg, cfg, err))
				return -1;
			break;
		case OPT_CONSOLE_SOCK:
			if (!*optarg)
				return berr(err, 0, "--console-sock needs a path");
			cfg->console_sock = optarg;
			break;
		case OPT_CONSOLE_SOCK_FD:
			if (parse_fd(optarg, &cfg->console_sock_fd, err))
				return -1;
			break;
		case OPT_NO_REBOOT:
			cfg->no_reboot = true;
			break;
		case OPT_DISK:
			if (cfg->ndisks == VM_MAX_DISKS)
				return berr(err, 0, "--disk: at most %d disks", VM_MAX_DISKS);
			if (disk_option_parse(optarg, &cfg->disks[cfg->ndisks++], err))
				return -1;
			break;
		case OPT_NET:
			if (cfg->nnics == VM_MAX_NICS)
				return berr(err, 0, "--net: at most %d network cards", VM_MAX_NICS);
			if (net_option_parse(optarg, &cfg->nics[cfg->nnics++], err))
				return -1;
			break;
		case OPT_NO_RNG:
			cfg->rng = false;
			break;
		case OPT_DISPLAY:
			cfg->display = true;
			break;
		case OPT_PREALLOC:
			cfg->prealloc = true;
			break;
		case OPT_NO_SECCOMP:
			cfg->seccomp = false;
			break;
		case OPT_API_SOCK:
			if (!*optarg)
				return berr(err, 0, "--api-sock needs a path");
			cfg->api_sock = optarg;
			break;
		case OPT_VNC:
			if (!*optarg)
				return berr(err, 0, "--vnc needs a path");
			cfg->vnc = optarg;
			break;
		case OPT_LOG:
			if (parse_capped_file("--log", optarg, optarg, &cfg->log_path,
					      &cfg->log_max, err))
				return -1;
			break;
		case 'h':
			fputs(usage, out);
			return 1;
		case 'V':
			fprintf(out, "berth-vmm %s\n", BERTH_VERSION);
			return 1;
		case ':':
			return berr(err, 0, "option '%s' needs a value (see berth-vmm --help)",
				    argv[optind - 1]);
		default:
			return berr(err, 0, "unknown option '%s' (see berth-vmm --help)",
				    argv[optind - 1]);
		}
	}
	if (optind < argc)
		return berr(err, 0, "unexpected argument '%s' (see berth-vmm --help)",
			    argv[optind]);
	if (cfg->firmware && (cfg->kernel || cfg->initrd || cmdline_given))
		return berr(err, 0,
			    "--firmware boots the disk's own boot loader: it takes no --kernel, "
			    "--initrd or --cmdline");
	if (cfg->decompress && !cfg->kernel)
		return berr(err, 0, "--decompress is for --kernel");
	if (cfg->firmware_log && !cfg->firmware)
		return berr(err, 0, "--firmware-log is for --firmware");
	if (!cfg->kernel && !cfg->firmware)
		return berr(err, 0,
			    "no kernel given: use --kernel FILE, or --firmware to boot a disk (see "
			    "berth-vmm --help)");
	if (cfg->vnc && !cfg->display)
		return berr(err, 0, "--vnc shows the display: add --display");
	if (cfg->console_sock_fd >= 0 && !cfg->console_sock)
		return berr(err, 0,
			    "--console-sock-fd needs --console-sock PATH (where it listens)");
	if (cfg->console_sock && cfg->console == CONSOLE_STDIO)
		return berr(
		    err, 0,
		    "--console-sock cannot share the console with --console stdio (the default): "
		    "add --console file=PATH or --console none");
	return 0;
}
