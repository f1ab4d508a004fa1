/* loop.h - the VMM's event loop: epoll over file descriptors, each with a callback. */
#ifndef BERTH_VMM_LOOP_H
#define BERTH_VMM_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

struct loop_source;
typedef void (*loop_fn)(struct loop_source *src, uint32_t events);

struct loop_source {
	int fd;
	loop_fn fn;
	void *opaque;
};

struct loop {
	int epfd;
	bool stop; /* set by a callback to end loop_run() */
};

/* Create the epoll instance. */
int loop_init(struct loop *l, struct berth_error *err);

/* Close the epoll instance. */
void loop_destroy(struct loop *l);

/* Watch src->fd for input; src must outlive its registration. */
int loop_add(struct loop *l, struct loop_source *src, struct berth_error *err);

/* Watch src->fd for input (in) and for room to write (out; its callback sees EPOLLOUT). */
int loop_watch(struct loop *l, struct loop_source *src, bool in, bool out);

/* Stop watching src->fd. */
void loop_del(struct loop *l, struct loop_source *src);

/* Dispatch events until a callback sets l->stop; -1 if epoll itself fails. */
int loop_run(struct loop *l, struct berth_error *err);

#endif
