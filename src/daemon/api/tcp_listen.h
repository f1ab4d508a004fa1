/* tcp_listen.h - the network listener's socket: `listen = ADDRESS:PORT` of berthd.conf,
 * a numeric IPv4 address or a bracketed IPv6 one ([::1]:8443); no name lookups. */
#ifndef BERTH_DAEMON_TCP_LISTEN_H
#define BERTH_DAEMON_TCP_LISTEN_H

#include <sys/socket.h>

#include "common/error.h"

#define TCP_LISTEN_MAX 64 /* longest ADDRESS:PORT */

/* Parse s into *addr and *len; EINVAL with a message saying the form when it is not. */
int tcp_addr_parse(const char *s, struct sockaddr_storage *addr, socklen_t *len,
		   struct berth_error *err);

/* A non-blocking listening TCP socket on s, in *fd. */
int tcp_listen(const char *s, int *fd, struct berth_error *err);

#endif
