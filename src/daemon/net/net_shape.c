/* net_shape.c - a tbf qdisc on an interface, in our network namespace or a container's. */
#include "daemon/net/net_shape.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#include <linux/pkt_sched.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/tbf.h>
#include <netlink/route/tc.h>

#include "common/cleanup.h"

struct shape_job {
	const char *name;
	pid_t pid;
	uint64_t bps;
	int rc;
	struct berth_error err;
};

/* The tbf itself, on a socket of the calling thread's namespace. */
static int shape_here(struct shape_job *j)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct rtnl_link *link = NULL;
	struct rtnl_qdisc *q = rtnl_qdisc_alloc();
	/* a burst of 100 ms, as berth-vmm's buckets; 50 ms more of queue behind it */
	uint64_t bucket = j->bps / 10 > 65536 ? j->bps / 10 : 65536;
	uint64_t limit = bucket + (j->bps / 20 > 65536 ? j->bps / 20 : 65536);
	int rc = -NLE_NOMEM;

	if (sk && q && (rc = nl_connect(sk, NETLINK_ROUTE)) == 0 &&
	    (rc = rtnl_link_get_kernel(sk, 0, j->name, &link)) == 0) {
		rtnl_tc_set_link(TC_CAST(q), link);
		rtnl_tc_set_parent(TC_CAST(q), TC_H_ROOT);
		rc = rtnl_tc_set_kind(TC_CAST(q), "tbf");
		if (rc == 0) {
			rtnl_qdisc_tbf_set_limit(
			    q, (int)(limit > NET_SHAPE_BPS_MAX ? NET_SHAPE_BPS_MAX : limit));
			rtnl_qdisc_tbf_set_rate(
			    q, (int)j->bps,
			    (int)(bucket > NET_SHAPE_BPS_MAX ? NET_SHAPE_BPS_MAX : bucket), 0);
			rc = rtnl_qdisc_add(sk, q, NLM_F_CREATE | NLM_F_REPLACE);
		}
	}
	if (rc < 0)
		berr(&j->err, 0, "cannot limit %s to %llu bytes/s (a tbf qdisc): %s", j->name,
		     (unsigned long long)j->bps, nl_geterror(rc));
	if (link)
		rtnl_link_put(link);
	if (q)
		rtnl_qdisc_put(q);
	if (sk)
		nl_socket_free(sk);
	return rc < 0 ? -1 : 0;
}

/* setns changes only the calling thread's namespace: this thread ends there. */
static void *shape_in_ns(void *arg)
{
	struct shape_job *j = arg;
	_cleanup_close_ int fd = -1;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)j->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		j->rc = berr(&j->err, errno, "cannot enter the network namespace of pid %d",
			     (int)j->pid);
		return NULL;
	}
	j->rc = shape_here(j);
	return NULL;
}

int net_shape(const char *name, pid_t pid, uint64_t bps, struct berth_error *err)
{
	struct shape_job j = { .name = name, .pid = pid, .bps = bps };
	pthread_t t;
	int rc;

	if (bps == 0 || bps > NET_SHAPE_BPS_MAX)
		return refuse(err, EINVAL,
			      "cannot limit %s to %llu bytes/s: a container's network limit is "
			      "1 to %llu bytes/s",
			      name, (unsigned long long)bps, NET_SHAPE_BPS_MAX);
	if (!pid)
		j.rc = shape_here(&j);
	else if ((rc = pthread_create(&t, NULL, shape_in_ns, &j)))
		return berr(err, rc, "cannot start a thread to limit %s", name);
	else
		pthread_join(t, NULL);
	if (j.rc)
		*err = j.err;
	return j.rc ? -1 : 0;
}
