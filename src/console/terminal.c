/* terminal.c - the receiving end of the OCI console socket (see terminal.h). */
#include "console/terminal.h"

#include <errno.h>
#include <sys/socket.h>

#include "common/cleanup.h"
#include "common/fdpass.h"

#define TERMINAL_MSG_S 5 /* berth-ct sends the master as soon as it is connected */

int terminal_accept(int listener, struct berth_error *err)
{
	struct timeval tv = { .tv_sec = TERMINAL_MSG_S };
	_cleanup_close_ int conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
	char name[128]; /* berth-ct sends the pty's name with it */
	size_t len, n;
	int master;

	if (conn < 0)
		return berr(err, errno, "accept berth-ct's console connection");
	setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (fdpass_recv(conn, name, sizeof(name), &len, &master, 1, &n, err) < 0)
		return -1;
	if (n != 1)
		return berr(err, EPROTO, "berth-ct's console connection sent no terminal");
	return master;
}
