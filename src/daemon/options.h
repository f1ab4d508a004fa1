/* options.h - berthd's command line. */
#ifndef BERTH_DAEMON_OPTIONS_H
#define BERTH_DAEMON_OPTIONS_H

#include <stdint.h>
#include <stdio.h>

#include "common/error.h"

#ifndef BERTH_VERSION
#define BERTH_VERSION "0.1.0"
#endif

#define BERTHD_DEFAULT_STATE_DIR "/var/lib/berth"
#define BERTHD_DEFAULT_SOCKET	 "/run/berth/berth.sock"
#define BERTHD_DEFAULT_CONFIG	 "/etc/berth/berthd.conf"

struct options {
	const char *state_dir;
	const char *socket;
	const char *config;   /* NULL: the default file if it exists, else built-in defaults */
	unsigned host_cpus;   /* 0: capacity from the host's cores and the config */
	uint64_t host_memory; /* 0: capacity from the host's RAM and the config */
};

/* Parse argv: 0 to run, 1 when --help/--version was answered on out, -1 on bad input. */
int options_parse(int argc, char **argv, struct options *o, FILE *out, struct berth_error *err);

#endif
