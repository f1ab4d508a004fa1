/* uart.h - an 8250/16550A serial port: the guest's console. */
#ifndef BERTH_VMM_DEV_UART_H
#define BERTH_VMM_DEV_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>

#include "vmm/dev/machine.h"

#define UART_RX_SIZE 4096

struct uart {
	pthread_mutex_t lock;
	struct machine *machine;
	unsigned irq;
	int out_fd; /* where transmitted bytes go; -1 discards them */
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thr_irq;   /* "transmitter empty" interrupt pending */
	int irq_level;  /* what the line was last driven to */
	uint8_t rx[UART_RX_SIZE];
	unsigned rx_head, rx_len;
};

/* Set up a UART raising irq through machine and writing output to out_fd. */
void uart_init(struct uart *u, struct machine *machine, unsigned irq, int out_fd);

/* Return the UART to its power-on register state (on guest reset); keeps its output. */
void uart_reset(struct uart *u);

/* Bus handler for the UART's 8 ports. */
void uart_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

/* Queue input bytes for the guest; returns how many fitted. */
size_t uart_receive(struct uart *u, const uint8_t *buf, size_t n);

#endif
