/* debug_port.h - port 0x402, where QEMU builds of SeaBIOS write their log (one byte per
 * write; reading it gives 0xE9, which tells the firmware the port is there).
 *
 * The log never reaches the guest's console: it goes to a file of its own (capped, like
 * the console log) or to berth-vmm's stderr, where at most DEBUG_PORT_STDERR_MAX bytes of a
 * boot are written, so a guest that writes for ever cannot flood the VMM's log. */
#ifndef BERTH_VMM_DEV_DEBUG_PORT_H
#define BERTH_VMM_DEV_DEBUG_PORT_H

#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>

#include "common/caplog.h"
#include "common/error.h"

#define DEBUG_PORT	      0x402
#define DEBUG_PORT_FILE_MAX   (1ULL << 20)
#define DEBUG_PORT_STDERR_MAX (64u << 10)

struct debug_port {
	pthread_mutex_t lock;
	struct caplog log; /* fd -1: to stderr */
	uint64_t written;  /* to stderr, this boot */
	char line[256];	   /* stderr: a line is written whole, prefixed */
	unsigned len;
};

/* Log to path (capped at DEBUG_PORT_FILE_MAX, then rotated), or to stderr when path is NULL. */
int debug_port_open(struct debug_port *d, const char *path, struct berth_error *err);

/* A new boot: stderr's allowance starts again. */
void debug_port_reset(struct debug_port *d);

/* Close the log file. */
void debug_port_close(struct debug_port *d);

/* Bus handler for port 0x402. */
void debug_port_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

#endif
