/* tar_out.h - a tar archive of a few named files, made here as it is read (for a VM image's
 * kernel, initrd and disk.img): ustar headers, GNU tar's PAX sparse format (1.0) for a file
 * with holes so a sparse disk stays sparse, reads of 1 MiB that cope with short reads (GNU
 * tar's own --create is slow and unreliable on some file systems, 9p among them). */
#ifndef BERTH_CLI_TAR_OUT_H
#define BERTH_CLI_TAR_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

#define TAR_OUT_FILES 3

struct tar_region {
	uint64_t off, len;
};

struct tar_out {
	struct {
		const char *name; /* the member's name */
		const char *from; /* the file's path, for messages */
		int fd;		  /* -1 once done */
		uint64_t size;
		struct tar_region *map; /* its data regions */
		size_t nmap;
	} f[TAR_OUT_FILES];
	unsigned n, cur;
	unsigned char *buf; /* output not yet read */
	size_t len, pos;
	size_t region;	 /* the region of f[cur] being sent */
	uint64_t done;	 /* bytes of that region sent */
	uint64_t member; /* bytes of f[cur]'s member data sent (for the padding) */
	int state;
};

/* Start an archive; add files with tar_out_add, then read it with tar_out_read. */
void tar_out_init(struct tar_out *t);

/* Add the open regular file fd (taken over) as member name; path names it in messages.
 * *data gets the bytes of it that will be sent (holes are not). */
int tar_out_add(struct tar_out *t, const char *name, const char *path, int fd, uint64_t *data,
		struct berth_error *err);

/* Up to max bytes of the archive into out; 0 at its end, -1 on a read error. */
ssize_t tar_out_read(struct tar_out *t, char *out, size_t max, struct berth_error *err);

/* Close the files and free t's buffers. */
void tar_out_free(struct tar_out *t);

#endif
