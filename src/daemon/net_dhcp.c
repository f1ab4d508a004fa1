/* net_dhcp.c - dnsmasq as the bridge's DHCP server. */
#include "daemon/net_dhcp.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "daemon/proc.h"
#include "daemon/spawn.h"

#define DNSMASQ	   "/usr/sbin/dnsmasq"
#define DHCP_MS	   10000 /* for dnsmasq to start and go to the background */
#define DHCP_LEASE "1h"

struct dhcp_paths {
	char dir[PATH_MAX - 32], hosts[PATH_MAX], pid[PATH_MAX], leases[PATH_MAX], log[PATH_MAX];
};

static int dhcp_paths(const char *state_dir, struct dhcp_paths *p, struct berth_error *err)
{
	/* dnsmasq drops to nobody: it must reach hosts/ (STATE_DIR is 0711) */
	if ((size_t)snprintf(p->dir, sizeof(p->dir), "%s/dhcp", state_dir) >= sizeof(p->dir))
		return berr(err, ENAMETOOLONG, "`%s/dhcp`", state_dir);
	snprintf(p->hosts, sizeof(p->hosts), "%s/hosts", p->dir);
	snprintf(p->pid, sizeof(p->pid), "%s/dnsmasq.pid", p->dir);
	snprintf(p->leases, sizeof(p->leases), "%s/leases", p->dir);
	snprintf(p->log, sizeof(p->log), "%s/dnsmasq.log", p->dir);
	return 0;
}

/* Does the pid file name a live dnsmasq started with it? */
static bool dhcp_running(const struct dhcp_paths *p)
{
	char buf[32], path[64], cmdline[4096], want[PATH_MAX + 16], *arg, *end;
	_cleanup_close_ int fd = open(p->pid, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	long pid;

	if (fd < 0 || (n = read(fd, buf, sizeof(buf) - 1)) <= 0)
		return false;
	buf[n] = '\0';
	pid = strtol(buf, NULL, 10);
	close(fd);
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (pid <= 0 || fd < 0 || (n = read(fd, cmdline, sizeof(cmdline) - 1)) <= 0)
		return false;
	cmdline[n] = '\0';
	end = cmdline + n;
	snprintf(want, sizeof(want), "--pid-file=%s", p->pid);
	for (arg = cmdline; arg < end; arg += strlen(arg) + 1)
		if (strcmp(arg, want) == 0)
			return true;
	return false;
}

int net_dhcp_ensure(const char *state_dir, const char *bridge, const struct net_pool *pool,
		    struct berth_error *err)
{
	char a_pid[PATH_MAX + 16], a_leases[PATH_MAX + 24], a_hosts[PATH_MAX + 24], a_iface[32],
	    a_range[80], a_router[48], net[NET_ADDR_LEN], mask[NET_ADDR_LEN], gw[NET_ADDR_LEN],
	    tail[400];
	char *argv[] = { DNSMASQ,
			 "--conf-file=/dev/null",
			 a_pid,
			 a_leases,
			 a_hosts,
			 a_iface,
			 "--bind-interfaces",
			 "--except-interface=lo",
			 "--port=0",
			 a_range,
			 a_router,
			 "--dhcp-authoritative",
			 NULL };
	struct dhcp_paths p;
	long from;
	int status;

	if (dhcp_paths(state_dir, &p, err))
		return -1;
	if (dhcp_running(&p))
		return 0;
	if ((mkdir(p.dir, 0711) && errno != EEXIST) || (mkdir(p.hosts, 0755) && errno != EEXIST))
		return berr(err, errno, "cannot make `%s`", p.hosts);
	if (access(DNSMASQ, X_OK))
		return berr(err, errno, "cannot run %s (apt-get install dnsmasq-base)", DNSMASQ);
	snprintf(a_pid, sizeof(a_pid), "--pid-file=%s", p.pid);
	snprintf(a_leases, sizeof(a_leases), "--dhcp-leasefile=%s", p.leases);
	snprintf(a_hosts, sizeof(a_hosts), "--dhcp-hostsdir=%s", p.hosts);
	snprintf(a_iface, sizeof(a_iface), "--interface=%s", bridge);
	net_addr_format(pool->network, net);
	net_addr_format(net_pool_mask(pool), mask);
	snprintf(a_range, sizeof(a_range), "--dhcp-range=%s,static,%s,%s", net, mask, DHCP_LEASE);
	snprintf(a_router, sizeof(a_router), "--dhcp-option=option:router,%s",
		 net_addr_format(pool->gateway, gw));
	from = log_size(p.log);
	/* dnsmasq goes to the background itself once it listens: it outlives berthd */
	if (spawn_run(argv, p.log, NULL, 0, DHCP_MS, &status, err))
		return berr_wrap(err, "DHCP server on %s", bridge);
	if (status != 0) {
		log_tail(p.log, from, tail, sizeof(tail));
		return berr(err, 0, "dnsmasq (DHCP on %s) did not start: %s", bridge,
			    *tail ? tail : "(nothing in its log)");
	}
	return 0;
}

static int host_file(const char *state_dir, const char *name, char out[PATH_MAX],
		     struct berth_error *err)
{
	if ((size_t)snprintf(out, PATH_MAX, "%s/dhcp/hosts/%s", state_dir, name) >= PATH_MAX - 8)
		return berr(err, ENAMETOOLONG, "DHCP host file of %s", name);
	return 0;
}

int net_dhcp_host(const char *state_dir, const char *name, const char *mac, const char *addr,
		  struct berth_error *err)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	_cleanup_fclose_ FILE *f = NULL;

	if (host_file(state_dir, name, path, err))
		return -1;
	/* dnsmasq reads a file when it appears: it must appear whole */
	snprintf(tmp, sizeof(tmp), "%s/dhcp/%s.tmp", state_dir, name);
	f = fopen(tmp, "we");
	if (!f || fprintf(f, "%s,%s\n", mac, addr) < 0 || fflush(f) || fchmod(fileno(f), 0644))
		return berr(err, errno, "cannot write `%s`", tmp);
	if (rename(tmp, path))
		return berr(err, errno, "cannot rename `%s` to `%s`", tmp, path);
	return 0;
}

void net_dhcp_forget(const char *state_dir, const char *name)
{
	char path[PATH_MAX];
	struct berth_error err;

	if (host_file(state_dir, name, path, &err) == 0)
		unlink(path);
}
