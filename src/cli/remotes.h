/* remotes.h - the remote berthds berth knows: $XDG_CONFIG_HOME/berth/remotes.json (else
 * ~/.config/berth/remotes.json), mode 0600 since it holds tokens: {"NAME": {"url",
 * "token", "pin"}}. The pin is the certificate's, taken at berth remote add. */
#ifndef BERTH_CLI_REMOTES_H
#define BERTH_CLI_REMOTES_H

#include <jansson.h>
#include <stdio.h>

#include "cli/client.h"
#include "common/error.h"

#define REMOTE_URL_MAX 256

/* Set c up to talk to remote name (its strings are kept in *store, to json_decref after). */
int remote_use(struct client *c, const char *name, json_t **store, struct berth_error *err);

/* berth remote add|list|remove (argv[0] is "remote"); the exit status. */
int remote_main(int argc, char **argv, FILE *out);

#endif
