/* options.h - berth-vmm's command line into a struct vm_config. */
#ifndef BERTH_VMM_OPTIONS_H
#define BERTH_VMM_OPTIONS_H

#include <stdio.h>

#include "common/error.h"
#include "config.h"

/* Parse argv into cfg: 0 to run, 1 when --help/--version was answered on out, -1 on bad input. */
int options_parse(int argc, char **argv, struct vm_config *cfg, FILE *out, struct berth_error *err);

#endif
