/* seed_opts.h - create's cloud-init options: --ssh-key FILE|KEY and --user-data FILE,
 * read with the caller's rights and sent as the create body's ssh_keys and user_data
 * (berthd checks them again: these checks only give a message before the request). */
#ifndef BERTH_CLI_SEED_OPTS_H
#define BERTH_CLI_SEED_OPTS_H

#include <jansson.h>

#include "common/error.h"

#define SEED_FILE_MAX	   (256 * 1024) /* bytes read from a key file */
#define SEED_USER_DATA_MAX (64 * 1024)

/* Add to the array keys the key(s) of arg: the lines of file arg (empty ones and
 * #-comments skipped) when it is a file, else arg itself as one key line. */
int seed_add_keys(json_t *keys, const char *arg, struct berth_error *err);

/* The user-data file path as a JSON string (UTF-8 text, at most SEED_USER_DATA_MAX). */
json_t *seed_user_data(const char *path, struct berth_error *err);

#endif
