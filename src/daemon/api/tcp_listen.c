/* tcp_listen.c - parsing ADDRESS:PORT and listening on it. */
#include "daemon/api/tcp_listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/api/http.h"

int tcp_addr_parse(const char *s, struct sockaddr_storage *addr, socklen_t *len,
		   struct berth_error *err)
{
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)addr;
	struct sockaddr_in *v4 = (struct sockaddr_in *)addr;
	char host[TCP_LISTEN_MAX + 1];
	const char *colon, *end;
	char *stop;
	unsigned long port;
	size_t n;

	memset(addr, 0, sizeof(*addr));
	if (strnlen(s, TCP_LISTEN_MAX + 1) > TCP_LISTEN_MAX)
		goto bad;
	if (s[0] == '[') {
		end = strchr(s, ']');
		if (!end || end[1] != ':')
			goto bad;
		n = (size_t)(end - s - 1);
		colon = end + 1;
		memcpy(host, s + 1, n);
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			goto bad;
		n = (size_t)(colon - s);
		memcpy(host, s, n);
	}
	host[n] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &stop, 10);
	if (!colon[1] || *stop || errno || port == 0 || port > 65535)
		goto bad;
	if (s[0] != '[' && inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		*len = sizeof(*v4);
		return 0;
	}
	if (s[0] == '[' && inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*v6);
		return 0;
	}
bad:
	return berr(err, EINVAL,
		    "'%.80s' is not ADDRESS:PORT (a numeric IPv4 address, or an IPv6 one in "
		    "brackets: 127.0.0.1:8443, [::1]:8443, 0.0.0.0:8443)",
		    s);
}

int tcp_listen(const char *s, int *out, struct berth_error *err)
{
	struct sockaddr_storage addr;
	socklen_t len;
	int fd, one = 1;

	if (tcp_addr_parse(s, &addr, &len, err))
		return -1;
	fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return berr(err, errno, "cannot make a socket for %s", s);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&addr, len) < 0 || listen(fd, HTTP_BACKLOG) < 0) {
		berr(err, errno, "cannot listen on %s", s);
		close(fd);
		return -1;
	}
	*out = fd;
	return 0;
}
