/* image_actions.h - the images table and the operations on it: import (an operation; the
 * row is 'importing' until the files are whole) and delete (refused while a server uses
 * the image). The files themselves are images.c's. */
#ifndef BERTH_DAEMON_IMAGE_ACTIONS_H
#define BERTH_DAEMON_IMAGE_ACTIONS_H

#include <jansson.h>

#include "daemon/berthd.h"
#include "daemon/images/images.h"

/* The API object {"name","kind","state","size","created"} (and a VM image's "boot" and
 * "cmdline") of one image (ENOENT when
 * none), or the list of all. */
json_t *image_json(sqlite3 *db, const char *name, struct berth_error *err);
json_t *image_json_list(sqlite3 *db, const char *project, struct berth_error *err);

/* How servers of VM image name boot and the kernel command line it sets ("" when none);
 * BOOT_KERNEL with "" when there is no such VM image (the ledger refuses it). */
int image_boot(sqlite3 *db, const char *name, enum server_boot *boot,
	       char cmdline[SERVER_CMDLINE_MAX + 1], struct berth_error *err);

/* Check src, record image name as 'importing' (EEXIST if taken) in project (ENOENT if
 * none) and import it in an operation; id gets the operation's id. */
int image_start_import(struct berthd *d, const char *name, const char *project,
		       const struct image_source *src, char id[OP_ID_LEN + 1],
		       struct berth_error *err);

/* An image whose files arrive in the request (an upload): the row is 'importing' while
 * they do, 'ready' at the end; a failed or dropped upload leaves neither row nor files. */
struct image_receipt;

/* Record image name of kind as 'importing' in project, with its kernel command line (vm, or NULL),
 * and start extracting its archive, bounded by image_max_size and the disk the ledger can still
 * give. NULL on failure (err says why). */
struct image_receipt *image_receive_begin(struct berthd *d, const char *name, const char *project,
					  enum server_kind kind, const char *cmdline,
					  struct berth_error *err);

/* Of the next len bytes of the archive, what can be taken without blocking (upload_write). */
ssize_t image_receive_data(struct image_receipt *r, const void *buf, size_t len, int *wait_fd,
			   struct berth_error *err);

/* The archive is whole: the image is ready, and its API object is returned; or, for a qcow2 disk
 * (judged here), NULL with id set: an operation converts it and makes the image ready. NULL
 * with id "" on failure. */
json_t *image_receive_end(struct image_receipt *r, char id[OP_ID_LEN + 1], struct berth_error *err);

/* Free r; an image not ready is removed, files and row. */
void image_receive_free(struct image_receipt *r);

/* Delete image name: EBUSY while a server uses it or it is importing. */
int image_delete(struct berthd *d, const char *name, struct berth_error *err);

/* At start: forget imports a dead berthd left, and remove files no row owns. */
void image_settle(struct berthd *d);

#endif
