/* term.c - raw mode and its restoration (see term.h). */
#include "cli/term.h"

#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved;
static int saved_fd = -1;

/* A signal that would end berth ends it with the terminal as it found it. */
static void on_signal(int sig)
{
	term_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

bool term_raw(int fd)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGTERM, SIGQUIT };
	struct sigaction sa = { .sa_handler = on_signal };
	struct termios raw;
	unsigned i;

	if (!isatty(fd) || tcgetattr(fd, &saved) < 0)
		return false;
	raw = saved;
	cfmakeraw(&raw);
	saved_fd = fd;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	if (tcsetattr(fd, TCSADRAIN, &raw) < 0) {
		saved_fd = -1;
		return false;
	}
	return true;
}

void term_restore(void)
{
	if (saved_fd >= 0)
		tcsetattr(saved_fd, TCSADRAIN, &saved);
	saved_fd = -1;
}
