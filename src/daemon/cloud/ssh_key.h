/* ssh_key.h - an OpenSSH public key line as a tenant gives it for a server's root or
 * cloud-init user: "TYPE BASE64 [COMMENT]", one line, checked before berthd stores it or
 * writes it into a server's authorized_keys. */
#ifndef BERTH_DAEMON_SSH_KEY_H
#define BERTH_DAEMON_SSH_KEY_H

#include <stddef.h>

#include "common/error.h"

#define SSH_KEY_MAX 8192 /* bytes of one line: an RSA key of 16384 bits fits */

/* Check the len bytes of line as one public key: a known key type, then a base64 blob
 * that decodes to an SSH key whose own type name is that type, then an optional comment
 * of printable characters; no control byte anywhere. EINVAL with a message saying what is
 * wrong. */
int ssh_key_check(const char *line, size_t len, struct berth_error *err);

#endif
