/* server_actions.h - what can be done to a server, as operations: create (reserve, then
 * make its files), start, stop, restart, delete. Each moves the row to a transitional state
 * first (that refuses a second action at once), then runs the driver on a worker thread. */
#ifndef BERTH_DAEMON_SERVER_ACTIONS_H
#define BERTH_DAEMON_SERVER_ACTIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "daemon/berthd.h"
#include "daemon/state/ledger.h"

enum server_action { ACTION_START, ACTION_STOP, ACTION_RESTART };

/* What a create gives cloud-init (checked by the API): SSH key lines and user-data, each
 * NULL when absent. */
struct seed_input {
	json_t *ssh_keys;
	const char *user_data;
	size_t user_data_len;
};

/* Reserve spec in the ledger (refused when it does not fit), then make its files in an
 * operation; id gets the operation's id. cmdline (or NULL) is the VM's own kernel command
 * line, instead of its image's; seed is stored with the server (seed_rows.h). */
int server_create(struct berthd *d, struct server_spec *spec, const char *cmdline,
		  const struct seed_input *seed, char id[OP_ID_LEN + 1], struct berth_error *err);

/* Start, stop or restart server name; force and timeout_s apply to stopping. */
int server_act(struct berthd *d, const char *name, enum server_action action, bool force,
	       int timeout_s, char id[OP_ID_LEN + 1], struct berth_error *err);

/* Delete server name: refused while it runs unless force (then it is stopped at once). */
int server_delete(struct berthd *d, const char *name, bool force, char id[OP_ID_LEN + 1],
		  struct berth_error *err);

/* Change a stopped server's reservation (0 keeps a value); a disk image it has grows. */
int server_resize(struct berthd *d, const char *name, unsigned cpus, uint64_t memory, uint64_t disk,
		  struct berth_error *err);

/* Tell the event stream what server name is now (or that it is gone). */
void server_announce(struct berthd *d, const char *name);

/* Finish what a dead berthd left undone to server s (loaded in any state) without an
 * operation: roll a creating one back, finish a deleting one, keep a running one that is
 * alive and mark a vanished one stopped (restarting it when restart=always), clean up after
 * a stopped one (driver cleanup: a container's disk left mounted). */
void server_settle(struct berthd *d, struct server *s);

/* If s is 'running' but its process is gone, mark it stopped (and restart it when
 * restart=always). Safe beside running operations. */
void server_check(struct berthd *d, struct server *s);

#endif
