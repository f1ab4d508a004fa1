/* net_nft.h - one batch of nftables commands through libnftables, the way berthd's tables
 * (net_nat.c, net_filter.c) are changed: the whole buffer is one transaction. */
#ifndef BERTH_DAEMON_NET_NFT_H
#define BERTH_DAEMON_NET_NFT_H

#include "common/error.h"

/* Run cmds (nft's syntax) as one transaction; on failure err says what (naming it as
 * `what`, with hint, then nft's own message). */
int net_nft_run(const char *cmds, const char *what, const char *hint, struct berth_error *err);

#endif
