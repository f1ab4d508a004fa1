/* server.h - the VMM's control socket: JSON lines from any number of local clients.
 *
 * Runs on the VM's event loop: each client is a loop source, each complete line a request
 * answered at once with one reply line. The VM supplies what the commands do (api_ops).
 * Clients that watch also get event lines. Protocol: docs/api-sock.md. */
#ifndef BERTH_VMM_API_SERVER_H
#define BERTH_VMM_API_SERVER_H

#include <stdint.h>

#include <jansson.h>

#include "common/error.h"
#include "vmm/accept_guard.h"
#include "vmm/loop.h"
#include "common/unix_sock.h"
#include "vmm/dev/bochs_display.h"

/* At most this many clients at once; more are told so and closed. */
#define API_MAX_CLIENTS 32

/* What "status" reports. */
struct api_status {
	const char *state; /* "running", "paused" or "shutting-down" */
	unsigned cpus;
	uint64_t mem;  /* bytes */
	double uptime; /* seconds since the VMM started */
	unsigned reboots;
	const char *kernel;
};

/* What the commands do, supplied by the VM; all run on the event loop's thread. */
struct api_ops {
	void (*status)(void *opaque, struct api_status *st);
	/* Pause or resume the vCPUs: 1 done, 0 it was so already, -1 failed (err says why). */
	int (*pause)(void *opaque, struct berth_error *err);
	int (*resume)(void *opaque, struct berth_error *err);
	/* Press the guest's power button. */
	void (*shutdown)(void *opaque);
	/* Stop the VM at once. */
	void (*stop)(void *opaque);
	/* Disk number disk grew on the host: show the guest its new size. *old and *now are
	 * its sizes in bytes before and after; 0, or -1 (err says why, nothing changed). */
	int (*disk_resize)(void *opaque, unsigned disk, uint64_t *old, uint64_t *now,
			   struct berth_error *err);
	/* A copy of the screen into *s (0x0: the display is off); -1 (err says why) when
	 * there is no display. */
	int (*screen)(void *opaque, struct screen *s, struct berth_error *err);
};

struct api_client;

struct api_server {
	struct loop_source listen;
	struct accept_guard guard; /* of listen: running out of fds does not spin the loop */
	struct loop *loop;
	const struct api_ops *ops;
	void *opaque;
	const char *path;
	struct unix_listen_file file;
	struct api_client *clients;
	unsigned nclients;
};

/* Listen on path and serve requests through loop; the server must not move afterwards. */
int api_server_open(struct api_server *s, const char *path, struct loop *loop,
		    const struct api_ops *ops, void *opaque, struct berth_error *err);

/* Send {"event":name, ...fields} to every watching client; takes fields (may be NULL). */
void api_server_event(struct api_server *s, const char *name, json_t *fields);

/* Close every client and the socket, and remove its file (nothing for a zeroed server). */
void api_server_close(struct api_server *s);

#endif
