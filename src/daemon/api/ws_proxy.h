/* ws_proxy.h - one WebSocket console session: bytes between a client's WebSocket (already
 * upgraded) and a console's socket (a VM's serial console, a container's terminal, a VNC
 * socket). Client data frames go to the console as their payload; what the console writes
 * goes back as binary frames. Pings are answered, a close is echoed, a client that breaks
 * the protocol or sends a frame past the limit is closed with its status code, and a session
 * idle past its limit, or a client that does not read for as long, is ended. */
#ifndef BERTH_DAEMON_WS_PROXY_H
#define BERTH_DAEMON_WS_PROXY_H

#include <stddef.h>

struct ws_proxy_limits {
	size_t max_frame; /* largest client payload taken (else close 1009) */
	int idle_ms;	  /* no byte either way for this long ends the session */
};

/* Relay between ws (the client's upgraded connection) and peer (the console) until either
 * side ends, a limit is passed or the client breaks the protocol; blocks. early holds the
 * client's bytes read with the handshake (early_len may be 0). Closes neither fd. Returns 0
 * when the session ended cleanly (a close, the console gone), -1 otherwise. */
int ws_proxy_run(int ws, int peer, const void *early, size_t early_len,
		 const struct ws_proxy_limits *lim);

#endif
