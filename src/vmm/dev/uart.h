/* uart.h - an 8250/16550A serial port: the guest's console. */
#ifndef BERTH_VMM_DEV_UART_H
#define BERTH_VMM_DEV_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>

#include "vmm/dev/machine.h"

#define UART_RX_SIZE 4096

/* The host end of the serial line. Both calls come with the UART's lock held, from a vCPU
 * thread or from whoever called uart_receive()/uart_reset(), so they must not wait. */
struct uart_line {
	/* The guest sent c. */
	void (*transmit)(void *opaque, uint8_t c);
	/* The receive buffer, which uart_receive() found full, has drained to half: offer more. */
	void (*rx_room)(void *opaque);
	void *opaque;
};

struct uart {
	pthread_mutex_t lock;
	struct machine *machine;
	unsigned irq;
	const struct uart_line *line; /* NULL: output is discarded */
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thr_irq;  /* "transmitter empty" interrupt pending */
	int irq_level; /* what the line was last driven to */
	uint8_t rx[UART_RX_SIZE];
	unsigned rx_head, rx_len;
	bool rx_full; /* uart_receive() could not take all it was given; rx_room is owed */
};

/* Set up a UART raising irq through machine and connected to line (may be NULL). */
void uart_init(struct uart *u, struct machine *machine, unsigned irq, const struct uart_line *line);

/* Return the UART to its power-on register state (on guest reset); keeps its output. */
void uart_reset(struct uart *u);

/* Bus handler for the UART's 8 ports. */
void uart_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

/* Queue input bytes for the guest; returns how many fitted (when not all, line->rx_room
 * follows once the guest has read half the buffer). */
size_t uart_receive(struct uart *u, const uint8_t *buf, size_t n);

#endif
