/* server.c - VNC clients on the event loop (see server.h). */
#include "server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <zlib.h>

#include "vmm/vnc/rfb.h"

#define VNC_IN_BUF	4096
#define VNC_NAME	"berth-vmm"
#define VNC_OFF_WIDTH	640 /* what a client is told while the display is off */
#define VNC_OFF_HEIGHT	480
#define VNC_MAX_RECTS	16
#define VNC_RECT_HEADER 12
#define VNC_UPDATE_TYPE 0
#define VNC_PAGE	4096

struct vnc_client {
	struct loop_source src;
	struct vnc_server *srv;
	struct rfb_parser parser;
	uint8_t in[VNC_IN_BUF];
	size_t inlen;
	uint8_t *out; /* VNC_OUT_MAX bytes */
	size_t outlen, outpos;
	struct rfb_pixel_format pf;
	bool ready;		     /* past ClientInit */
	bool want_update;	     /* a FramebufferUpdateRequest waits */
	bool desktop_size;	     /* it takes DesktopSize */
	bool ext_key;		     /* it offered QEMU's extended key event */
	bool ext_key_told;	     /* ... and was told we take it */
	bool dead;		     /* shut down; freed when its callback sees end-of-file */
	bool held;		     /* a key the keyboard had no room for waits at in[0] */
	bool zlib;		     /* it takes the zlib encoding */
	z_stream *z;		     /* its one deflate stream, made at its first zlib update */
	uint8_t *zrow;		     /* a row in its pixel format, on its way into z */
	uint32_t width, height;	     /* the size it was told */
	uint32_t next_row;	     /* where the next update starts looking for dirty rows */
	size_t tick_bytes;	     /* bytes it was sent since the last tick */
	uint8_t dirty[VBE_MAX_YRES]; /* rows it has not seen */
};

static const struct rfb_pixel_format vnc_native = {
	.bpp = 32,
	.depth = 24,
	.true_colour = true,
	.red_max = 255,
	.green_max = 255,
	.blue_max = 255,
	.red_shift = 16,
	.green_shift = 8,
	.blue_shift = 0,
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void vnc_kill(struct vnc_client *c, const char *why)
{
	if (c->dead)
		return;
	if (why)
		fprintf(stderr, "berth-vmm: VNC client dropped: %s\n", why);
	shutdown(c->src.fd, SHUT_RDWR);
	c->dead = true;
}

/* Write what is pending without waiting; the rest when the socket has room. */
static void vnc_flush(struct vnc_client *c)
{
	while (c->outpos < c->outlen && !c->dead) {
		ssize_t n = send(c->src.fd, c->out + c->outpos, c->outlen - c->outpos,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			vnc_kill(c, NULL);
			return;
		}
		c->outpos += (size_t)n;
	}
	if (c->outpos == c->outlen)
		c->outpos = c->outlen = 0;
	if (!c->dead)
		loop_watch(c->srv->loop, &c->src, !c->held, c->outlen != 0);
}

/* Queue a small message (handshake replies); a client whose buffer is full is dropped. */
static void vnc_send(struct vnc_client *c, const void *data, size_t len)
{
	if (c->dead)
		return;
	if (len > VNC_OUT_MAX - c->outlen) {
		vnc_kill(c, "it does not read what it is sent");
		return;
	}
	memcpy(c->out + c->outlen, data, len);
	c->outlen += len;
	vnc_flush(c);
}

static void vnc_all_dirty(struct vnc_client *c)
{
	memset(c->dirty, 1, sizeof(c->dirty));
}

/* Read the guest's mode; when it changed, every client's picture is stale. Ticks run only
 * while clients are connected, so a mode set with none (the firmware's or efifb's, before
 * anyone looked) is first seen by the next client's ServerInit, which reads it too. */
static void vnc_refresh_mode(struct vnc_server *s)
{
	struct vbe_mode m;
	bool on = bochs_display_mode(s->display, &m);

	if (on == s->mode_on && (!on || !memcmp(&m, &s->mode, sizeof(m))))
		return;
	s->mode_on = on;
	s->mode = m;
	for (unsigned i = 0; i < VNC_MAX_CLIENTS; i++)
		if (s->clients[i])
			vnc_all_dirty(s->clients[i]);
}

static void vnc_screen_size(const struct vnc_server *s, uint32_t *w, uint32_t *h)
{
	*w = s->mode_on ? s->mode.width : VNC_OFF_WIDTH;
	*h = s->mode_on ? s->mode.height : VNC_OFF_HEIGHT;
}

static void vnc_server_init(struct vnc_client *c)
{
	uint8_t m[24 + sizeof(VNC_NAME) - 1];
	const struct rfb_pixel_format *pf = &vnc_native;

	vnc_refresh_mode(c->srv);
	vnc_screen_size(c->srv, &c->width, &c->height);
	put16(m, (uint16_t)c->width);
	put16(m + 2, (uint16_t)c->height);
	m[4] = pf->bpp;
	m[5] = pf->depth;
	m[6] = pf->big_endian;
	m[7] = pf->true_colour;
	put16(m + 8, pf->red_max);
	put16(m + 10, pf->green_max);
	put16(m + 12, pf->blue_max);
	m[14] = pf->red_shift;
	m[15] = pf->green_shift;
	m[16] = pf->blue_shift;
	memset(m + 17, 0, 3);
	put32(m + 20, sizeof(VNC_NAME) - 1);
	memcpy(m + 24, VNC_NAME, sizeof(VNC_NAME) - 1);
	c->pf = *pf;
	c->ready = true;
	vnc_all_dirty(c);
	vnc_send(c, m, sizeof(m));
}

/* Only true-colour 32-bit formats with 8-bit channels: what every current client offers. */
static bool vnc_pf_ok(const struct rfb_pixel_format *pf)
{
	return pf->bpp == 32 && pf->true_colour && pf->red_max == 255 && pf->green_max == 255 &&
	       pf->blue_max == 255 && pf->red_shift <= 24 && pf->green_shift <= 24 &&
	       pf->blue_shift <= 24;
}

static void vnc_update(struct vnc_client *c);

/* Act on one message: false when it is a key the keyboard has no room for now. */
static bool vnc_message(struct vnc_client *c, const struct rfb_msg *m)
{
	static const uint8_t security[] = { 1, RFB_SECURITY_NONE }, ok[4] = { 0 };
	unsigned i;

	switch (m->type) {
	case RFB_MSG_VERSION:
		vnc_send(c, security, sizeof(security));
		break;
	case RFB_MSG_SECURITY:
		vnc_send(c, ok, sizeof(ok));
		break;
	case RFB_MSG_CLIENT_INIT:
		vnc_server_init(c);
		break;
	case RFB_MSG_PIXEL_FORMAT:
		if (!vnc_pf_ok(&m->pf)) {
			vnc_kill(c, "pixel format other than 32-bit true colour");
			break;
		}
		c->pf = m->pf;
		vnc_all_dirty(c);
		break;
	case RFB_MSG_ENCODINGS:
		if (m->enc.first)
			c->desktop_size = c->ext_key = c->zlib = false;
		for (i = 0; i < m->enc.n; i++) {
			c->desktop_size |= m->enc.enc[i] == RFB_ENC_DESKTOP_SIZE;
			c->ext_key |= m->enc.enc[i] == RFB_ENC_QEMU_EXT_KEY;
			c->zlib |= m->enc.enc[i] == RFB_ENC_ZLIB;
		}
		break;
	case RFB_MSG_UPDATE:
		c->want_update = true;
		if (!m->update.incremental)
			vnc_all_dirty(c);
		/* Rows the last tick marked and the last update had no room for go at once, not a
		 * tick later; up to a screen's worth a tick, so that a client that asks all the
		 * time still costs at most that many conversions. (A whole-screen request waits for
		 * the tick: its mode is read there.) */
		else if (c->ready && c->outlen == 0 &&
			 c->tick_bytes < (size_t)c->width * c->height * 4)
			vnc_update(c);
		break;
	case RFB_MSG_KEY:
		if (c->srv->input.key)
			return c->srv->input.key(c->srv->input.opaque, m->key.keysym,
						 m->key.keycode, m->key.down);
		break;
	case RFB_MSG_POINTER:
		if (c->srv->input.pointer) {
			/* The guest's mode now, not the last tick's: the guest scales the tablet's
			 * axes to the screen it has. */
			struct vbe_mode mode;
			bool on = bochs_display_mode(c->srv->display, &mode);

			c->srv->input.pointer(c->srv->input.opaque, m->pointer.x, m->pointer.y,
					      on ? mode.width : VNC_OFF_WIDTH,
					      on ? mode.height : VNC_OFF_HEIGHT,
					      m->pointer.buttons);
		}
		break;
	default: /* cut text (skipped), skipped bytes */
		break;
	}
	return true;
}

static void vnc_client_free(struct vnc_client *c)
{
	struct vnc_server *s = c->srv;
	unsigned i;

	for (i = 0; i < VNC_MAX_CLIENTS; i++)
		if (s->clients[i] == c)
			s->clients[i] = NULL;
	s->nclients--;
	loop_del(s->loop, &c->src);
	close(c->src.fd);
	if (c->z)
		deflateEnd(c->z);
	free(c->z);
	free(c->zrow);
	free(c->out);
	free(c);
	if (s->nclients == 0)
		timerfd_settime(s->tick.fd, 0, &(struct itimerspec){ 0 }, NULL);
}

/* Act on the whole messages in c->in, up to a key the keyboard has no room for: that one
 * stays at in[0], and the client's socket is not read until vnc_resume finds room for it. (A
 * key is parsed again then: key messages leave the parser's state as it was.) */
static void vnc_take(struct vnc_client *c)
{
	const char *why = NULL;
	size_t pos = 0;

	c->held = false;
	while (!c->dead && pos < c->inlen) {
		struct rfb_msg m;
		ssize_t used = rfb_parse(&c->parser, c->in + pos, c->inlen - pos, &m, &why);

		if (used < 0) {
			vnc_kill(c, why);
			break;
		}
		if (used == 0)
			break;
		if (!vnc_message(c, &m)) {
			c->held = true;
			break;
		}
		pos += (size_t)used;
	}
	c->inlen -= pos;
	memmove(c->in, c->in + pos, c->inlen);
	if (!c->dead)
		loop_watch(c->srv->loop, &c->src, !c->held, c->outlen != 0);
}

static void vnc_on_client(struct loop_source *src, uint32_t events)
{
	struct vnc_client *c = src->opaque;
	ssize_t n;

	if (events & EPOLLOUT)
		vnc_flush(c);
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	if (c->held && !(events & (EPOLLHUP | EPOLLERR)))
		return; /* its input waits for the keyboard */
	n = c->held ? 0 : read(src->fd, c->in + c->inlen, sizeof(c->in) - c->inlen);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || c->dead) {
		vnc_client_free(c);
		return;
	}
	c->inlen += (size_t)n;
	vnc_take(c);
}

static void vnc_on_connect(struct loop_source *src, uint32_t events)
{
	struct vnc_server *s = src->opaque;
	struct berth_error err = { 0 };
	struct vnc_client *c = NULL;
	unsigned i;
	int fd;

	(void)events;
	fd = accept_guard_accept(&s->guard);
	if (fd < 0)
		return;
	for (i = 0; i < VNC_MAX_CLIENTS && s->clients[i]; i++)
		;
	if (i < VNC_MAX_CLIENTS && (c = calloc(1, sizeof(*c))) && !(c->out = malloc(VNC_OUT_MAX))) {
		free(c);
		c = NULL;
	}
	if (!c) {
		/* RFB's way to refuse: the version, then zero security types and a reason. */
		static const char busy[] = RFB_VERSION_38 "\0\0\0\0\x20"
							  "too many VNC clients (at most 4)";

		if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			(void)0; /* it is going away anyway */
		close(fd);
		return;
	}
	c->src = (struct loop_source){ .fd = fd, .fn = vnc_on_client, .opaque = c };
	c->srv = s;
	rfb_parser_init(&c->parser);
	if (loop_add(s->loop, &c->src, &err)) {
		close(fd);
		free(c->out);
		free(c);
		return;
	}
	s->clients[i] = c;
	if (s->nclients++ == 0)
		timerfd_settime(
		    s->tick.fd, 0,
		    &(struct itimerspec){ .it_interval.tv_nsec = 1000000000 / VNC_TICK_HZ,
					  .it_value.tv_nsec = 1000000000 / VNC_TICK_HZ },
		    NULL);
	vnc_send(c, RFB_VERSION_38, RFB_VERSION_LEN);
}

/* Mark the rows of every client that the dirty pages cover. */
static void vnc_mark_pages(struct vnc_server *s, bool all)
{
	const struct vbe_mode *m = &s->mode;
	uint64_t npages = s->display->fb_size / VNC_PAGE, p;
	unsigned i;

	for (p = 0; p < npages; p++) {
		uint64_t start = p * VNC_PAGE, end = start + VNC_PAGE, y0, y1, y;

		if (!all && !(s->pages[p / 64] >> (p % 64) & 1))
			continue;
		if (end <= m->offset || start >= m->offset + (uint64_t)m->height * m->stride)
			continue;
		y0 = start > m->offset ? (start - m->offset) / m->stride : 0;
		y1 = (end - m->offset - 1) / m->stride;
		if (y1 >= m->height)
			y1 = m->height - 1;
		for (i = 0; i < VNC_MAX_CLIENTS; i++)
			for (y = y0; s->clients[i] && y <= y1; y++)
				s->clients[i]->dirty[y] = 1;
	}
}

static uint32_t vnc_convert(const struct rfb_pixel_format *pf, uint32_t rgb)
{
	return ((rgb >> 16) & 0xff) << pf->red_shift | ((rgb >> 8) & 0xff) << pf->green_shift |
	       (rgb & 0xff) << pf->blue_shift;
}

/* Row y of the screen, w pixels, in c's pixel format at dst. */
static void vnc_put_row(const struct vnc_client *c, uint32_t y, uint32_t w, uint8_t *dst)
{
	const struct vbe_mode *m = &c->srv->mode;
	/* The guest may draw meanwhile: a torn row, never a read outside fb. */
	const uint8_t *row = c->srv->display->fb + m->offset + (uint64_t)y * m->stride;

	for (uint32_t x = 0; x < w; x++, dst += 4) {
		uint32_t v =
		    vnc_convert(&c->pf, bochs_display_pixel(row + x * m->bytes_pp, m->bytes_pp));

		if (c->pf.big_endian)
			put32(dst, v);
		else
			memcpy(dst, &v, 4); /* x86: little-endian */
	}
}

/* The most that n bytes of pixels become in the zlib stream, flushed (zlib's own bound for
 * deflate is n + n/4096 + 13 and a few bytes, a sync flush 5 more). */
static size_t vnc_zbound(size_t n)
{
	return n + (n >> 10) + 64;
}

/* Whether n more bytes of pixels fit in c's update, in a rectangle whose data starts at data
 * and has taken in bytes of pixels so far. */
static bool vnc_fits(const struct vnc_client *c, size_t data, size_t in, size_t n)
{
	return data + (c->z ? vnc_zbound(in + n) : in + n) <= VNC_OUT_MAX;
}

/* c's deflate stream, made at its first zlib update (level 1: a screen is mostly runs of
 * one colour, and the event loop is not to be held); false when there is no memory for it:
 * Raw then. */
static bool vnc_zlib_ready(struct vnc_client *c)
{
	if (!c->zlib)
		return false;
	if (c->z)
		return true;
	c->z = calloc(1, sizeof(*c->z));
	c->zrow = malloc((size_t)VBE_MAX_XRES * 4);
	if (c->z && c->zrow && deflateInit(c->z, 1) == Z_OK)
		return true;
	free(c->z);
	free(c->zrow);
	c->z = NULL;
	c->zrow = NULL;
	c->zlib = false;
	return false;
}

/* Runs of c's dirty rows from y up to end, w pixels wide, as Raw or zlib rectangles into
 * c->out at *len, while VNC_OUT_MAX and VNC_MAX_RECTS allow; returns the row where it stopped
 * (end when it went through). A zlib rectangle is its length and the rows deflated into c's
 * one stream, flushed, so that the client inflates each rectangle as it comes. */
static uint32_t vnc_rows(struct vnc_client *c, uint32_t y, uint32_t end, uint32_t w, size_t *len,
			 uint32_t *nrects)
{
	uint32_t row_bytes = w * 4;
	bool zlib = vnc_zlib_ready(c);
	uint8_t *o = c->out;

	while (w && *nrects < VNC_MAX_RECTS) {
		size_t head = *len, data = head + VNC_RECT_HEADER + (zlib ? 4 : 0), in = 0;
		uint32_t y0;

		while (y < end && !c->dirty[y])
			y++;
		if (y == end || !vnc_fits(c, data, 0, row_bytes))
			break;
		y0 = y;
		put16(o + head, 0);
		put16(o + head + 2, (uint16_t)y0);
		put16(o + head + 4, (uint16_t)w);
		put32(o + head + 8, (uint32_t)(zlib ? RFB_ENC_ZLIB : RFB_ENC_RAW));
		if (zlib) {
			c->z->next_out = o + data;
			c->z->avail_out = (uInt)(VNC_OUT_MAX - data);
		}
		for (; y < end && c->dirty[y] && vnc_fits(c, data, in, row_bytes); y++) {
			if (zlib) {
				vnc_put_row(c, y, w, c->zrow);
				c->z->next_in = c->zrow;
				c->z->avail_in = row_bytes;
				if (deflate(c->z, Z_NO_FLUSH) != Z_OK || c->z->avail_in) {
					vnc_kill(c, "its zlib stream failed");
					return end;
				}
			} else {
				vnc_put_row(c, y, w, o + data + in);
			}
			in += row_bytes;
			c->dirty[y] = 0;
		}
		if (zlib) {
			/* vnc_fits kept room for the flush: a full buffer would be a bad bound */
			if (deflate(c->z, Z_SYNC_FLUSH) != Z_OK || c->z->avail_out == 0) {
				vnc_kill(c, "its zlib stream did not fit an update");
				return end;
			}
			in = (size_t)(c->z->next_out - (o + data));
			put32(o + data - 4, (uint32_t)in);
		}
		put16(o + head + 6, (uint16_t)(y - y0));
		*len = data + in;
		(*nrects)++;
	}
	return w ? y : end;
}

/* One update for c: a DesktopSize or ext-key pseudo-rectangle if due, then runs of dirty rows
 * as Raw rectangles, as many rows as VNC_OUT_MAX holds, starting where the last update
 * stopped: a guest that redraws more than one update holds leaves no row behind. */
static void vnc_update(struct vnc_client *c)
{
	struct vnc_server *s = c->srv;
	const struct vbe_mode *m = &s->mode;
	uint32_t w, h, start, stop, nrects = 0;
	size_t len = 4;
	uint8_t *o = c->out;

	vnc_screen_size(s, &w, &h);
	if (w != c->width || h != c->height) {
		if (c->desktop_size) {
			c->width = w;
			c->height = h;
			put16(o + len, 0), put16(o + len + 2, 0);
			put16(o + len + 4, (uint16_t)w), put16(o + len + 6, (uint16_t)h);
			put32(o + len + 8, (uint32_t)RFB_ENC_DESKTOP_SIZE);
			len += VNC_RECT_HEADER;
			nrects++;
			vnc_all_dirty(c);
		}
	}
	if (c->ext_key && !c->ext_key_told) {
		memset(o + len, 0, 8);
		put32(o + len + 8, (uint32_t)RFB_ENC_QEMU_EXT_KEY);
		len += VNC_RECT_HEADER;
		nrects++;
		c->ext_key_told = true;
	}
	/* The picture as the client knows it: clipped to its size (without DesktopSize). */
	w = s->mode_on ? (m->width < c->width ? m->width : c->width) : 0;
	h = s->mode_on ? (m->height < c->height ? m->height : c->height) : 0;
	start = c->next_row < h ? c->next_row : 0;
	stop = vnc_rows(c, start, h, w, &len, &nrects);
	if (stop == h && !c->dead)
		stop = vnc_rows(c, 0, start, w, &len, &nrects);
	if (c->dead)
		return;
	if (stop != start) /* it stopped short: the rest goes first next time */
		c->next_row = stop;
	if (nrects == 0)
		return; /* nothing new: the request waits */
	o[0] = VNC_UPDATE_TYPE;
	o[1] = 0;
	put16(o + 2, (uint16_t)nrects);
	c->outlen = len;
	c->outpos = 0;
	c->tick_bytes += len;
	c->want_update = false;
	vnc_flush(c);
}

/* Offer each held client's key again, and go on with its input if it is taken. */
static void vnc_resume(struct vnc_server *s)
{
	unsigned i;

	for (i = 0; i < VNC_MAX_CLIENTS; i++)
		if (s->clients[i] && s->clients[i]->held && !s->clients[i]->dead)
			vnc_take(s->clients[i]);
}

static void vnc_on_room(struct loop_source *src, uint32_t events)
{
	uint64_t n;

	(void)events;
	if (read(src->fd, &n, sizeof(n)) == sizeof(n))
		vnc_resume(src->opaque);
}

void vnc_server_room(struct vnc_server *s)
{
	uint64_t one = 1;
	ssize_t n = write(s->room.fd, &one, sizeof(one));

	(void)n; /* only fails when the counter is already non-zero: the loop is woken anyway */
}

static void vnc_on_tick(struct loop_source *src, uint32_t events)
{
	struct vnc_server *s = src->opaque;
	uint64_t n;
	bool all;
	unsigned i;

	(void)events;
	if (read(src->fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return;
	all = bochs_display_dirty(s->display, s->pages) != 0;
	vnc_refresh_mode(s);
	if (s->mode_on)
		vnc_mark_pages(s, all);
	vnc_resume(s); /* the keyboard may have room, or have given up on its guest */
	for (i = 0; i < VNC_MAX_CLIENTS; i++) {
		struct vnc_client *c = s->clients[i];

		if (!c)
			continue;
		c->tick_bytes = 0;
		if (c->ready && c->want_update && !c->dead && c->outlen == 0)
			vnc_update(c);
	}
}

int vnc_server_open(struct vnc_server *s, const char *path, struct loop *loop,
		    struct bochs_display *display, const struct vnc_input *input,
		    struct berth_error *err)
{
	memset(s, 0, sizeof(*s));
	s->loop = loop;
	s->display = display;
	s->input = *input;
	s->tick.fd = s->room.fd = -1;
	s->pages = calloc(display->fb_size / VNC_PAGE / 64 + 1, sizeof(*s->pages));
	if (!s->pages)
		return berr(err, ENOMEM, "--vnc");
	s->listen.fd = unix_listen(path, 0600, "--vnc", &s->file, err);
	if (s->listen.fd < 0)
		return -1;
	s->path = path;
	s->listen.fn = vnc_on_connect;
	s->listen.opaque = s;
	s->tick =
	    (struct loop_source){ .fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK),
				  .fn = vnc_on_tick,
				  .opaque = s };
	if (s->tick.fd < 0)
		return berr(err, errno, "--vnc: timerfd_create");
	s->room = (struct loop_source){ .fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK),
					.fn = vnc_on_room,
					.opaque = s };
	if (s->room.fd < 0)
		return berr(err, errno, "--vnc: eventfd");
	if (loop_add(loop, &s->tick, err) || loop_add(loop, &s->room, err) ||
	    loop_add(loop, &s->listen, err) ||
	    accept_guard_init(&s->guard, loop, &s->listen, "", err))
		return -1;
	return 0;
}

void vnc_server_close(struct vnc_server *s)
{
	unsigned i;

	if (!s->pages) /* never opened */
		return;
	for (i = 0; i < VNC_MAX_CLIENTS; i++)
		if (s->clients[i])
			vnc_client_free(s->clients[i]);
	if (s->path) {
		accept_guard_destroy(&s->guard);
		close(s->listen.fd);
		unix_listen_remove(s->path, &s->file);
	}
	if (s->tick.fd >= 0)
		close(s->tick.fd);
	if (s->room.fd >= 0)
		close(s->room.fd);
	s->room.fd = -1;
	free(s->pages);
	s->pages = NULL;
	s->path = NULL;
}
