/* net_nft.c - a batch of nftables commands. */
#include "daemon/net/net_nft.h"

#include <errno.h>
#include <string.h>

#include <nftables/libnftables.h>

int net_nft_run(const char *cmds, const char *what, const char *hint, struct berth_error *err)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	const char *msg;
	size_t n;
	int rc;

	if (!nft)
		return berr(err, ENOMEM, "nftables");
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	rc = nft_run_cmd_from_buffer(nft, cmds);
	if (rc) {
		msg = nft_ctx_get_error_buffer(nft);
		n = strlen(msg);
		while (n && msg[n - 1] == '\n') /* nft ends its message with a line feed */
			n--;
		berr(err, 0, "cannot %s (%s): %.*s", what, hint, (int)n, msg);
	}
	nft_ctx_free(nft);
	return rc ? -1 : 0;
}
