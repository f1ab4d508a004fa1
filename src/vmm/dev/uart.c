/* uart.c - 8250/16550A register model (enough for Linux's 8250 driver and early console). */
#include "uart.h"

#include <string.h>

enum { RBR_THR = 0, IER = 1, IIR_FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

#define IER_RDI	     0x01
#define IER_THRI     0x02
#define IIR_NONE     0x01
#define IIR_THRI     0x02
#define IIR_RDI	     0x04
#define IIR_FIFO     0xc0
#define FCR_ENABLE   0x01
#define FCR_CLEAR_RX 0x02
#define LCR_DLAB     0x80
#define LSR_DR	     0x01
#define LSR_THRE     0x20
#define LSR_TEMT     0x40
#define MCR_LOOP     0x10
#define MSR_CTS	     0x10
#define MSR_DSR	     0x20
#define MSR_RI	     0x40
#define MSR_DCD	     0x80

void uart_init(struct uart *u, struct machine *machine, unsigned irq, const struct uart_line *line)
{
	memset(u, 0, sizeof(*u));
	pthread_mutex_init(&u->lock, NULL);
	u->machine = machine;
	u->irq = irq;
	u->line = line;
	uart_reset(u);
}

/* Called with the lock held: tell the line when the buffer it filled has room again. Waiting
 * for half rather than one byte wakes the host once per 2 KiB, not once per byte. */
static void uart_check_room(struct uart *u)
{
	if (u->rx_full && u->rx_len <= UART_RX_SIZE / 2) {
		u->rx_full = false;
		if (u->line && u->line->rx_room)
			u->line->rx_room(u->line->opaque);
	}
}

void uart_reset(struct uart *u)
{
	pthread_mutex_lock(&u->lock);
	u->ier = u->lcr = u->mcr = u->scr = u->dlm = u->fcr = 0;
	u->dll = 0x0c; /* 9600 baud */
	u->thr_irq = false;
	u->rx_head = u->rx_len = 0;
	u->irq_level = 0;
	uart_check_room(u);
	pthread_mutex_unlock(&u->lock);
}

static uint8_t uart_iir(const struct uart *u)
{
	uint8_t fifo = (u->fcr & FCR_ENABLE) ? IIR_FIFO : 0;

	if ((u->ier & IER_RDI) && u->rx_len)
		return fifo | IIR_RDI;
	if ((u->ier & IER_THRI) && u->thr_irq)
		return fifo | IIR_THRI;
	return fifo | IIR_NONE;
}

/* Called with the lock held: drive the line to match what is pending. */
static void uart_update_irq(struct uart *u)
{
	int level = !(uart_iir(u) & IIR_NONE);

	if (level != u->irq_level) {
		u->irq_level = level;
		u->machine->set_irq(u->machine, u->irq, level);
	}
}

static void uart_transmit(struct uart *u, uint8_t c)
{
	if (u->mcr & MCR_LOOP) {
		if (u->rx_len < UART_RX_SIZE)
			u->rx[(u->rx_head + u->rx_len++) % UART_RX_SIZE] = c;
	} else if (u->line) {
		u->line->transmit(u->line->opaque, c);
	}
	u->thr_irq = true; /* sent at once: the holding register is empty again */
}

static uint8_t uart_msr(const struct uart *u)
{
	uint8_t m = u->mcr;

	if (!(m & MCR_LOOP))
		return MSR_DCD | MSR_DSR | MSR_CTS;
	/* Loopback: outputs feed the modem-status inputs (DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD).
	 */
	return (uint8_t)(((m & 1) ? MSR_DSR : 0) | ((m & 2) ? MSR_CTS : 0) |
			 ((m & 4) ? MSR_RI : 0) | ((m & 8) ? MSR_DCD : 0));
}

static uint8_t uart_read(struct uart *u, unsigned reg)
{
	uint8_t v = 0;

	switch (reg) {
	case RBR_THR:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		if (u->rx_len) {
			v = u->rx[u->rx_head];
			u->rx_head = (u->rx_head + 1) % UART_RX_SIZE;
			u->rx_len--;
		}
		return v;
	case IER:
		return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
	case IIR_FCR:
		v = uart_iir(u);
		if ((v & 0x0f) == IIR_THRI)
			u->thr_irq = false; /* reading IIR acknowledges "transmitter empty" */
		return v;
	case LCR:
		return u->lcr;
	case MCR:
		return u->mcr;
	case LSR:
		return (u->rx_len ? LSR_DR : 0) | LSR_THRE | LSR_TEMT;
	case MSR:
		return uart_msr(u);
	default:
		return u->scr;
	}
}

static void uart_write(struct uart *u, unsigned reg, uint8_t v)
{
	switch (reg) {
	case RBR_THR:
		if (u->lcr & LCR_DLAB)
			u->dll = v;
		else
			uart_transmit(u, v);
		break;
	case IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = v;
		} else {
			if ((v & IER_THRI) && !(u->ier & IER_THRI))
				u->thr_irq =
				    true; /* enabling it with an empty THR raises it at once */
			u->ier = v & 0x0f;
		}
		break;
	case IIR_FCR:
		u->fcr = v & ~FCR_CLEAR_RX;
		if (v & FCR_CLEAR_RX)
			u->rx_head = u->rx_len = 0;
		break;
	case LCR:
		u->lcr = v;
		break;
	case MCR:
		u->mcr = v & 0x1f;
		break;
	case SCR:
		u->scr = v;
		break;
	default: /* LSR and MSR are read-only */
		break;
	}
}

void uart_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct uart *u = opaque;
	uint32_t i;

	pthread_mutex_lock(&u->lock);
	/* Wider accesses touch consecutive registers, as on an ISA bus. */
	for (i = 0; i < len; i++) {
		unsigned reg = (unsigned)((offset + i) & 7);

		if (is_write)
			uart_write(u, reg, data[i]);
		else
			data[i] = uart_read(u, reg);
	}
	uart_update_irq(u);
	uart_check_room(u);
	pthread_mutex_unlock(&u->lock);
}

size_t uart_receive(struct uart *u, const uint8_t *buf, size_t n)
{
	size_t i;

	pthread_mutex_lock(&u->lock);
	for (i = 0; i < n && u->rx_len < UART_RX_SIZE; i++)
		u->rx[(u->rx_head + u->rx_len++) % UART_RX_SIZE] = buf[i];
	if (i < n)
		u->rx_full = true;
	uart_update_irq(u);
	pthread_mutex_unlock(&u->lock);
	return i;
}
