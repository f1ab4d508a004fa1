/* debug_port.c - the firmware's log port (see debug_port.h). */
#include "debug_port.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define DEBUG_PORT_PRESENT 0xe9

int debug_port_open(struct debug_port *d, const char *path, struct berth_error *err)
{
	memset(d, 0, sizeof(*d));
	pthread_mutex_init(&d->lock, NULL);
	d->log.fd = -1;
	if (path && caplog_open(&d->log, path, DEBUG_PORT_FILE_MAX, err))
		return berr_wrap(err, "firmware log");
	return 0;
}

void debug_port_reset(struct debug_port *d)
{
	pthread_mutex_lock(&d->lock);
	d->written = 0;
	d->len = 0;
	pthread_mutex_unlock(&d->lock);
}

void debug_port_close(struct debug_port *d)
{
	caplog_close(&d->log);
	pthread_mutex_destroy(&d->lock);
}

/* A whole line (or a full buffer) to stderr, within the boot's allowance; lock held. */
static void debug_port_flush(struct debug_port *d)
{
	char out[sizeof(d->line) + 32];
	int n;

	if (d->written < DEBUG_PORT_STDERR_MAX) {
		n = snprintf(out, sizeof(out), "berth-vmm: firmware: %.*s\n", (int)d->len, d->line);
		d->written += (uint64_t)n;
		if (d->written >= DEBUG_PORT_STDERR_MAX)
			n = snprintf(out, sizeof(out),
				     "berth-vmm: firmware: more log; no longer logging it\n");
		if (write(STDERR_FILENO, out, (size_t)n) < 0) {
			/* best effort, like every log */
		}
	}
	d->len = 0;
}

void debug_port_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct debug_port *d = opaque;
	uint8_t c = data[0];

	(void)offset;
	if (!is_write) {
		memset(data, 0, len);
		data[0] = DEBUG_PORT_PRESENT;
		return;
	}
	pthread_mutex_lock(&d->lock);
	if (d->log.fd >= 0) {
		caplog_write(&d->log, &c, 1);
	} else if (c == '\n' || d->len == sizeof(d->line)) {
		debug_port_flush(d);
	} else if (c != '\r') {
		d->line[d->len++] = (char)c;
	}
	pthread_mutex_unlock(&d->lock);
}
