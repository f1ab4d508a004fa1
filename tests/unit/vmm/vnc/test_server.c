/* Unit tests for the VNC server (src/vmm/vnc/server.c) with a real event loop, a real
 * display (no VM: its dirty log says "all may have changed" each tick, which is a guest that
 * redraws its whole screen all the time), a real keyboard controller (i8042.c) whose guest is
 * a thread, and a client on the Unix socket. */
#include "testlib.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include <zlib.h>

#include "vmm/dev/bochs_display.h"
#include "vmm/dev/i8042.h"
#include "vmm/loop.h"
#include "vmm/vnc/rfb.h"
#include "vmm/vnc/server.h"

#define WIDTH  1024
#define HEIGHT 768 /* 3 MiB at 32 bpp: more than one update holds */

static void on_stop(struct loop_source *src, uint32_t events)
{
	(void)events;
	((struct loop *)src->opaque)->stop = true;
}

static void *run_loop(void *l)
{
	struct berth_error err = { 0 };

	loop_run(l, &err);
	return NULL;
}

static void get(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (uint8_t *)buf + got, n - got);

		if (r <= 0)
			fail_msg("the server went quiet or closed (read %zd)", r);
		got += (size_t)r;
	}
}

static void put(int fd, const void *buf, size_t n)
{
	assert_int_equal(write(fd, buf, n), (ssize_t)n);
}

static uint32_t be(const uint8_t *p, unsigned n)
{
	uint32_t v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

/* Connect and go through the handshake; the client offers Raw and DesktopSize. ServerInit's
 * size goes to *height (its height) and the return value's width to *width. */
static int client(const char *path, uint32_t *width, uint32_t *height)
{
	static const uint8_t encodings[] = { 2, 0, 0, 2, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x21 };
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 10 };
	uint8_t b[64];
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	get(fd, b, RFB_VERSION_LEN);
	put(fd, RFB_VERSION_38, RFB_VERSION_LEN);
	get(fd, b, 2); /* one security type: None */
	put(fd, "\x01", 1);
	get(fd, b, 4);
	put(fd, "\x01", 1); /* ClientInit: shared */
	get(fd, b, 24);	    /* ServerInit */
	*width = be(b, 2);
	*height = be(b + 2, 2);
	get(fd, b, be(b + 20, 4)); /* its name */
	put(fd, encodings, sizeof(encodings));
	return fd;
}

static void request(int fd, bool incremental)
{
	uint8_t m[10] = { 3,	       incremental,  0, 0, 0, 0, WIDTH >> 8, WIDTH & 0xff,
			  HEIGHT >> 8, HEIGHT & 0xff };

	put(fd, m, sizeof(m));
}

/* Read one FramebufferUpdate: count the rows each Raw rectangle carried in seen, take a
 * DesktopSize's height into *height. */
static void update(int fd, unsigned *seen, uint32_t *height)
{
	static uint8_t pixels[WIDTH * 4];
	uint8_t h[12];
	uint32_t n, i, y;

	get(fd, h, 4);
	assert_int_equal(h[0], 0);
	for (n = be(h + 2, 2), i = 0; i < n; i++) {
		get(fd, h, 12);
		if ((int32_t)be(h + 8, 4) == RFB_ENC_DESKTOP_SIZE) {
			*height = be(h + 6, 2);
			continue;
		}
		assert_int_equal(be(h + 8, 4), RFB_ENC_RAW);
		assert_int_equal(be(h + 4, 2), WIDTH);
		assert_true(be(h + 2, 2) + be(h + 6, 2) <= HEIGHT);
		for (y = be(h + 2, 2); y < be(h + 2, 2) + be(h + 6, 2); y++) {
			get(fd, pixels, sizeof(pixels));
			seen[y]++;
		}
	}
}

/* A VNC server on its own loop thread, serving a WIDTH x HEIGHT display. */
struct served {
	struct loop l;
	struct bochs_display d;
	struct vnc_server s;
	struct loop_source stop;
	pthread_t t;
	char path[sizeof(testlib_dir) + 16];
};

static void serve(struct served *v, const struct vnc_input *input)
{
	struct berth_error err = { 0 };

	snprintf(v->path, sizeof(v->path), "%s/vnc.sock", testlib_dir);
	assert_int_equal(loop_init(&v->l, &err), 0);
	assert_int_equal(bochs_display_init(&v->d, 4u << 20, NULL, 0, &v->l, &err), 0);
	vbe_write(&v->d.vbe, VBE_INDEX_XRES, WIDTH);
	vbe_write(&v->d.vbe, VBE_INDEX_YRES, HEIGHT);
	vbe_write(&v->d.vbe, VBE_INDEX_BPP, 32);
	vbe_write(&v->d.vbe, VBE_INDEX_ENABLE, VBE_ENABLED | VBE_LFB_ENABLED);
	assert_int_equal(vnc_server_open(&v->s, v->path, &v->l, &v->d, input, &err), 0);
	v->stop =
	    (struct loop_source){ .fd = eventfd(0, EFD_CLOEXEC), .fn = on_stop, .opaque = &v->l };
	assert_int_equal(loop_add(&v->l, &v->stop, &err), 0);
	assert_int_equal(pthread_create(&v->t, NULL, run_loop, &v->l), 0);
}

static void serve_end(struct served *v)
{
	assert_int_equal(eventfd_write(v->stop.fd, 1), 0);
	pthread_join(v->t, NULL);
	vnc_server_close(&v->s);
	loop_del(&v->l, &v->stop);
	close(v->stop.fd);
	bochs_display_destroy(&v->d);
	loop_destroy(&v->l);
}

/* While the guest redraws more than one update holds, every row still reaches a client that
 * keeps asking: each update starts where the last one stopped (it used to start at the top,
 * and the rows past the first 2 MiB never came). */
static void no_row_left_behind(void **state)
{
	struct served v;
	unsigned seen[HEIGHT] = { 0 }, i;
	uint32_t width = 0, height = 0;
	int fd;

	(void)state;
	serve(&v, &(struct vnc_input){ 0 });
	fd = client(v.path, &width, &height);
	/* The guest set its mode before any client came, and no tick has read it yet:
	 * ServerInit tells it all the same (it used to say 640x480, the display off). */
	assert_int_equal(width, WIDTH);
	assert_int_equal(height, HEIGHT);
	request(fd, false);
	for (i = 0; i < 6; i++) {
		update(fd, seen, &height);
		request(fd, true);
	}
	for (i = 0; i < HEIGHT; i++)
		if (!seen[i])
			fail_msg("row %u never came in 6 updates", i);

	close(fd);
	serve_end(&v);
}

/* What the test's screen shows at x, y: text-like runs on black, and every 97th row noise,
 * which deflate cannot shrink (the bound on a rectangle's compressed size is tested too). */
static uint32_t pixel_at(uint32_t x, uint32_t y)
{
	uint32_t v = x * 2654435761u ^ y * 40503u;

	if (y % 97 == 0)
		return (v ^ v >> 13) & 0xffffff;
	return (x / 8 + y / 16) % 5 == 0 ? 0xaaaaaa : 0;
}

/* Read one FramebufferUpdate of zlib rectangles, inflating each through the connection's one
 * stream z, and check every row against pixel_at; count the rows in seen, the bytes in *wire. */
static void update_zlib(int fd, z_stream *z, unsigned *seen, size_t *wire)
{
	static uint8_t data[VNC_OUT_MAX], rows[WIDTH * 4 * 64];
	uint8_t h[12];
	uint32_t n, i, y0, nrows, len, y, x, got;

	get(fd, h, 4);
	assert_int_equal(h[0], 0);
	for (n = be(h + 2, 2), i = 0; i < n; i++) {
		get(fd, h, 12);
		assert_int_equal(be(h + 8, 4), RFB_ENC_ZLIB);
		assert_int_equal(be(h + 4, 2), WIDTH);
		y0 = be(h + 2, 2);
		nrows = be(h + 6, 2);
		assert_true(nrows > 0 && y0 + nrows <= HEIGHT);
		get(fd, h, 4);
		len = be(h, 4);
		assert_true(len <= sizeof(data));
		get(fd, data, len);
		*wire += 16 + len;
		z->next_in = data;
		z->avail_in = len;
		for (y = y0; y < y0 + nrows; y += got) {
			got = y0 + nrows - y < 64 ? y0 + nrows - y : 64;
			z->next_out = rows;
			z->avail_out = got * WIDTH * 4;
			assert_int_equal(inflate(z, Z_SYNC_FLUSH), Z_OK);
			assert_int_equal(z->avail_out, 0);
			for (unsigned r = 0; r < got; r++)
				for (x = 0; x < WIDTH; x++) {
					uint32_t v;

					memcpy(&v, rows + (r * WIDTH + x) * 4, 4);
					if (v != pixel_at(x, y + r))
						fail_msg("row %u, x %u: %06x, not %06x", y + r, x,
							 v, pixel_at(x, y + r));
				}
			for (unsigned r = 0; r < got; r++)
				seen[y + r]++;
		}
		assert_int_equal(z->avail_in, 0); /* the rectangle's data was its rows, no more */
	}
}

/* A client that takes the zlib encoding gets every row as the screen shows it, inflated
 * through one stream for the whole connection, in much less than the Raw bytes. */
static void zlib_rows_are_the_screen(void **state)
{
	static const uint8_t zlib_enc[] = { 2, 0, 0, 2, 0, 0, 0, 6, 0xff, 0xff, 0xff, 0x21 };
	struct served v;
	unsigned seen[HEIGHT] = { 0 }, i;
	uint32_t width, height, x, y;
	size_t wire = 0;
	z_stream z = { 0 };
	int fd;

	(void)state;
	serve(&v, &(struct vnc_input){ 0 });
	for (y = 0; y < HEIGHT; y++)
		for (x = 0; x < WIDTH; x++) {
			uint32_t p = pixel_at(x, y);

			memcpy(v.d.fb + ((size_t)y * WIDTH + x) * 4, &p, 4);
		}
	fd = client(v.path, &width, &height);
	put(fd, zlib_enc, sizeof(zlib_enc));
	assert_int_equal(inflateInit(&z), Z_OK);
	request(fd, false);
	for (i = 0; i < 4; i++) {
		update_zlib(fd, &z, seen, &wire);
		request(fd, true);
	}
	for (i = 0; i < HEIGHT; i++)
		if (!seen[i])
			fail_msg("row %u never came in 4 updates", i);
	/* four screens' worth of rows at most, in less than one screen of Raw bytes */
	assert_true(wire < (size_t)WIDTH * HEIGHT * 4);
	inflateEnd(&z);
	close(fd);
	serve_end(&v);
}

/* The keyboard behind the server, and a guest (a thread) that reads it as it comes. */
struct kbd {
	struct machine m;
	struct i8042 k;
	uint8_t got[2048];
	unsigned ngot;
	atomic_bool stop;
};

static void no_irq(struct machine *m, unsigned gsi, int level)
{
	(void)m, (void)gsi, (void)level;
}

static bool kbd_key(void *opaque, uint32_t keysym, uint32_t keycode, bool down)
{
	(void)keysym;
	return i8042_key(&((struct kbd *)opaque)->k, keycode, down);
}

static void kbd_room(void *opaque)
{
	vnc_server_room(opaque);
}

/* The guest: read each byte the controller offers, until told to stop with none left. */
static void *kbd_guest(void *opaque)
{
	struct kbd *g = opaque;
	uint8_t st, b;

	for (;;) {
		i8042_io(&g->k, 4, &st, 1, false);
		if (!(st & 1)) {
			if (atomic_load(&g->stop))
				return NULL;
			usleep(200);
			continue;
		}
		i8042_io(&g->k, 0, &b, 1, false);
		if (g->ngot < sizeof(g->got))
			g->got[g->ngot++] = b;
	}
}

/* A client sends 1200 key events at once (Shift, 'a' down and up, Shift up, 300 times: 14 KB,
 * more than the server's input buffer) to a keyboard whose queue holds 64 bytes: the client
 * is held while the queue is full, and every key reaches the guest, in order; the update
 * request sent after them is answered. (Keys that did not fit used to be dropped.) */
static void keys_wait_for_the_guest(void **state)
{
	static const uint8_t want[] = { 0x2a, 0x1e, 0x9e, 0xaa };
	static const uint8_t code[] = { 0x2a, 0x1e, 0x1e, 0x2a };
	static uint8_t keys[1200 * 12];
	struct kbd g = { .m.set_irq = no_irq };
	struct served v;
	unsigned seen[HEIGHT] = { 0 }, i;
	uint32_t width, height;
	pthread_t guest;
	int fd;

	(void)state;
	i8042_init(&g.k, &g.m, true);
	serve(&v, &(struct vnc_input){ .key = kbd_key, .opaque = &g });
	g.k.room = kbd_room;
	g.k.room_opaque = &v.s;
	fd = client(v.path, &width, &height);
	for (i = 0; i < 1200; i++) { /* QEMU's extended key event */
		uint8_t *m = keys + 12 * i;

		memset(m, 0, 12);
		m[0] = 255;
		m[3] = i % 4 < 2; /* down, down, up, up */
		m[11] = code[i % 4];
	}
	put(fd, keys, sizeof(keys));
	request(fd, false);
	assert_int_equal(pthread_create(&guest, NULL, kbd_guest, &g), 0);
	update(fd, seen, &height); /* after every key was taken */
	atomic_store(&g.stop, true);
	pthread_join(guest, NULL);
	assert_int_equal(g.ngot, 1200);
	for (i = 0; i < 1200; i++)
		if (g.got[i] != want[i % 4])
			fail_msg("byte %u is %#x, not %#x", i, g.got[i], want[i % 4]);

	close(fd);
	serve_end(&v);
	pthread_mutex_destroy(&g.k.lock);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_row_left_behind),
		cmocka_unit_test(keys_wait_for_the_guest),
		cmocka_unit_test(zlib_rows_are_the_screen),
	};

	return cmocka_run_group_tests(tests, testlib_dir_make, testlib_dir_remove);
}
