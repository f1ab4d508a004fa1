/* server.h - berth-vmm's VNC server (--vnc PATH): RFB 3.8, security None, on a Unix socket
 * whose permissions (0600) are the access control (berthd proxies it).
 *
 * Runs on the event loop, never on a vCPU thread. At most VNC_MAX_CLIENTS clients. While
 * any is connected a 30 Hz tick reads KVM's dirty log of the framebuffer and marks the rows
 * each client has not seen; a client that asked for an update gets the dirty rows as zlib
 * rectangles (one deflate stream per client) if it offered them, else Raw, at most
 * VNC_OUT_MAX bytes in one update, starting where its last update
 * stopped (the rest follows on its next request, at once, up to a screen's worth a tick).
 * Nothing else is queued: a client that lags only accumulates dirty rows (a bitmap), so a
 * guest that redraws all the time costs at most one bounded buffer per client.
 * Key events go to the keyboard callback (keysyms, or XT keycodes from QEMU's extended key
 * event), pointer events to the pointer callback; cut text is skipped unread (rfb.c). A key
 * the keyboard has no room for holds its client: nothing more of it is read or acted on
 * until the keyboard has room (vnc_server_room) or a tick finds some (back-pressure, not lost
 * keys: a slow guest gets them all, in order, at its pace). docs/berth-vmm.md, "VNC". */
#ifndef BERTH_VMM_VNC_SERVER_H
#define BERTH_VMM_VNC_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "common/unix_sock.h"
#include "vmm/accept_guard.h"
#include "vmm/dev/bochs_display.h"
#include "vmm/loop.h"

#define VNC_MAX_CLIENTS 4
#define VNC_OUT_MAX	(2u << 20) /* bytes of one update */
#define VNC_TICK_HZ	30

/* Where a client's input goes (on the event loop's thread). */
struct vnc_input {
	/* A key pressed (down) or released: keycode is an XT scancode (0x80|code for E0 keys),
	 * or 0 when the client sent only the X keysym. False: no room for it now; it is offered
	 * again (at the next tick) before anything that came after it. */
	bool (*key)(void *opaque, uint32_t keysym, uint32_t keycode, bool down);
	/* The pointer at pixel x, y of the width x height screen the guest's mode has now (640
	 * x 480 while it is off; x, y may lie past it: the client's idea of the size may be
	 * old), RFB button mask buttons. */
	void (*pointer)(void *opaque, uint32_t x, uint32_t y, uint32_t width, uint32_t height,
			uint8_t buttons);
	void *opaque;
};

struct vnc_client;

struct vnc_server {
	struct loop *loop;
	struct loop_source listen;
	struct accept_guard guard;
	struct unix_listen_file file;
	const char *path;
	struct loop_source tick; /* timerfd, armed while clients are connected */
	struct loop_source room; /* eventfd: the keyboard has room for held keys */
	struct bochs_display *display;
	struct vnc_input input;
	struct vnc_client *clients[VNC_MAX_CLIENTS];
	unsigned nclients;
	uint64_t *pages; /* dirty-page bitmap of the framebuffer */
	struct vbe_mode mode;
	bool mode_on;
};

/* Listen on path and serve display through loop; input gets the clients' keys and pointer. */
int vnc_server_open(struct vnc_server *s, const char *path, struct loop *loop,
		    struct bochs_display *display, const struct vnc_input *input,
		    struct berth_error *err);

/* The keyboard has room again (any thread): clients held by a key go on at once. */
void vnc_server_room(struct vnc_server *s);

/* Close every client and the socket, and remove its file (nothing for a zeroed server). */
void vnc_server_close(struct vnc_server *s);

#endif
