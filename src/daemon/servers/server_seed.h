/* server_seed.h - a server's cloud-init seed as it is now: what its row stores (seed_rows.h)
 * and the address the bridge's pool gave it, with that pool's gateway and its MAC. */
#ifndef BERTH_DAEMON_SERVER_SEED_H
#define BERTH_DAEMON_SERVER_SEED_H

#include "daemon/berthd.h"
#include "daemon/cloud/cloud_seed.h"

/* Load s's seed into seed (seed->present false: it has none; free it with
 * cloud_seed_free either way). */
int server_seed(struct berthd *d, const struct server *s, struct cloud_seed *seed,
		struct berth_error *err);

#endif
