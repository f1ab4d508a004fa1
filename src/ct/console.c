/* console.c - the pty handshake of the OCI console socket (SCM_RIGHTS, as runc). */
#include "ct/console.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fdpass.h"
#include "common/unix_sock.h"

int console_connect(const char *path, struct berth_error *err)
{
	int fd = unix_connect(path, 0, err);

	if (fd < 0)
		return berr(err, err->errnum, "connect to console socket `%s`", path);
	return fd;
}

int console_setup(int sock, struct berth_error *err)
{
	_cleanup_close_ int master = -1, slave = -1;
	char name[64];
	int i;

	master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return berr(err, errno, "open /dev/ptmx in the container");
	if (unlockpt(master) < 0 || ptsname_r(master, name, sizeof(name)) != 0)
		return berr(err, errno, "unlock the pty");
	slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return berr(err, errno, "open `%s`", name);
	if (fdpass_send(sock, name, strlen(name), &master, 1, err) < 0)
		return berr_wrap(err, "send the terminal to the console socket");
	if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
		return berr(err, errno, "make `%s` the controlling terminal", name);
	for (i = 0; i < 3; i++)
		if (dup2(slave, i) < 0)
			return berr(err, errno, "dup2 the terminal");
	return 0;
}
