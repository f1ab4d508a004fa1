/* options.c - berthd's command line. */
#include "daemon/options.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "common/size.h"

static const char usage[] =
    "usage: berthd [--state-dir DIR] [--socket PATH] [options]\n"
    "\n"
    "Run the Berth daemon: sell VMs and containers of one host through a REST API on a\n"
    "Unix socket, never overselling its CPUs, memory or disk.\n"
    "\n"
    "  --state-dir DIR       database, images and servers (default " BERTHD_DEFAULT_STATE_DIR ")\n"
    "  --socket PATH         the API socket, mode 0660, group berth if it exists\n"
    "                        (default " BERTHD_DEFAULT_SOCKET ")\n"
    "  --config FILE         settings (default " BERTHD_DEFAULT_CONFIG " when it exists)\n"
    "  --host-cpus N         vCPUs servers may reserve in all (instead of cores x\n"
    "                        cpu_overcommit - host_reserve_cpus)\n"
    "  --host-memory SIZE    memory servers may reserve in all, e.g. 2G (instead of RAM -\n"
    "                        host_reserve_memory)\n"
    "  -h, --help            show this help\n"
    "  -V, --version         show the version\n"
    "\n"
    "Servers keep running when berthd stops; at start it adopts them again. SIGTERM stops\n"
    "serving and exits 0. See docs/berthd.md.\n";

enum {
	OPT_STATE_DIR = 256,
	OPT_SOCKET,
	OPT_CONFIG,
	OPT_HOST_CPUS,
	OPT_HOST_MEMORY,
};

static const struct option longopts[] = {
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "socket", required_argument, NULL, OPT_SOCKET },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "host-cpus", required_argument, NULL, OPT_HOST_CPUS },
	{ "host-memory", required_argument, NULL, OPT_HOST_MEMORY },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static int parse_cpus(const char *arg, unsigned *cpus, struct berth_error *err)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (!*arg || *end || errno || arg[0] == '-' || v < 1 || v > 65536)
		return berr(err, 0, "--host-cpus '%s': give a whole number from 1 to 65536", arg);
	*cpus = (unsigned)v;
	return 0;
}

static int need_path(const char *opt, const char *arg, struct berth_error *err)
{
	if (!*arg)
		return berr(err, 0, "%s needs a path", opt);
	return 0;
}

int options_parse(int argc, char **argv, struct options *o, FILE *out, struct berth_error *err)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->state_dir = BERTHD_DEFAULT_STATE_DIR;
	o->socket = BERTHD_DEFAULT_SOCKET;
	opterr = 0;
	optind = 0; /* full re-initialisation, so tests can parse many times */
	while ((c = getopt_long(argc, argv, ":hV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_STATE_DIR:
			if (need_path("--state-dir", optarg, err))
				return -1;
			o->state_dir = optarg;
			break;
		case OPT_SOCKET:
			if (need_path("--socket", optarg, err))
				return -1;
			if (strlen(optarg) >= 108)
				return berr(err, 0,
					    "--socket '%s' is too long for a Unix socket (at most "
					    "107 bytes)",
					    optarg);
			o->socket = optarg;
			break;
		case OPT_CONFIG:
			if (need_path("--config", optarg, err))
				return -1;
			o->config = optarg;
			break;
		case OPT_HOST_CPUS:
			if (parse_cpus(optarg, &o->host_cpus, err))
				return -1;
			break;
		case OPT_HOST_MEMORY:
			if (size_parse(optarg, &o->host_memory, err))
				return berr_wrap(err, "--host-memory");
			if (!o->host_memory)
				return berr(err, 0, "--host-memory must be more than 0");
			break;
		case 'h':
			fputs(usage, out);
			return 1;
		case 'V':
			fprintf(out, "berthd %s\n", BERTH_VERSION);
			return 1;
		case ':':
			return berr(err, 0, "option '%s' needs a value (see berthd --help)",
				    argv[optind - 1]);
		default:
			return berr(err, 0, "unknown option '%s' (see berthd --help)",
				    argv[optind - 1]);
		}
	}
	if (optind < argc)
		return berr(err, 0, "unexpected argument '%s' (see berthd --help)", argv[optind]);
	return 0;
}
