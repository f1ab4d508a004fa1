/* Unit tests for src/daemon/api/ws_proxy.c over socketpairs: a client's frames reach the
 * console as bytes, the console's bytes come back as binary frames, a ping is answered, a
 * close echoed, and an unmasked or too long frame closes the session with its status. */
#include "testlib.h"

#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/api/ws_frame.h"
#include "daemon/api/ws_proxy.h"

struct session {
	int ws[2], peer[2]; /* [0] the test's end, [1] the proxy's */
	const void *early;  /* bytes read with the handshake */
	size_t early_len;
	pthread_t thread;
	int rc;
};

static void *run(void *arg)
{
	struct session *s = arg;
	const struct ws_proxy_limits lim = { .max_frame = 64, .idle_ms = 5000 };

	s->rc = ws_proxy_run(s->ws[1], s->peer[1], s->early, s->early_len, &lim);
	return NULL;
}

static void start(struct session *s)
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, s->ws), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, s->peer), 0);
	assert_int_equal(pthread_create(&s->thread, NULL, run, s), 0);
}

static int finish(struct session *s)
{
	pthread_join(s->thread, NULL);
	close(s->ws[0]);
	close(s->ws[1]);
	close(s->peer[0]);
	close(s->peer[1]);
	return s->rc;
}

/* Send a client frame: masked with a fixed mask. */
static void client_send(int fd, uint8_t op_byte, const char *payload, size_t len)
{
	static const uint8_t mask[4] = { 1, 2, 3, 4 };
	uint8_t buf[2 + 4 + 256];
	size_t i;

	buf[0] = op_byte;
	buf[1] = 0x80 | len;
	memcpy(buf + 2, mask, 4);
	for (i = 0; i < len; i++)
		buf[6 + i] = payload[i] ^ mask[i & 3];
	assert_int_equal(write(fd, buf, 6 + len), 6 + len);
}

static void read_exact(int fd, void *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, (char *)buf + got, len - got);
		assert_true(n > 0);
		got += n;
	}
}

static void relays_both_ways(void **state)
{
	struct session s = { 0 };
	uint8_t frame[2 + 3];
	char got[8];

	(void)state;
	start(&s);
	client_send(s.ws[0], 0x81, "ls\n", 3);
	read_exact(s.peer[0], got, 3);
	assert_memory_equal(got, "ls\n", 3);
	assert_int_equal(write(s.peer[0], "out", 3), 3);
	read_exact(s.ws[0], frame, sizeof(frame));
	assert_int_equal(frame[0], 0x82);
	assert_int_equal(frame[1], 3);
	assert_memory_equal(frame + 2, "out", 3);
	client_send(s.ws[0], 0x89, "hi", 2); /* ping */
	read_exact(s.ws[0], frame, 4);
	assert_int_equal(frame[0], 0x8a);
	assert_memory_equal(frame + 2, "hi", 2);
	client_send(s.ws[0], 0x88, "\x03\xe8", 2); /* close 1000 */
	read_exact(s.ws[0], frame, 4);
	assert_int_equal(frame[0], 0x88);
	assert_memory_equal(frame + 2, "\x03\xe8", 2);
	assert_int_equal(finish(&s), 0);
}

static void closes_on_a_bad_frame(void **state)
{
	struct session s = { 0 };
	uint8_t frame[4];
	char big[65];

	(void)state;
	start(&s);
	assert_int_equal(write(s.ws[0], "\x81\x02hi", 4), 4); /* unmasked */
	read_exact(s.ws[0], frame, 4);
	assert_int_equal(frame[0], 0x88);
	assert_int_equal(frame[2] << 8 | frame[3], WS_STATUS_PROTOCOL);
	assert_int_equal(finish(&s), -1);

	start(&s);
	memset(big, 'x', sizeof(big));
	client_send(s.ws[0], 0x82, big, sizeof(big)); /* past max_frame */
	read_exact(s.ws[0], frame, 4);
	assert_int_equal(frame[2] << 8 | frame[3], WS_STATUS_TOO_BIG);
	assert_int_equal(finish(&s), -1);
}

static void ends_when_the_console_does(void **state)
{
	struct session s = { 0 };
	uint8_t frame[4];

	(void)state;
	start(&s);
	shutdown(s.peer[0], SHUT_WR);
	read_exact(s.ws[0], frame, 4);
	assert_int_equal(frame[0], 0x88);
	assert_int_equal(frame[2] << 8 | frame[3], WS_STATUS_NORMAL);
	assert_int_equal(finish(&s), 0);
}

/* Frames the client sent before the 101 came, read with the handshake, go first. */
static void takes_the_early_bytes(void **state)
{
	/* "ab" masked with 0 0 0 0 */
	static const uint8_t early[] = { 0x82, 0x82, 0, 0, 0, 0, 'a', 'b' };
	struct session s = { .early = early, .early_len = sizeof(early) };
	char got[2];

	(void)state;
	start(&s);
	read_exact(s.peer[0], got, 2);
	assert_memory_equal(got, "ab", 2);
	shutdown(s.peer[0], SHUT_WR);
	assert_int_equal(finish(&s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(relays_both_ways),
		cmocka_unit_test(closes_on_a_bad_frame),
		cmocka_unit_test(ends_when_the_console_does),
		cmocka_unit_test(takes_the_early_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
