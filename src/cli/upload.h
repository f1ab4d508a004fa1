/* upload.h - berth image import's upload: the image's files, read here with the caller's
 * own rights (berthd never opens a path a client names), sent to berthd as a tar archive in
 * the request's body, with progress on stderr. */
#ifndef BERTH_CLI_UPLOAD_H
#define BERTH_CLI_UPLOAD_H

#include <jansson.h>

#include "cli/client.h"
#include "common/error.h"

/* Send the image src describes ({"kind": "ct", "rootfs": TARBALL|DIR} or {"kind": "vm",
 * "kernel", "initrd", "disk"}: absolute paths) to path (POST /1.0/images?name=&kind=),
 * showing progress named what. A tarball goes as it is; a directory, or a VM's files (as
 * kernel, initrd and disk.img), as the archive GNU tar makes of them. A file that cannot be
 * read fails the import before or during the upload, and berthd then keeps nothing.
 * *reply gets berthd's answer (the image). */
int upload_image(struct client *c, const char *path, const json_t *src, const char *what,
		 json_t **reply, struct berth_error *err);

#endif
