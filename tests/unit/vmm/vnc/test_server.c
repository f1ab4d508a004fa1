/* Unit tests for the VNC server (src/vmm/vnc/server.c) with a real event loop, a real
 * display (no VM: its dirty log says "all may have changed" each tick, which is a guest that
 * redraws its whole screen all the time) and a client on the Unix socket. */
#include "testlib.h"

#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "vmm/dev/bochs_display.h"
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

/* Connect and go through the handshake; the client offers Raw and DesktopSize. */
static int client(const char *path)
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
	put(fd, "\x01", 1);	   /* ClientInit: shared */
	get(fd, b, 24);		   /* ServerInit */
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

/* What the guest drew at x, y: 0x00RRGGBB, and an unused byte that is not zero. */
static uint32_t drawn(uint32_t x, uint32_t y)
{
	return 0xab000000u | ((x * 7 + y * 13) & 0xffffff);
}

/* Whether to check pixels, and the shifts of the client's (little-endian) format. */
static bool check;
static int red_shift, green_shift, blue_shift;

static void check_row(const uint8_t *pixels, uint32_t y)
{
	uint32_t x, v, rgb, want;

	for (x = 0; check && x < WIDTH; x++) {
		memcpy(&v, pixels + x * 4, 4);
		rgb = drawn(x, y);
		want = (rgb >> 16 & 0xff) << red_shift | (rgb >> 8 & 0xff) << green_shift |
		       (rgb & 0xff) << blue_shift;
		if ((v & 0xffffff) != want && v != want)
			fail_msg("pixel %u,%u: got %08x, want %08x", x, y, v, want);
	}
}

/* Read one FramebufferUpdate: count the rows each Raw rectangle carried in seen (and check
 * their pixels: check_row), take a DesktopSize's height into *height. */
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
			check_row(pixels, y);
			seen[y]++;
		}
	}
}

struct fixture {
	struct loop l;
	struct bochs_display d;
	struct vnc_server s;
	struct loop_source stop;
	pthread_t t;
	char path[sizeof(testlib_dir) + 16];
};

/* A display in WIDTH x HEIGHT x 32 with drawn()'s picture, a VNC server on it and the loop
 * running on a thread of its own. */
static void start(struct fixture *f)
{
	struct berth_error err = { 0 };
	uint32_t x, y, v;

	snprintf(f->path, sizeof(f->path), "%s/vnc.sock", testlib_dir);
	assert_int_equal(loop_init(&f->l, &err), 0);
	assert_int_equal(bochs_display_init(&f->d, 4u << 20, NULL, 0, &f->l, &err), 0);
	vbe_write(&f->d.vbe, VBE_INDEX_XRES, WIDTH);
	vbe_write(&f->d.vbe, VBE_INDEX_YRES, HEIGHT);
	vbe_write(&f->d.vbe, VBE_INDEX_BPP, 32);
	vbe_write(&f->d.vbe, VBE_INDEX_ENABLE, VBE_ENABLED | VBE_LFB_ENABLED);
	for (y = 0; y < HEIGHT; y++)
		for (x = 0; x < WIDTH; x++) {
			v = drawn(x, y);
			memcpy(f->d.fb + (y * WIDTH + x) * 4, &v, 4);
		}
	assert_int_equal(
	    vnc_server_open(&f->s, f->path, &f->l, &f->d, &(struct vnc_input){ 0 }, &err), 0);
	f->stop =
	    (struct loop_source){ .fd = eventfd(0, EFD_CLOEXEC), .fn = on_stop, .opaque = &f->l };
	assert_int_equal(loop_add(&f->l, &f->stop, &err), 0);
	assert_int_equal(pthread_create(&f->t, NULL, run_loop, &f->l), 0);
}

static void finish(struct fixture *f)
{
	assert_int_equal(eventfd_write(f->stop.fd, 1), 0);
	pthread_join(f->t, NULL);
	vnc_server_close(&f->s);
	loop_del(&f->l, &f->stop);
	close(f->stop.fd);
	bochs_display_destroy(&f->d);
	loop_destroy(&f->l);
}

/* Ask for the whole screen until every row came (a first client's ServerInit comes before
 * the first tick reads the mode: DesktopSize brings it); seen counts the rows. */
static void first_frame(int fd, unsigned *seen)
{
	uint32_t height = 0, y = 0;

	request(fd, false);
	while (y < HEIGHT) {
		update(fd, seen, &height);
		request(fd, true);
		for (y = 0; y < HEIGHT && seen[y]; y++)
			;
	}
}

/* While the guest redraws more than one update holds, every row still reaches a client that
 * keeps asking: each update starts where the last one stopped (it used to start at the top,
 * and the rows past the first 2 MiB never came). */
static void no_row_left_behind(void **state)
{
	static struct fixture f;
	unsigned seen[HEIGHT] = { 0 }, i;
	uint32_t height = HEIGHT;
	int fd;

	(void)state;
	check = false;
	start(&f);
	fd = client(f.path);
	first_frame(fd, seen);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 6; i++) {
		update(fd, seen, &height);
		request(fd, true);
	}
	for (i = 0; i < HEIGHT; i++)
		if (!seen[i])
			fail_msg("row %u never came in 6 updates", i);
	close(fd);
	finish(&f);
}

/* Pixels in the framebuffer's own layout (copied as rows are) and in another (converted)
 * both carry the guest's colours. */
static void pixels_as_asked(void **state)
{
	static struct fixture f;
	/* SetPixelFormat: 32 bpp, depth 24, little-endian, true colour, 255 each, then shifts */
	uint8_t bgr[20] = { 0, 0, 0, 0, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 0, 8, 16 };
	unsigned seen[HEIGHT] = { 0 };
	int fd;

	(void)state;
	start(&f);
	fd = client(f.path);
	check = true;
	red_shift = 16, green_shift = 8, blue_shift = 0;
	first_frame(fd, seen);
	close(fd);

	fd = client(f.path);
	put(fd, bgr, sizeof(bgr));
	red_shift = 0, green_shift = 8, blue_shift = 16;
	memset(seen, 0, sizeof(seen));
	first_frame(fd, seen);
	check = false;
	close(fd);
	finish(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_row_left_behind),
		cmocka_unit_test(pixels_as_asked),
	};

	return cmocka_run_group_tests(tests, testlib_dir_make, testlib_dir_remove);
}
