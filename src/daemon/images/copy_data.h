/* copy_data.h - copying one file's bytes (reflink, else sparse), with progress counted in
 * bytes over a whole job of several files. Private to copy.c and copy_tree.c. */
#ifndef BERTH_DAEMON_COPY_DATA_H
#define BERTH_DAEMON_COPY_DATA_H

#include <stdint.h>

#include "common/error.h"
#include "daemon/servers/driver.h"

/* Progress of a copy job: total bytes, bytes done, the percent last reported. */
struct copy_progress {
	progress_fn fn; /* may be NULL */
	void *ctx;
	uint64_t total, done;
	int last;
};

/* A job of total bytes reporting to fn (which may be NULL). */
void copy_progress_init(struct copy_progress *p, uint64_t total, progress_fn fn, void *ctx);

/* Count bytes as done and report the percent when it changed. */
void copy_progress_add(struct copy_progress *p, uint64_t bytes);

/* Copy size bytes of sfd into the empty file dfd: a reflink where the file system has them,
 * else data ranges only (holes stay holes); dfd ends size bytes long. src names sfd in
 * messages. */
int copy_data(int sfd, int dfd, uint64_t size, const char *src, struct copy_progress *p,
	      struct berth_error *err);

#endif
