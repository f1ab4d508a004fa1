/* i8042.h - the PC keyboard controller (ports 0x60 data, 0x64 command/status) with a PS/2
 * keyboard behind it, or its reset line alone.
 *
 * Without a keyboard (no --display) only the reset line is modelled: Linux's `reboot=k`
 * writes 0xFE to port 0x64, and the ACPI tables say there is no 8042, so the guest never
 * probes. With one, the tables say there is (IAPC_BOOT_ARCH's 8042 flag), and the controller
 * answers what firmware and Linux's i8042 and atkbd drivers ask: its configuration byte,
 * self-tests, keyboard reset, identify, LEDs, typematic rate, scan code set, enable and
 * disable. There is no auxiliary (mouse) port: its tests fail, so drivers leave it alone.
 * Keys arrive as XT (set 1) scan codes, what the controller hands the guest while it
 * translates (the default, which Linux keeps); IRQ 1 is pulsed for each byte the guest may
 * read. The guest's byte queue is bounded (a flood of key events costs a fixed amount of
 * memory): a key that does not fit is refused, so that its sender (the VNC server) holds it
 * and its followers until the guest has read some, rather than lose it (a lost Shift release
 * turns the rest of a line into capitals); only once the guest has read nothing for
 * I8042_PATIENCE_NS are keys dropped whole, as by a keyboard nobody listens to.
 * tests/fuzz/vmm/fuzz_i8042.c drives it. */
#ifndef BERTH_VMM_DEV_I8042_H
#define BERTH_VMM_DEV_I8042_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "vmm/dev/machine.h"

#define I8042_IRQ_KBD 1
#define I8042_QUEUE   64 /* bytes waiting for the guest */
/* Keys fill at most this much of the queue: the rest is room for the replies to a command
 * the guest sends meanwhile (identify's 3 bytes at most). */
#define I8042_KEY_ROOM	  (I8042_QUEUE - 4)
#define I8042_PATIENCE_NS 5000000000ull /* a guest that reads nothing this long: keys dropped */

struct i8042 {
	pthread_mutex_t lock;
	struct machine *machine;
	bool keyboard; /* a keyboard behind it; false: the reset line alone */
	uint8_t queue[I8042_QUEUE];
	unsigned head, count;
	uint8_t last;	     /* the byte the guest read last */
	uint8_t ctr;	     /* the controller's configuration byte */
	uint8_t pending;     /* a controller command waiting for its data byte (0: none) */
	uint8_t kbd_cmd;     /* a keyboard command waiting for its argument (0: none) */
	bool scanning;	     /* the keyboard sends keys (F4 enable, F5 disable) */
	bool last_was_cmd;   /* status bit 3: the last write was to the command port */
	uint32_t taken;	     /* bytes the guest read from the queue (wraps) */
	bool waiting;	     /* a key was refused for want of room ... */
	uint32_t taken_then; /* ... when the guest had read this many bytes */
	uint64_t since;	     /* ... at this CLOCK_MONOTONIC time (ns) */
	bool deaf;	     /* keys are being dropped: the guest ran out of patience */
	/* Called (from the vCPU thread that read, lock held) once the queue a key was refused
	 * for is down to half: its sender may offer it again. Set before the guest runs. */
	void (*room)(void *opaque);
	void *room_opaque;
};

/* Power-on state; keyboard says whether a keyboard is behind the controller. */
void i8042_init(struct i8042 *k, struct machine *machine, bool keyboard);

/* Back to power-on (guest reset): empty queue, default configuration. */
void i8042_reset(struct i8042 *k);

/* A key pressed or released, as an XT scan code (0x80 | code for E0-prefixed keys): true
 * when it was queued, or dropped because the guest disabled the keyboard or has read nothing
 * for I8042_PATIENCE_NS; false, with nothing queued, when the queue has no room for it now
 * (offer it again later, before any key that followed it). Any thread. */
bool i8042_key(struct i8042 *k, unsigned xt, bool down);

/* Bus handler for ports 0x60-0x64; opaque is the struct i8042. */
void i8042_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

#endif
