/* cloud_iso.h - a VM's seed as the small read-only disk cloud-init's NoCloud looks for: an
 * ISO 9660 file system labelled "cidata" (made by xorriso, docs/libraries.md) holding
 * meta-data, user-data and network-config, attached as the VM's last virtio-blk disk. */
#ifndef BERTH_DAEMON_CLOUD_ISO_H
#define BERTH_DAEMON_CLOUD_ISO_H

#include "common/error.h"
#include "daemon/cloud/cloud_seed.h"

#define CLOUD_XORRISO "/usr/bin/xorriso"

/* Make path (a new file replacing any old one) from seed; dir is a directory of berthd's
 * own where the work files go (and log, xorriso's messages). */
int cloud_seed_iso(const char *path, const char *dir, const char *log,
		   const struct cloud_seed *seed, struct berth_error *err);

#endif
