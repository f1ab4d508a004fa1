/* net_dhcp.c - dnsmasq as the bridge's DHCP server. */
#include "daemon/net/net_dhcp.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "daemon/servers/proc.h"
#include "daemon/servers/spawn.h"

#define DNSMASQ	   "/usr/sbin/dnsmasq"
#define DHCP_MS	   10000 /* for dnsmasq to start and go to the background */
#define DHCP_LEASE "1h"
#define DHCP_ARGS  16

/* dnsmasq's command line and the files it names, all in STATE_DIR/dhcp. */
struct dhcp {
	char dir[PATH_MAX - 32], hosts[PATH_MAX], pid[PATH_MAX], leases[PATH_MAX], log[PATH_MAX];
	char a_pid[PATH_MAX + 16], a_leases[PATH_MAX + 24], a_hosts[PATH_MAX + 24];
	char a_log[PATH_MAX + 24];
	char a_iface[32], a_range[80], a_router[48];
	char *argv[DHCP_ARGS];
};

static int dhcp_command(const char *state_dir, const char *bridge, const struct net_pool *pool,
			struct dhcp *d, struct berth_error *err)
{
	char net[NET_ADDR_LEN], mask[NET_ADDR_LEN], gw[NET_ADDR_LEN];
	int i = 0;

	if ((size_t)snprintf(d->dir, sizeof(d->dir), "%s/dhcp", state_dir) >= sizeof(d->dir))
		return berr(err, ENAMETOOLONG, "`%s/dhcp`", state_dir);
	snprintf(d->hosts, sizeof(d->hosts), "%s/dnsmasq.conf", d->dir);
	snprintf(d->pid, sizeof(d->pid), "%s/dnsmasq.pid", d->dir);
	snprintf(d->leases, sizeof(d->leases), "%s/leases", d->dir);
	snprintf(d->log, sizeof(d->log), "%s/dnsmasq.log", d->dir);
	snprintf(d->a_pid, sizeof(d->a_pid), "--pid-file=%s", d->pid);
	snprintf(d->a_leases, sizeof(d->a_leases), "--dhcp-leasefile=%s", d->leases);
	snprintf(d->a_hosts, sizeof(d->a_hosts), "--conf-file=%s", d->hosts);
	snprintf(d->a_log, sizeof(d->a_log), "--log-facility=%s", d->log);
	snprintf(d->a_iface, sizeof(d->a_iface), "--interface=%s", bridge);
	net_addr_format(pool->network, net);
	net_addr_format(net_pool_mask(pool), mask);
	snprintf(d->a_range, sizeof(d->a_range), "--dhcp-range=%s,static,%s,%s", net, mask,
		 DHCP_LEASE);
	snprintf(d->a_router, sizeof(d->a_router), "--dhcp-option=option:router,%s",
		 net_addr_format(pool->gateway, gw));
	d->argv[i++] = DNSMASQ;
	d->argv[i++] = d->a_hosts;
	d->argv[i++] = d->a_pid;
	d->argv[i++] = d->a_leases;
	d->argv[i++] = d->a_log;
	d->argv[i++] = "--quiet-dhcp";
	d->argv[i++] = d->a_iface;
	d->argv[i++] = "--bind-interfaces";
	d->argv[i++] = "--except-interface=lo";
	d->argv[i++] = "--port=0";
	d->argv[i++] = d->a_range;
	d->argv[i++] = d->a_router;
	d->argv[i++] = "--dhcp-authoritative";
	d->argv[i] = NULL;
	return 0;
}

/* The pid in d's pid file if that process is a dnsmasq started with it, else 0; *same tells
 * whether its command line is d's. */
static long dhcp_running(const struct dhcp *d, bool *same)
{
	char buf[32], path[64], cmdline[8192], *arg, *end;
	_cleanup_close_ int fd = open(d->pid, O_RDONLY | O_CLOEXEC);
	bool ours = false;
	long pid;
	ssize_t n;
	int i = 1;

	*same = true;
	if (fd < 0 || (n = read(fd, buf, sizeof(buf) - 1)) <= 0)
		return 0;
	buf[n] = '\0';
	pid = strtol(buf, NULL, 10);
	close(fd);
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (pid <= 0 || fd < 0 || (n = read(fd, cmdline, sizeof(cmdline) - 1)) <= 0)
		return 0;
	cmdline[n] = '\0';
	end = cmdline + n;
	for (arg = cmdline + strlen(cmdline) + 1; arg < end; arg += strlen(arg) + 1) {
		ours = ours || strcmp(arg, d->a_pid) == 0;
		if (!d->argv[i] || strcmp(arg, d->argv[i]))
			*same = false; /* i stays, within argv */
		else
			i++;
	}
	if (d->argv[i])
		*same = false;
	return ours ? pid : 0;
}

/* dnsmasq's config file: dhcp-host=MAC,ADDRESS for every address of pool, written whole.
 * A config file, not a hosts file: dnsmasq reads it before it drops to nobody, who may not
 * reach STATE_DIR. */
static int write_hosts(const struct dhcp *d, const struct net_pool *pool, struct berth_error *err)
{
	char tmp[PATH_MAX + 8], mac[NET_MAC_LEN], addr[NET_ADDR_LEN];
	_cleanup_fclose_ FILE *f = NULL;
	uint32_t a;

	snprintf(tmp, sizeof(tmp), "%s.tmp", d->hosts);
	f = fopen(tmp, "we");
	if (!f)
		return berr(err, errno, "cannot write `%s`", tmp);
	for (a = pool->network + 1; a < net_pool_broadcast(pool); a++)
		if (net_pool_holds(pool, a))
			fprintf(f, "dhcp-host=%s,%s\n", net_addr_mac(a, mac),
				net_addr_format(a, addr));
	if (fflush(f) || ferror(f) || fchmod(fileno(f), 0644))
		return berr(err, errno, "cannot write `%s`", tmp);
	if (rename(tmp, d->hosts))
		return berr(err, errno, "cannot rename `%s` to `%s`", tmp, d->hosts);
	return 0;
}

int net_dhcp_ensure(const char *state_dir, const char *bridge, const struct net_pool *pool,
		    struct berth_error *err)
{
	_cleanup_close_ int pidfd = -1;
	struct dhcp d;
	char tail[400];
	long pid, from;
	bool same;
	int status;

	if (dhcp_command(state_dir, bridge, pool, &d, err))
		return -1;
	pid = dhcp_running(&d, &same);
	if (pid && same)
		return 0;
	if (pid) { /* ours, for another bridge or pool */
		pidfd = proc_open(pid);
		if (pidfd >= 0 && proc_signal(pidfd, SIGTERM) == 0)
			proc_wait(pidfd, DHCP_MS);
	}
	if (mkdir(d.dir, 0700) && errno != EEXIST)
		return berr(err, errno, "cannot make `%s`", d.dir);
	if (access(DNSMASQ, X_OK))
		return berr(err, errno, "cannot run %s (apt-get install dnsmasq-base)", DNSMASQ);
	if (write_hosts(&d, pool, err))
		return -1;
	from = log_size(d.log);
	/* dnsmasq goes to the background itself once it listens: it outlives berthd */
	if (spawn_run(d.argv, d.log, NULL, 0, DHCP_MS, &status, err))
		return berr_wrap(err, "DHCP server on %s", bridge);
	if (status != 0) {
		log_tail(d.log, from, tail, sizeof(tail));
		return berr(err, 0, "dnsmasq (DHCP on %s) did not start: %s", bridge,
			    *tail ? tail : "(nothing in its log)");
	}
	return 0;
}
