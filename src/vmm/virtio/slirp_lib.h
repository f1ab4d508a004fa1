/* slirp_lib.h - libslirp, loaded with dlopen when the first user-mode network card opens.
 * Linking it would map libslirp, glib, pcre2 and libm into every VM's process (a third of
 * its memory, and their start-up work) though most VMs sit on a tap. */
#ifndef BERTH_VMM_VIRTIO_SLIRP_LIB_H
#define BERTH_VMM_VIRTIO_SLIRP_LIB_H

#include <slirp/libslirp.h>

#include "common/error.h"

/* The libslirp functions net_slirp.c calls, typed from libslirp's own header. */
struct slirp_lib {
	__typeof__(slirp_new) *slirp_new;
	__typeof__(slirp_cleanup) *slirp_cleanup;
	__typeof__(slirp_add_hostfwd) *slirp_add_hostfwd;
	__typeof__(slirp_pollfds_fill) *slirp_pollfds_fill;
	__typeof__(slirp_pollfds_poll) *slirp_pollfds_poll;
	__typeof__(slirp_input) *slirp_input;
};

/* libslirp's functions, loaded on the first call (thread-safe); NULL with err set when
 * the library or one of them is missing. */
const struct slirp_lib *slirp_lib_load(struct berth_error *err);

#endif
