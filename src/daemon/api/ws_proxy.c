/* ws_proxy.c - one WebSocket console session (see ws_proxy.h). */
#include "daemon/api/ws_proxy.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/api/ws_frame.h"

#define PEER_CHUNK 16384 /* console bytes sent per frame */

/* Write all of buf to fd, waiting at most ms for it to take each piece: a client that stops
 * reading cannot hold the session forever. */
static int write_all(int fd, const void *buf, size_t len, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	const uint8_t *at = buf;
	ssize_t n;

	while (len) {
		n = write(fd, at, len);
		if (n > 0) {
			at += n;
			len -= n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			return -1;
		if (poll(&p, 1, ms) <= 0)
			return -1;
	}
	return 0;
}

static int send_frame(int ws, enum ws_opcode op, const void *payload, size_t len, int ms)
{
	uint8_t hdr[WS_HEADER_MAX];

	if (write_all(ws, hdr, ws_frame_header(hdr, op, len), ms) < 0)
		return -1;
	return write_all(ws, payload, len, ms);
}

static void send_close(int ws, enum ws_status status, int ms)
{
	uint8_t code[2] = { status >> 8, status & 0xff };

	send_frame(ws, WS_CLOSE, code, sizeof(code), ms);
}

/* Act on one client frame: 1 to go on, 0 when the session ends cleanly, -1 on error. */
static int on_frame(int ws, int peer, const struct ws_frame *f, int ms)
{
	switch (f->opcode) {
	case WS_CLOSE:
		/* echo its status code, if it sent one (RFC 6455 5.5.1) */
		send_frame(ws, WS_CLOSE, f->payload, f->len >= 2 ? 2 : 0, ms);
		return 0;
	case WS_PING:
		return send_frame(ws, WS_PONG, f->payload, f->len, ms) < 0 ? -1 : 1;
	case WS_PONG:
		return 1;
	default: /* text, binary and continuations: a terminal's bytes whatever the framing */
		return write_all(peer, f->payload, f->len, ms) < 0 ? -1 : 1;
	}
}

/* Act on every whole frame at the start of buf[0..*have), keeping the rest. */
static int take_frames(int ws, int peer, uint8_t *buf, size_t *have,
		       const struct ws_proxy_limits *lim)
{
	struct ws_frame f;
	enum ws_status st;
	long used;
	int rc;

	while ((used = ws_frame_parse(buf, *have, lim->max_frame, &f, &st)) > 0) {
		rc = on_frame(ws, peer, &f, lim->idle_ms);
		if (rc <= 0)
			return rc;
		memmove(buf, buf + used, *have - used);
		*have -= used;
	}
	if (used < 0) {
		send_close(ws, st, lim->idle_ms);
		return -1;
	}
	return 1;
}

/* Take the client's bytes. */
static int from_client(int ws, int peer, uint8_t *buf, size_t *have, size_t cap,
		       const struct ws_proxy_limits *lim)
{
	ssize_t n = read(ws, buf + *have, cap - *have);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n <= 0)
		return n == 0 ? 0 : -1;
	*have += n;
	return take_frames(ws, peer, buf, have, lim);
}

static int from_peer(int ws, int peer, int ms)
{
	uint8_t buf[PEER_CHUNK];
	ssize_t n = read(peer, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n <= 0) {
		send_close(ws, WS_STATUS_NORMAL, ms); /* the console is gone */
		return n == 0 ? 0 : -1;
	}
	return send_frame(ws, WS_BINARY, buf, n, ms) < 0 ? -1 : 1;
}

int ws_proxy_run(int ws, int peer, const void *early, size_t early_len,
		 const struct ws_proxy_limits *lim)
{
	/* room for the largest frame taken: ws_frame_parse refuses a longer one before it is
	 * whole, so the buffer never fills without a frame to take */
	size_t cap = WS_HEADER_MAX + lim->max_frame, have = 0;
	struct pollfd p[2] = { { .fd = ws, .events = POLLIN }, { .fd = peer, .events = POLLIN } };
	uint8_t *buf = malloc(cap);
	int rc = 1, n;

	if (!buf)
		return -1;
	if (early_len) {
		if (early_len > cap) {
			send_close(ws, WS_STATUS_TOO_BIG, lim->idle_ms);
			free(buf);
			return -1;
		}
		memcpy(buf, early, early_len);
		have = early_len;
		rc = take_frames(ws, peer, buf, &have, lim);
	}
	while (rc > 0) {
		n = poll(p, 2, lim->idle_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				send_close(ws, WS_STATUS_NORMAL, lim->idle_ms);
			rc = -1;
			break;
		}
		if (p[0].revents)
			rc = from_client(ws, peer, buf, &have, cap, lim);
		if (rc > 0 && p[1].revents)
			rc = from_peer(ws, peer, lim->idle_ms);
	}
	free(buf);
	return rc;
}
