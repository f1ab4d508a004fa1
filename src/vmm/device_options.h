/* device_options.h - the values of --disk and --net, parsed into the VM config. */
#ifndef BERTH_VMM_DEVICE_OPTIONS_H
#define BERTH_VMM_DEVICE_OPTIONS_H

#include "common/error.h"
#include "config.h"

/* Parse "PATH[,ro][,serial=ID][,iops=N][,bps=N]" into d; d->path points into arg, cut at its first
 * comma. */
int disk_option_parse(char *arg, struct disk_config *d, struct berth_error *err);

/* Parse "tap=IFNAME[,mac=MAC][,bps=N]" or
 * "user[,mac=MAC][,hostfwd=tcp::HOSTPORT-:GUESTPORT]...[,bps=N]" into n; without mac= the NIC gets
 * a random locally administered address. */
int net_option_parse(const char *arg, struct net_config *n, struct berth_error *err);

#endif
