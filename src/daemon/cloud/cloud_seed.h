/* cloud_seed.h - what cloud-init's NoCloud data source reads for a server: meta-data
 * (instance-id, local-hostname = the server's name, public-keys), user-data (the tenant's,
 * as given), and network-config v2 (the address berthd gave it, matched by its MAC). Each
 * is written as JSON, which YAML, cloud-init's format, reads as it is: no quoting of a
 * tenant's text by hand. docs/images.md, "cloud-init". */
#ifndef BERTH_DAEMON_CLOUD_SEED_H
#define BERTH_DAEMON_CLOUD_SEED_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "daemon/servers/server.h"

#define CLOUD_USER_DATA_MAX   (64 * 1024) /* bytes of user-data */
#define CLOUD_KEYS_MAX	      32	  /* SSH keys of one server */
#define CLOUD_INSTANCE_ID_LEN 18	  /* "i-" and 16 hex digits */

/* A server's seed, as stored with it and as its network gives it. */
struct cloud_seed {
	bool present; /* keys or user-data were given at create: else no seed at all */
	char instance_id[CLOUD_INSTANCE_ID_LEN + 1];
	char hostname[SERVER_NAME_MAX + 1];
	json_t *ssh_keys; /* array of checked key lines (ssh_key.h); owned */
	char *user_data;  /* malloc'd, user_data_len bytes (and a NUL); NULL: none */
	size_t user_data_len;
	/* its network: address "" when it has none (then DHCP, or user-mode networking) */
	char address[16], gateway[16], mac[18];
	unsigned prefix;
};

/* Free what seed holds (not seed itself). */
void cloud_seed_free(struct cloud_seed *seed);

/* A new instance-id ("i-" and 16 random hex digits) into out. */
int cloud_instance_id(char out[CLOUD_INSTANCE_ID_LEN + 1], struct berth_error *err);

/* The three documents as malloc'd NUL-terminated text; NULL when out of memory.
 * network-config is NULL too when the seed has no address (cloud-init then uses DHCP). */
char *cloud_meta_data(const struct cloud_seed *seed);
char *cloud_network_config(const struct cloud_seed *seed);

/* Write meta-data, user-data and network-config (when there is one) into the directory
 * dirfd, as files of mode 0600 (0644 with world_readable) owned by uid:gid; an existing
 * file is replaced, a symlink in its place is not followed. */
int cloud_seed_write(int dirfd, const struct cloud_seed *seed, bool world_readable, uid_t uid,
		     gid_t gid, struct berth_error *err);

#endif
