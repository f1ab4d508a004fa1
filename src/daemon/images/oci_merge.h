/* oci_merge.h - applying one extracted OCI layer onto the rootfs below it. */
#ifndef BERTH_DAEMON_OCI_MERGE_H
#define BERTH_DAEMON_OCI_MERGE_H

#include "common/error.h"

/* Move the tree layer (one layer, extracted) into rootfs: its whiteouts remove what lower
 * layers made (.wh.NAME: NAME; .wh..wh..opq: everything in its directory), then its entries
 * replace those of rootfs, directories merged. Never follows a symlink. layer is left emptied
 * of all but its directories. */
int oci_merge(const char *layer, const char *rootfs, struct berth_error *err);

#endif
