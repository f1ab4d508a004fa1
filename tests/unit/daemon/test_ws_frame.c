/* Unit tests for src/daemon/api/ws_frame.c: RFC 6455's own examples, a frame arriving in
 * pieces, the refusals (unmasked, reserved bits, unknown opcode, long or fragmented control
 * frames, payloads past the limit), server headers of every length form, and the accept key. */
#include "testlib.h"

#include <string.h>

#include "daemon/api/ws_frame.h"

/* RFC 6455 5.7: a masked "Hello" from a client. */
static const uint8_t HELLO[] = { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58 };

static void parses_rfc_example(void **state)
{
	uint8_t buf[sizeof(HELLO)];
	struct ws_frame f;
	enum ws_status st;

	(void)state;
	memcpy(buf, HELLO, sizeof(buf));
	assert_int_equal(ws_frame_parse(buf, sizeof(buf), 1024, &f, &st), sizeof(HELLO));
	assert_true(f.fin);
	assert_int_equal(f.opcode, WS_TEXT);
	assert_int_equal(f.len, 5);
	assert_memory_equal(f.payload, "Hello", 5);
}

static void waits_for_the_whole_frame(void **state)
{
	uint8_t buf[sizeof(HELLO)];
	struct ws_frame f;
	enum ws_status st;
	size_t n;

	(void)state;
	for (n = 0; n < sizeof(HELLO); n++) {
		memcpy(buf, HELLO, sizeof(buf));
		assert_int_equal(ws_frame_parse(buf, n, 1024, &f, &st), 0);
	}
}

static void refuses_what_breaks_the_protocol(void **state)
{
	uint8_t buf[sizeof(HELLO)];
	uint8_t big[14] = { 0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	uint8_t ping[2 + 2 + 4] = { 0x89, 0xfe, 0x00, 0x7e };
	struct ws_frame f;
	enum ws_status st;

	(void)state;
	memcpy(buf, HELLO, sizeof(buf));
	buf[1] &= 0x7f; /* unmasked */
	assert_int_equal(ws_frame_parse(buf, sizeof(buf), 1024, &f, &st), -1);
	assert_int_equal(st, WS_STATUS_PROTOCOL);
	memcpy(buf, HELLO, sizeof(buf));
	buf[0] |= 0x40; /* RSV1 */
	assert_int_equal(ws_frame_parse(buf, sizeof(buf), 1024, &f, &st), -1);
	memcpy(buf, HELLO, sizeof(buf));
	buf[0] = 0x83; /* reserved opcode */
	assert_int_equal(ws_frame_parse(buf, sizeof(buf), 1024, &f, &st), -1);
	memcpy(buf, HELLO, sizeof(buf));
	buf[0] = 0x09; /* a fragmented ping */
	assert_int_equal(ws_frame_parse(buf, sizeof(buf), 1024, &f, &st), -1);
	assert_int_equal(ws_frame_parse(ping, sizeof(ping), 1024, &f, &st), -1); /* 126 bytes */
	assert_int_equal(st, WS_STATUS_PROTOCOL);
	assert_int_equal(ws_frame_parse(big, sizeof(big), 1024, &f, &st), -1); /* top bit set */
	big[2] = 0;
	big[9] = 0x04;
	big[8] = 0x04; /* 1028 bytes */
	assert_int_equal(ws_frame_parse(big, sizeof(big), 1024, &f, &st), -1);
	assert_int_equal(st, WS_STATUS_TOO_BIG);
	memcpy(buf, HELLO, sizeof(buf));
	assert_int_equal(ws_frame_parse(buf, sizeof(buf), 4, &f, &st), -1);
	assert_int_equal(st, WS_STATUS_TOO_BIG);
}

/* A server header, masked as a client would, parses back to the same frame. */
static void round_trips(void **state)
{
	static uint8_t buf[WS_HEADER_MAX + 70000];
	const size_t lens[] = { 0, 125, 126, 65535, 65536, 70000 };
	struct ws_frame f;
	enum ws_status st;
	size_t i, h, k;

	(void)state;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		h = ws_frame_header(buf, WS_BINARY, lens[i]);
		assert_int_equal(h, lens[i] < 126 ? 2 : lens[i] < 65536 ? 4 : 10);
		buf[1] |= 0x80;
		memset(buf + h, 0, 4); /* a zero mask */
		for (k = 0; k < lens[i]; k++)
			buf[h + 4 + k] = k & 0xff;
		assert_int_equal(ws_frame_parse(buf, h + 4 + lens[i], 70000, &f, &st),
				 h + 4 + lens[i]);
		assert_int_equal(f.len, lens[i]);
		assert_int_equal(f.opcode, WS_BINARY);
		for (k = 0; k < lens[i]; k++)
			assert_int_equal(f.payload[k], k & 0xff);
	}
}

static void computes_the_accept_key(void **state)
{
	char out[WS_ACCEPT_LEN + 1];

	(void)state;
	/* RFC 6455 1.3 */
	assert_true(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", out));
	assert_string_equal(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	assert_false(ws_accept_key("", out));
	assert_false(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ=", out));
	assert_false(ws_accept_key("dGhlIHNhbXBsZSBub25j!Q==", out));
	assert_false(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==x", out));
}

static void finds_the_offered_token(void **state)
{
	char out[12];

	(void)state;
	assert_true(ws_protocol_find("berth, berth_abcde", "berth_", 11, out));
	assert_string_equal(out, "berth_abcde");
	assert_true(ws_protocol_find("berth_abcde,x", "berth_", 11, out));
	assert_string_equal(out, "berth_abcde");
	assert_false(ws_protocol_find("berth, berth_abcd", "berth_", 11, out));
	assert_false(ws_protocol_find("berth, berth_abcdef", "berth_", 11, out));
	assert_false(ws_protocol_find("", "berth_", 11, out));
	assert_false(ws_protocol_find(" , ,", "berth_", 11, out));
	assert_false(ws_protocol_find("xerth_abcde", "berth_", 11, out));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_rfc_example),
		cmocka_unit_test(waits_for_the_whole_frame),
		cmocka_unit_test(refuses_what_breaks_the_protocol),
		cmocka_unit_test(round_trips),
		cmocka_unit_test(computes_the_accept_key),
		cmocka_unit_test(finds_the_offered_token),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
