/* main.c - berthd: sell the VMs and containers of one host over a REST API on a Unix
 * socket, never oversold; servers outlive it and are adopted again at its next start. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/nofile.h"
#include "common/size.h"
#include "daemon/api/api.h"
#include "daemon/berthd.h"
#include "daemon/api/http.h"
#include "daemon/api/tcp_listen.h"
#include "daemon/api/tls_cert.h"
#include "daemon/options.h"
#include "daemon/servers/reconcile.h"

/* mkdir -p path with mode for what it makes. */
static int make_dirs(const char *path, mode_t mode, struct berth_error *err)
{
	char buf[PATH_MAX];
	char *p;

	if ((size_t)snprintf(buf, sizeof(buf), "%s", path) >= sizeof(buf))
		return berr(err, ENAMETOOLONG, "%s", path);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return berr(err, errno, "cannot make %s", buf);
		*p = '/';
	}
	if (mkdir(buf, mode) && errno != EEXIST)
		return berr(err, errno, "cannot make %s", buf);
	return 0;
}

static int prepare_state_dir(struct berthd *d, const char *dir, struct berth_error *err)
{
	static const char *const subdirs[] = { "images", "servers", "run" };
	char path[PATH_MAX];
	unsigned i;

	if (make_dirs(dir, 0711, err))
		return -1;
	if (!realpath(dir, d->state_dir))
		return berr(err, errno, "state directory %s", dir);
	for (i = 0; i < 3; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", d->state_dir, subdirs[i]) >=
		    sizeof(path))
			return berr(err, ENAMETOOLONG, "state directory %s", d->state_dir);
		if (make_dirs(path, 0700, err))
			return -1;
	}
	/* a container with a range of ids passes through servers/ to its own directory
	 * (driver_ct.c): search permission for all, listing for root alone */
	if ((size_t)snprintf(path, sizeof(path), "%s/servers", d->state_dir) >= sizeof(path) ||
	    chmod(path, 0711) < 0)
		return berr(err, errno, "state directory %s/servers", d->state_dir);
	return 0;
}

static int load_config(const struct options *o, struct config *c, struct berth_error *err)
{
	if (o->config)
		return config_load(o->config, c, err);
	if (access(BERTHD_DEFAULT_CONFIG, F_OK) == 0)
		return config_load(BERTHD_DEFAULT_CONFIG, c, err);
	config_defaults(c);
	return 0;
}

static int set_up(struct berthd *d, const struct options *o, struct berth_error *err)
{
	struct host_facts host;
	char path[PATH_MAX];
	sqlite3 *db;

	if (load_config(o, &d->cfg, err))
		return -1;
	config_find_tools(&d->cfg);
	if (prepare_state_dir(d, o->state_dir, err))
		return -1;
	if ((size_t)snprintf(path, sizeof(path), "%s/berth.db", d->state_dir) >= sizeof(path))
		return berr(err, ENAMETOOLONG, "state directory %s", d->state_dir);
	if (db_open(&d->db, path, err) || ledger_detect(d->state_dir, &host, err))
		return -1;
	ledger_capacity(&host, &d->cfg, o->host_cpus, o->host_memory, &d->cap);
	db = db_conn(&d->db, err);
	if (!db || net_start(&d->net, &d->cfg, d->state_dir, db, err))
		return -1;
	if (d->net.mode != NET_BRIDGE)
		d->cap.pool.prefix = 0; /* no addresses to give */
	events_init(&d->events);
	ops_init(&d->ops, &d->db, &d->events);
	d->env = (struct driver_env){ .state_dir = d->state_dir,
				      .vmm_path = d->cfg.vmm_path,
				      .ct_path = d->cfg.ct_path,
				      .console_path = d->cfg.console_path,
				      .console_log_max = d->cfg.console_log_max,
				      .net = &d->net,
				      .idmap_shift = d->cfg.idmap_shift,
				      .vm_display = d->cfg.vm_display };
	return 0;
}

/* Raise the soft limit of open files to the hard one (each API connection is an fd) and
 * say how many connections that makes. */
static void limits_of(const struct config *c, struct http_limits *lim)
{
	rlim_t n = nofile_raise(RLIM_INFINITY);

	*lim = (struct http_limits){
		.capacity = http_capacity(n > 1u << 20 ? 1u << 20 : (unsigned)n),
		.per_user = c->http_per_user,
		.root_reserve = c->http_root_reserve,
		.header_timeout = c->http_header_timeout,
		.body_rate = c->http_body_rate,
		.idle_timeout = c->http_idle_timeout,
	};
	fprintf(stderr,
		"berthd: %llu open files allowed: up to %u API connections, %u per user, %u "
		"kept for root\n",
		(unsigned long long)n, lim->capacity, lim->per_user, lim->root_reserve);
}

/* The API's servers: the Unix socket's and the network listener's (NULL when off). */
struct servers {
	struct http_server *local, *remote;
};

/* An event: wake the waits and streams of both. */
static void notify_all(void *ctx)
{
	struct servers *s = ctx;

	http_notify(s->local);
	if (s->remote)
		http_notify(s->remote);
}

/* The HTTPS listener of listen = ADDRESS:PORT: TLS, tokens, a quarter of the connections
 * (http_per_user per client address), the same deadlines. */
static int start_remote(struct berthd *d, const struct http_limits *local, struct http_server **out,
			struct berth_error *err)
{
	static struct tls_material m; /* libmicrohttpd keeps pointers to it while it serves */
	struct http_limits lim = *local;
	struct http_tls tls;
	int fd, rc;

	if (tls_material_load(d->state_dir, d->cfg.tls_cert[0] ? d->cfg.tls_cert : NULL,
			      d->cfg.tls_key[0] ? d->cfg.tls_key : NULL, &m, err))
		return -1;
	if (tcp_listen(d->cfg.listen, &fd, err)) {
		tls_material_free(&m);
		return -1;
	}
	lim.capacity = local->capacity / 4;
	lim.root_reserve = 0;
	lim.network = true;
	tls = (struct http_tls){ .cert_pem = m.cert_pem, .key_pem = m.key_pem };
	rc = http_start(out, fd, &lim, &tls, api_handle, api_upload, d, err);
	if (rc == 0)
		fprintf(stderr,
			"berthd: serving HTTPS on %s (bearer tokens; up to %u connections); "
			"certificate public key %s\n",
			d->cfg.listen, lim.capacity, m.pin);
	else
		tls_material_free(&m);
	return rc;
}

/* Block the signals main waits for, before any thread starts (threads inherit the mask). */
static void block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int main(int argc, char **argv)
{
	static struct berthd d;
	struct berth_error err = { 0 };
	static struct servers http;
	struct http_limits lim;
	char mem[32], disk[32];
	struct options o;
	sigset_t set;
	int fd, sig, r;

	r = options_parse(argc, argv, &o, stdout, &err);
	if (r)
		goto out;
	setvbuf(stderr, NULL, _IOLBF, 0);
	/* Deep image trees hold one fd per level (images/tree.h), and servers add up. */
	block_signals(&set);
	if (set_up(&d, &o, &err) || reconcile_start(&d, &err) || http_listen(o.socket, &fd, &err)) {
		r = -1;
		goto out;
	}
	limits_of(&d.cfg, &lim);
	/* The network listener first: once the socket answers, both do (tests wait on it). */
	if ((d.cfg.listen[0] && start_remote(&d, &lim, &http.remote, &err)) ||
	    http_start(&http.local, fd, &lim, NULL, api_handle, api_upload, &d, &err) ||
	    reconcile_watch(&d, &err)) {
		unlink(o.socket);
		r = -1;
		goto out;
	}
	events_watch(&d.events, notify_all, &http);
	fprintf(stderr,
		"berthd: serving on %s; state in %s; capacity %llu vCPUs, %s memory, disk as its "
		"file system has it less %s\n",
		o.socket, d.state_dir, (unsigned long long)d.cap.cpus,
		size_format(d.cap.memory, mem, sizeof(mem)),
		size_format(d.cap.disk_margin, disk, sizeof(disk)));
	do {
		if (sigwait(&set, &sig))
			sig = SIGTERM;
	} while (sig == SIGHUP);
	/* Servers keep running: stop serving, leave them to the next berthd. */
	fprintf(stderr, "berthd: %s: stopping (servers keep running)\n", strsignal(sig));
	ops_stop(&d.ops);
	events_close(&d.events);
	http_stop(http.remote);
	http_stop(http.local);
	unlink(o.socket);
	return 0;
out:
	if (r < 0)
		berr_print("berthd", &err);
	return r < 0 ? 1 : 0;
}
