/* device_options.c - parsing of --disk and --net values.
 *
 * Both take a first word and comma-separated key[=value] items, QEMU-style. A path with a
 * comma cannot be given (as in QEMU without its ",," escape); the error says so. */
#include "device_options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "common/io_rate.h"

/* Copy the next comma-separated item of *s into buf; false at the end or if it does not fit. */
static bool next_item(const char **s, char *buf, size_t len, bool *too_long)
{
	const char *end;
	size_t n;

	*too_long = false;
	if (!**s)
		return false;
	end = strchrnul(*s, ',');
	n = (size_t)(end - *s);
	if (n >= len) {
		*too_long = true;
		return false;
	}
	memcpy(buf, *s, n);
	buf[n] = '\0';
	*s = *end ? end + 1 : end;
	return true;
}

/* An iops=N (if iops is allowed) or bps=N item into l: 1 taken, 0 not such an item, -1 bad
 * (each key once: a second one is more likely a mistake than an override). */
static int limit_item(const char *opt, const char *arg, const char *item, bool iops,
		      struct io_limit_config *l, struct berth_error *err)
{
	bool is_iops = iops && !strncmp(item, "iops=", 5), is_bps = !strncmp(item, "bps=", 4);
	uint64_t *v = is_iops ? &l->iops : &l->bps;

	if (!is_iops && !is_bps)
		return 0;
	if (*v)
		return berr(err, 0, "%s '%s': %s is given twice", opt, arg,
			    is_iops ? "iops" : "bps");
	if (io_rate_parse(is_iops ? "iops" : "bps", strchr(item, '=') + 1, is_bps, v, err))
		return berr_wrap(err, "%s '%s'", opt, arg);
	return 1;
}

int disk_option_parse(char *arg, struct disk_config *d, struct berth_error *err)
{
	const char *comma = strchr(arg, ',');
	const char *rest = comma ? comma + 1 : "";
	char item[64];
	bool too_long;
	int r;

	memset(d, 0, sizeof(*d));
	if (!*arg || arg[0] == ',')
		return berr(err, 0, "--disk '%s': give a path, e.g. --disk disk.img,ro", arg);
	d->path = arg;
	while (next_item(&rest, item, sizeof(item), &too_long)) {
		if ((r = limit_item("--disk", arg, item, true, &d->limit, err)) != 0) {
			if (r < 0)
				return -1;
		} else if (!strcmp(item, "ro")) {
			d->readonly = true;
		} else if (!strncmp(item, "serial=", 7)) {
			if (strlen(item + 7) > sizeof(d->serial) - 1)
				return berr(
				    err, 0,
				    "--disk '%s': serial '%s' is longer than %zu characters", arg,
				    item + 7, sizeof(d->serial) - 1);
			memcpy(d->serial, item + 7, strlen(item + 7) + 1); /* fits: checked above */
		} else {
			return berr(err, 0,
				    "--disk '%s': unknown item '%s' (use ro, serial=ID, iops=N or "
				    "bps=N; a path cannot contain a comma)",
				    arg, item);
		}
	}
	if (too_long)
		return berr(err, 0, "--disk '%s': an item is too long", arg);
	if (comma)
		arg[comma - arg] = '\0'; /* the path ends at the first comma */
	return 0;
}

static int parse_mac(const char *s, uint8_t mac[6], struct berth_error *err)
{
	unsigned b[6];
	char tail;
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &tail) != 6 ||
	    strlen(s) != 17)
		return berr(err, 0,
			    "MAC address '%s': write it as six hex bytes, e.g. 02:00:00:00:00:01",
			    s);
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	if (mac[0] & 1)
		return berr(err, 0,
			    "MAC address '%s' is a multicast address; a NIC needs a unicast one",
			    s);
	return 0;
}

static int parse_port(const char *s, const char *end, uint16_t *port)
{
	char *e;
	unsigned long v;

	if (s == end || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &e, 10);
	if (errno || e != end || v < 1 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* "tcp::HOSTPORT-:GUESTPORT" (QEMU's form with empty addresses: the host side is loopback). */
static int parse_hostfwd(const char *s, struct net_hostfwd *f, struct berth_error *err)
{
	const char *dash;

	if (strncmp(s, "tcp::", 5) || !(dash = strchr(s + 5, '-')) || strncmp(dash, "-:", 2) ||
	    parse_port(s + 5, dash, &f->host_port) ||
	    parse_port(dash + 2, s + strlen(s), &f->guest_port))
		return berr(err, 0,
			    "hostfwd=%s: write it as tcp::HOSTPORT-:GUESTPORT with ports 1-65535",
			    s);
	return 0;
}

static int random_mac(uint8_t mac[6], struct berth_error *err)
{
	if (getrandom(mac, 6, 0) != 6)
		return berr(err, errno, "--net: cannot make a random MAC address (give mac=)");
	mac[0] = (uint8_t)((mac[0] & 0xFE) | 0x02); /* unicast, locally administered */
	return 0;
}

int net_option_parse(const char *arg, struct net_config *n, struct berth_error *err)
{
	const char *rest;
	char item[64];
	bool too_long, have_mac = false;
	int r;

	memset(n, 0, sizeof(*n));
	if (!strncmp(arg, "tap=", 4)) {
		n->kind = NET_TAP;
		rest = arg + 4;
		if (!next_item(&rest, item, sizeof(item), &too_long) || !item[0] ||
		    strlen(item) >= 16)
			return berr(err, 0,
				    "--net '%s': give a tap interface name of 1-15 characters",
				    arg);
		memcpy(n->ifname, item, strlen(item) + 1); /* fits: checked above */
	} else if (!strncmp(arg, "user", 4) && (arg[4] == ',' || !arg[4])) {
		n->kind = NET_USER;
		rest = arg[4] ? arg + 5 : arg + 4;
	} else {
		return berr(err, 0,
			    "--net '%s': use tap=IFNAME[,mac=MAC][,bps=N] or "
			    "user[,mac=MAC][,hostfwd=tcp::HOSTPORT-:GUESTPORT][,bps=N]",
			    arg);
	}
	while (next_item(&rest, item, sizeof(item), &too_long)) {
		if ((r = limit_item("--net", arg, item, false, &n->limit, err)) != 0) {
			if (r < 0)
				return -1;
		} else if (!strncmp(item, "mac=", 4)) {
			if (parse_mac(item + 4, n->mac, err))
				return berr_wrap(err, "--net");
			have_mac = true;
		} else if (!strncmp(item, "hostfwd=", 8) && n->kind == NET_USER) {
			if (n->nhostfwds == VM_MAX_HOSTFWDS)
				return berr(err, 0, "--net '%s': at most %d hostfwd items", arg,
					    VM_MAX_HOSTFWDS);
			if (parse_hostfwd(item + 8, &n->hostfwds[n->nhostfwds++], err))
				return berr_wrap(err, "--net");
		} else {
			return berr(err, 0, "--net '%s': unknown item '%s' (use mac=MAC, bps=N%s)",
				    arg, item, n->kind == NET_USER ? ", hostfwd=..." : "");
		}
	}
	if (too_long)
		return berr(err, 0, "--net '%s': an item is too long", arg);
	return have_mac ? 0 : random_mac(n->mac, err);
}
