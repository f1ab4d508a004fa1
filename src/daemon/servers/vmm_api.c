/* vmm_api.c - one request, one reply over berth-vmm's control socket, never blocking past
 * a deadline (a VMM that stopped reading must not hang a daemon thread). */
#include "daemon/servers/vmm_api.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/unix_sock.h"
#include "daemon/servers/proc.h"

#define REPLY_MAX 4096 /* replies are one short line */

/* Wait for events on fd until deadline; 0 when ready, -1 with errno ETIMEDOUT or the poll error. */
static int wait_fd(int fd, short events, long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	long left;
	int n;

	while ((left = deadline - proc_now_ms()) > 0) {
		n = poll(&p, 1, (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -1;
	}
	errno = ETIMEDOUT;
	return -1;
}

static int connect_to(const char *path, long deadline, struct berth_error *err)
{
	int fd;

	/* a full backlog makes a non-blocking AF_UNIX connect fail with EAGAIN: retry a while */
	while ((fd = unix_connect(path, SOCK_NONBLOCK, err)) < 0) {
		if (err->errnum != EAGAIN || proc_now_ms() >= deadline)
			return berr(err, err->errnum, "connect to the VMM control socket `%s`",
				    path);
		usleep(10 * 1000);
	}
	return fd;
}

static int send_line(int fd, const char *line, size_t len, long deadline, struct berth_error *err)
{
	ssize_t n;

	while (len > 0) {
		n = send(fd, line, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EAGAIN && wait_fd(fd, POLLOUT, deadline) == 0)
			continue;
		if (n < 0 && errno != EINTR)
			return berr(err, errno, "send to the VMM control socket");
		if (n > 0) {
			line += n;
			len -= (size_t)n;
		}
	}
	return 0;
}

/* Read one line (without its newline) into buf. */
static int recv_line(int fd, char *buf, size_t size, long deadline, struct berth_error *err)
{
	size_t len = 0;
	ssize_t n;

	for (;;) {
		if (len + 1 >= size)
			return berr(err, EMSGSIZE, "VMM reply longer than %zu bytes", size - 1);
		n = recv(fd, buf + len, size - 1 - len, 0);
		if (n == 0)
			return berr(err, ECONNRESET,
				    "the VMM closed its control socket without a reply");
		if (n < 0 && errno == EAGAIN) {
			if (wait_fd(fd, POLLIN, deadline) < 0)
				return berr(err, errno, "no reply on the VMM control socket");
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return berr(err, errno, "read the VMM control socket");
		buf[len + (size_t)n] = '\0';
		if (memchr(buf + len, '\n', (size_t)n)) {
			*strchr(buf + len, '\n') = '\0';
			return 0;
		}
		len += (size_t)n;
	}
}

/* The process that listens on fd's peer, as the kernel says (in our PID namespace). */
static int peer_of(int fd, struct ucred *peer, struct berth_error *err)
{
	socklen_t len = sizeof(*peer);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, peer, &len) < 0)
		return berr(err, errno, "who serves the VMM control socket");
	return 0;
}

/* vmm_api_call() that also gives the listener's credentials in *peer (may be NULL), and
 * refuses one whose uid is not uid (unless uid is VMM_API_ANY_UID). */
static int call(const char *sock_path, const char *cmd, uid_t uid, int timeout_ms, json_t **reply,
		struct ucred *peer, struct berth_error *err)
{
	long deadline = proc_now_ms() + timeout_ms;
	_cleanup_close_ int fd = -1;
	char line[REPLY_MAX + 1];
	struct ucred cred;
	json_error_t jerr;
	json_t *r, *ok;
	int n;

	n = snprintf(line, sizeof(line), "{\"cmd\":\"%s\"}\n", cmd);
	fd = connect_to(sock_path, deadline, err);
	if (fd < 0 || peer_of(fd, &cred, err) < 0)
		return berr_wrap(err, "VMM `%s`", cmd);
	if (uid != VMM_API_ANY_UID && cred.uid != uid)
		return berr(err, EPERM, "VMM `%s`: `%s` is served by uid %u, not the VM's %u", cmd,
			    sock_path, (unsigned)cred.uid, (unsigned)uid);
	if (send_line(fd, line, (size_t)n, deadline, err) < 0 ||
	    recv_line(fd, line, sizeof(line), deadline, err) < 0)
		return berr_wrap(err, "VMM `%s`", cmd);
	if (peer)
		*peer = cred;
	r = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
	ok = json_object_get(r, "ok");
	if (!json_is_boolean(ok)) {
		json_decref(r);
		return berr(err, EPROTO, "VMM `%s`: reply is not an API reply: %.200s", cmd, line);
	}
	if (!json_is_true(ok)) {
		berr(err, 0, "VMM `%s`: %s", cmd,
		     json_string_value(json_object_get(r, "error")) ?: "refused without a reason");
		json_decref(r);
		return -1;
	}
	*reply = r;
	return 0;
}

int vmm_api_call(const char *sock_path, const char *cmd, int timeout_ms, json_t **reply,
		 struct berth_error *err)
{
	return call(sock_path, cmd, VMM_API_ANY_UID, timeout_ms, reply, NULL, err);
}

int vmm_api_call_uid(const char *sock_path, const char *cmd, uid_t uid, int timeout_ms,
		     json_t **reply, struct berth_error *err)
{
	return call(sock_path, cmd, uid, timeout_ms, reply, NULL, err);
}

long vmm_api_pid_uid(const char *sock_path, uid_t uid, int timeout_ms)
{
	struct berth_error err;
	struct ucred peer;
	json_t *r = NULL;

	/* the kernel's pid, not the one in the reply: a jailed VMM is pid 1 of its own PID
	 * namespace, and a reply is the VMM's word */
	if (call(sock_path, "status", uid, timeout_ms, &r, &peer, &err) < 0)
		return 0;
	json_decref(r);
	return peer.pid;
}

long vmm_api_pid(const char *sock_path, int timeout_ms)
{
	return vmm_api_pid_uid(sock_path, VMM_API_ANY_UID, timeout_ms);
}
