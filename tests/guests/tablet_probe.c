/* tablet_probe.c - a guest program (Linux, static): what the guest's input layer makes of
 * berth-vmm's virtio tablet. Used by tests/system/vmm/linux_tablet.sh.
 *
 *   tablet_probe NAME
 *
 * Finds the /dev/input/eventN whose EVIOCGNAME is NAME (waiting up to 20 s for it) and
 * prints, one "tablet: ..." line each: its name and node, its EVIOCGID, EVIOCGABS of ABS_X
 * and ABS_Y, then "ready" (or "failed: WHY"). From then on, at every SYN_REPORT, the state
 * the events so far make: "tablet: x=N y=N left=N wheel=N" (wheel: the REL_WHEEL steps added
 * up). It ends with "tablet: done" when BTN_RIGHT is pressed, the test's way to say it has
 * finished. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/input.h>

/* The event device named name, open; -1 if there is none (yet). */
static int open_named(const char *name, char *path, size_t len)
{
	DIR *dir = opendir("/dev/input");
	struct dirent *e;
	int fd = -1;

	while (dir && fd < 0 && (e = readdir(dir))) {
		char got[256] = "";

		if (strncmp(e->d_name, "event", 5))
			continue;
		snprintf(path, len, "/dev/input/%s", e->d_name);
		fd = open(path, O_RDONLY);
		if (fd >= 0 &&
		    (ioctl(fd, EVIOCGNAME(sizeof(got) - 1), got) < 0 || strcmp(got, name))) {
			close(fd);
			fd = -1;
		}
	}
	if (dir)
		closedir(dir);
	return fd;
}

int main(int argc, char **argv)
{
	struct input_absinfo ax, ay;
	struct input_event ev;
	struct input_id id;
	char path[300];
	int fd = -1, x, y, left = 0, wheel = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: tablet_probe NAME\n");
		return 2;
	}
	for (int i = 0; i < 200 && (fd = open_named(argv[1], path, sizeof(path))) < 0; i++)
		usleep(100000);
	if (fd < 0) {
		printf("tablet: failed: no input device named '%s'\n", argv[1]);
		return 1;
	}
	if (ioctl(fd, EVIOCGID, &id) < 0 || ioctl(fd, EVIOCGABS(ABS_X), &ax) < 0 ||
	    ioctl(fd, EVIOCGABS(ABS_Y), &ay) < 0) {
		printf("tablet: failed: ioctl: %s\n", strerror(errno));
		return 1;
	}
	x = ax.value; /* the input core passes on only changes from what it holds */
	y = ay.value;
	printf("tablet: name=%s dev=%s\n", argv[1], path);
	printf("tablet: id bus=%u vendor=%04x product=%04x version=%u\n", id.bustype, id.vendor,
	       id.product, id.version);
	printf("tablet: abs_x min=%d max=%d\n", ax.minimum, ax.maximum);
	printf("tablet: abs_y min=%d max=%d\n", ay.minimum, ay.maximum);
	printf("tablet: ready\n");
	fflush(stdout);
	while (read(fd, &ev, sizeof(ev)) == sizeof(ev)) {
		if (ev.type == EV_ABS && ev.code == ABS_X)
			x = ev.value;
		else if (ev.type == EV_ABS && ev.code == ABS_Y)
			y = ev.value;
		else if (ev.type == EV_KEY && ev.code == BTN_LEFT)
			left = ev.value;
		else if (ev.type == EV_REL && ev.code == REL_WHEEL)
			wheel += ev.value;
		else if (ev.type == EV_KEY && ev.code == BTN_RIGHT && ev.value == 1) {
			printf("tablet: done\n");
			return 0;
		} else if (ev.type == EV_SYN && ev.code == SYN_REPORT) {
			printf("tablet: x=%d y=%d left=%d wheel=%d\n", x, y, left, wheel);
			fflush(stdout);
		}
	}
	printf("tablet: failed: read: %s\n", strerror(errno));
	return 1;
}
