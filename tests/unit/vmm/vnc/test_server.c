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

/* While the guest redraws more than one update holds, every row still reaches a client that
 * keeps asking: each update starts where the last one stopped (it used to start at the top,
 * and the rows past the first 2 MiB never came). */
static void no_row_left_behind(void **state)
{
	struct loop l;
	struct berth_error err = { 0 };
	struct bochs_display d;
	struct vnc_server s;
	struct loop_source stop;
	char path[sizeof(testlib_dir) + 16];
	unsigned seen[HEIGHT] = { 0 }, i;
	uint32_t width = 0, height = 0;
	pthread_t t;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/vnc.sock", testlib_dir);
	assert_int_equal(loop_init(&l, &err), 0);
	assert_int_equal(bochs_display_init(&d, 4u << 20, NULL, 0, &l, &err), 0);
	vbe_write(&d.vbe, VBE_INDEX_XRES, WIDTH);
	vbe_write(&d.vbe, VBE_INDEX_YRES, HEIGHT);
	vbe_write(&d.vbe, VBE_INDEX_BPP, 32);
	vbe_write(&d.vbe, VBE_INDEX_ENABLE, VBE_ENABLED | VBE_LFB_ENABLED);
	assert_int_equal(vnc_server_open(&s, path, &l, &d, &(struct vnc_input){ 0 }, &err), 0);
	stop = (struct loop_source){ .fd = eventfd(0, EFD_CLOEXEC), .fn = on_stop, .opaque = &l };
	assert_int_equal(loop_add(&l, &stop, &err), 0);
	assert_int_equal(pthread_create(&t, NULL, run_loop, &l), 0);

	fd = client(path, &width, &height);
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
	assert_int_equal(eventfd_write(stop.fd, 1), 0);
	pthread_join(t, NULL);
	vnc_server_close(&s);
	loop_del(&l, &stop);
	close(stop.fd);
	bochs_display_destroy(&d);
	loop_destroy(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_row_left_behind),
	};

	return cmocka_run_group_tests(tests, testlib_dir_make, testlib_dir_remove);
}
