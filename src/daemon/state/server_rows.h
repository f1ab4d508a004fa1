/* server_rows.h - reading and moving server rows. The state column is the lock of a server:
 * an action first moves it from the states it may start from to a transitional state in one
 * UPDATE, so two actions on one server can never run at once. */
#ifndef BERTH_DAEMON_SERVER_ROWS_H
#define BERTH_DAEMON_SERVER_ROWS_H

#include <jansson.h>
#include <sqlite3.h>

#include "common/error.h"
#include "daemon/servers/server.h"

/* A bit per enum server_state, for the states a transition may start from. */
#define STATE_BIT(s) (1u << (s))

/* "creating", "stopped"...; and back (-1 when unknown). */
const char *server_state_name(enum server_state s);
int server_state_parse(const char *name);

/* "vm" or "ct". */
const char *server_kind_name(enum server_kind k);

/* Load the row called name into s, with s->dir STATE_DIR/servers/NAME and s->image_dir.
 * errnum ENOENT when there is none. */
int server_load(sqlite3 *db, const char *state_dir, const char *name, struct server *s,
		struct berth_error *err);

/* The API object of one server (ENOENT when none), or the list of all. */
json_t *server_json(sqlite3 *db, const char *name, struct berth_error *err);
json_t *server_json_list(sqlite3 *db, const char *project, struct berth_error *err);

/* Add to j, the API object of a server or an image of kind ("vm", "ct"), how it boots:
 * "boot" ("kernel" or "firmware") and a kernel's "cmdline" as berth passes it (without what
 * the network adds at start); boot and cmdline are the row's columns ("" when NULL). */
void boot_json(json_t *j, const char *kind, const char *boot, const char *cmdline);

/* Add to j, the API object of a server of kind, its user namespace when it is a container:
 * "privileged" (true: none, its root is the host's) and "idmap" {"uid", "gid", "count"}, the
 * host ids its own 0..65535 are (the row's columns; idmap 0: none). */
void idmap_json(json_t *j, const char *kind, long long idmap, long long privileged);

/* Record how server name (in its 'creating' row) boots and its own kernel command line
 * (NULL or "": none). */
int server_set_boot(sqlite3 *db, const char *name, enum server_boot boot, const char *cmdline,
		    struct berth_error *err);

/* Record the I/O limits of server name (in its 'creating' row); 0: none. */
int server_set_limits(sqlite3 *db, const char *name, const struct server_limits *l,
		      struct berth_error *err);

/* l as JSON: {"disk_iops": N, "disk_bps": N, "net_bps": N}, 0 for none. */
json_t *limits_json(const struct server_limits *l);

/* Names of the servers in any state of mask, as a JSON array of strings. */
json_t *server_names(sqlite3 *db, unsigned mask, struct berth_error *err);

/* Move server name to state to if it is in one of the states of from_mask; pid is kept
 * when pid < 0, else set (0: NULL). errnum ENOENT (no server) or EBUSY (in another state:
 * the message says which). */
int server_move(sqlite3 *db, const char *name, unsigned from_mask, enum server_state to, long pid,
		struct berth_error *err);

#endif
