/* i8042.c - the keyboard controller and its PS/2 keyboard (see i8042.h). */
#include "i8042.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define I8042_DATA 0
#define I8042_CMD  4

/* Status register bits. */
#define STR_OBF	 0x01 /* output buffer full: a byte to read at 0x60 */
#define STR_SYS	 0x04 /* system flag: self-test passed */
#define STR_CMD	 0x08 /* last write was a command */
#define STR_KEYL 0x10 /* keyboard not inhibited */

/* Configuration byte bits. */
#define CTR_KBDINT 0x01
#define CTR_SYS	   0x04
#define CTR_KBDDIS 0x10
#define CTR_AUXDIS 0x20
#define CTR_XLATE  0x40
#define CTR_RESET  (CTR_KBDINT | CTR_SYS | CTR_AUXDIS | CTR_XLATE)

/* Controller commands (port 0x64). */
#define CMD_READ_CTR	 0x20
#define CMD_WRITE_CTR	 0x60
#define CMD_AUX_DISABLE	 0xA7
#define CMD_AUX_ENABLE	 0xA8
#define CMD_AUX_TEST	 0xA9
#define CMD_SELF_TEST	 0xAA
#define CMD_KBD_TEST	 0xAB
#define CMD_KBD_DISABLE	 0xAD
#define CMD_KBD_ENABLE	 0xAE
#define CMD_READ_INPUT	 0xC0
#define CMD_READ_OUTPUT	 0xD0
#define CMD_WRITE_OUTPUT 0xD1
#define CMD_WRITE_KBD	 0xD2
#define CMD_WRITE_AUXOB	 0xD3
#define CMD_WRITE_AUX	 0xD4
#define CMD_RESET	 0xFE

/* Keyboard commands (port 0x60) and replies. */
#define KBD_SET_LEDS  0xED
#define KBD_ECHO      0xEE
#define KBD_SCANSET   0xF0
#define KBD_IDENTIFY  0xF2
#define KBD_TYPEMATIC 0xF3
#define KBD_ENABLE    0xF4
#define KBD_DISABLE   0xF5
#define KBD_DEFAULTS  0xF6
#define KBD_RESET     0xFF
#define KBD_ACK	      0xFA
#define KBD_BAT_OK    0xAA

#define SELF_TEST_OK   0x55
#define AUX_TEST_CLOCK 0x01 /* "clock line stuck low": no auxiliary port */
#define OUTPUT_PORT    0x01 /* not in reset */
#define XT_E0_PREFIX   0xE0
#define XT_RELEASE     0x80

/* Pulse IRQ 1 if the guest may read a byte and wants interrupts; lock held. */
static void i8042_irq(struct i8042 *k)
{
	if (!k->count || !(k->ctr & CTR_KBDINT))
		return;
	k->machine->set_irq(k->machine, I8042_IRQ_KBD, 1);
	k->machine->set_irq(k->machine, I8042_IRQ_KBD, 0);
}

/* Queue n bytes for the guest, all or none; lock held. */
static bool i8042_push(struct i8042 *k, const uint8_t *b, unsigned n)
{
	unsigned i;
	bool was_empty = k->count == 0;

	if (n > I8042_QUEUE - k->count)
		return false;
	for (i = 0; i < n; i++)
		k->queue[(k->head + k->count++) % I8042_QUEUE] = b[i];
	if (was_empty)
		i8042_irq(k);
	return true;
}

static void i8042_push1(struct i8042 *k, uint8_t b)
{
	i8042_push(k, &b, 1);
}

/* Tell the sender of a refused key when the queue is down to half (not at every byte the
 * guest reads: one wake-up per few keys); lock held. */
static void i8042_check_room(struct i8042 *k)
{
	if (!k->waiting || k->count > I8042_QUEUE / 2)
		return;
	k->waiting = k->deaf = false;
	if (k->room)
		k->room(k->room_opaque);
}

void i8042_init(struct i8042 *k, struct machine *machine, bool keyboard)
{
	memset(k, 0, sizeof(*k));
	pthread_mutex_init(&k->lock, NULL);
	k->machine = machine;
	k->keyboard = keyboard;
	i8042_reset(k);
}

void i8042_reset(struct i8042 *k)
{
	pthread_mutex_lock(&k->lock);
	k->head = k->count = 0;
	k->last = 0;
	k->ctr = CTR_RESET;
	k->pending = k->kbd_cmd = 0;
	k->scanning = true;
	k->last_was_cmd = false;
	i8042_check_room(k);
	pthread_mutex_unlock(&k->lock);
}

static uint64_t i8042_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A key found no room: whether to hold it (true) or drop it, the guest having read nothing
 * for I8042_PATIENCE_NS; lock held. Patience starts again whenever the guest has read. */
static bool i8042_hold(struct i8042 *k)
{
	uint64_t now = i8042_now();

	if (!k->waiting || k->taken != k->taken_then) {
		k->waiting = true;
		k->deaf = false;
		k->taken_then = k->taken;
		k->since = now;
	}
	if (now - k->since < I8042_PATIENCE_NS)
		return true;
	if (!k->deaf)
		fprintf(stderr,
			"berth-vmm: the guest has not read its keyboard for %llu s: keys "
			"dropped until it does\n",
			I8042_PATIENCE_NS / 1000000000ull);
	k->deaf = true;
	return false;
}

bool i8042_key(struct i8042 *k, unsigned xt, bool down)
{
	uint8_t b[2];
	unsigned n = 0;
	bool done = true;

	pthread_mutex_lock(&k->lock);
	if (k->keyboard && k->scanning && !(k->ctr & CTR_KBDDIS) && (xt & 0x7f)) {
		if (xt & 0x80)
			b[n++] = XT_E0_PREFIX;
		b[n++] = (uint8_t)((xt & 0x7f) | (down ? 0 : XT_RELEASE));
		if (k->count + n <= I8042_KEY_ROOM) {
			i8042_push(k, b, n);
			k->waiting = false;
		} else {
			done = !i8042_hold(k);
		}
	}
	pthread_mutex_unlock(&k->lock);
	return done;
}

/* A byte the guest sent to the keyboard; lock held. */
static void i8042_kbd_write(struct i8042 *k, uint8_t v)
{
	static const uint8_t reset[] = { KBD_ACK, KBD_BAT_OK };
	static const uint8_t id[] = { KBD_ACK, 0xAB, 0x83 };
	uint8_t arg_of = k->kbd_cmd;

	k->kbd_cmd = 0;
	if (arg_of == KBD_SCANSET && v == 0) { /* "which set?": 2 (translated to 1 for the guest) */
		const uint8_t r[] = { KBD_ACK, 2 };

		i8042_push(k, r, sizeof(r));
		return;
	}
	if (arg_of) { /* the argument of LEDs, typematic or set: taken, not modelled */
		i8042_push1(k, KBD_ACK);
		return;
	}
	switch (v) {
	case KBD_RESET:
		k->scanning = true;
		i8042_push(k, reset, sizeof(reset));
		break;
	case KBD_IDENTIFY:
		i8042_push(k, id, sizeof(id));
		break;
	case KBD_ECHO:
		i8042_push1(k, KBD_ECHO);
		break;
	case KBD_SET_LEDS:
	case KBD_TYPEMATIC:
	case KBD_SCANSET:
		k->kbd_cmd = v;
		i8042_push1(k, KBD_ACK);
		break;
	case KBD_ENABLE:
	case KBD_DEFAULTS:
		k->scanning = true;
		i8042_push1(k, KBD_ACK);
		break;
	case KBD_DISABLE:
		k->scanning = false;
		i8042_push1(k, KBD_ACK);
		break;
	default:
		i8042_push1(k, KBD_ACK);
		break;
	}
}

/* A write to port 0x60: the data byte of a pending controller command, or for the keyboard. */
static void i8042_data_write(struct i8042 *k, uint8_t v)
{
	uint8_t cmd = k->pending;

	k->pending = 0;
	switch (cmd) {
	case CMD_WRITE_CTR:
		k->ctr = v;
		i8042_irq(k); /* interrupts may just have been turned on with a byte waiting */
		break;
	case CMD_WRITE_OUTPUT:
		if (!(v & OUTPUT_PORT))
			k->machine->request(k->machine, MACHINE_RESET);
		break;
	case CMD_WRITE_KBD:
		i8042_push1(k, v);
		break;
	case CMD_WRITE_AUXOB:
	case CMD_WRITE_AUX: /* no auxiliary device: nothing answers */
		break;
	default:
		i8042_kbd_write(k, v);
		break;
	}
}

static void i8042_command(struct i8042 *k, uint8_t v)
{
	switch (v) {
	case CMD_READ_CTR:
		i8042_push1(k, k->ctr);
		break;
	case CMD_WRITE_CTR:
	case CMD_WRITE_OUTPUT:
	case CMD_WRITE_KBD:
	case CMD_WRITE_AUXOB:
	case CMD_WRITE_AUX:
		k->pending = v;
		break;
	case CMD_AUX_DISABLE:
		k->ctr |= CTR_AUXDIS;
		break;
	case CMD_AUX_ENABLE:
		k->ctr &= (uint8_t)~CTR_AUXDIS;
		break;
	case CMD_AUX_TEST:
		i8042_push1(k, AUX_TEST_CLOCK);
		break;
	case CMD_SELF_TEST:
		i8042_push1(k, SELF_TEST_OK);
		break;
	case CMD_KBD_TEST:
		i8042_push1(k, 0);
		break;
	case CMD_KBD_DISABLE:
		k->ctr |= CTR_KBDDIS;
		break;
	case CMD_KBD_ENABLE:
		k->ctr &= (uint8_t)~CTR_KBDDIS;
		break;
	case CMD_READ_INPUT:
		i8042_push1(k, 0);
		break;
	case CMD_READ_OUTPUT:
		i8042_push1(k, OUTPUT_PORT);
		break;
	default: /* others (and the pulse-line commands other than reset) do nothing here */
		break;
	}
}

void i8042_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct i8042 *k = opaque;

	if (len != 1 || (offset != I8042_DATA && offset != I8042_CMD)) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	if (is_write && offset == I8042_CMD && data[0] == CMD_RESET) {
		k->machine->request(k->machine, MACHINE_RESET);
		return;
	}
	if (!k->keyboard) { /* the reset line alone: status reads "nothing to read, room to write"
			     */
		if (!is_write)
			data[0] = 0;
		return;
	}
	pthread_mutex_lock(&k->lock);
	if (!is_write && offset == I8042_CMD) {
		data[0] = (uint8_t)((k->count ? STR_OBF : 0) | STR_SYS | STR_KEYL |
				    (k->last_was_cmd ? STR_CMD : 0));
	} else if (!is_write) {
		/* Reading with nothing queued returns the last byte again, as real controllers do.
		 */
		if (k->count) {
			k->last = k->queue[k->head];
			k->head = (k->head + 1) % I8042_QUEUE;
			k->count--;
			k->taken++;
			i8042_check_room(k);
			i8042_irq(k); /* the next byte, if any */
		}
		data[0] = k->last;
	} else if (offset == I8042_CMD) {
		k->last_was_cmd = true;
		i8042_command(k, data[0]);
	} else {
		k->last_was_cmd = false;
		i8042_data_write(k, data[0]);
	}
	pthread_mutex_unlock(&k->lock);
}
