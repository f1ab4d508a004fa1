/* ct_confine.h - a container's user namespace, capabilities and seccomp profile, as parts
 * of its OCI bundle (bundle.c). A server with a range (s->idmap) gets a user namespace; one
 * without (privileged) does not. */
#ifndef BERTH_DAEMON_CT_CONFINE_H
#define BERTH_DAEMON_CT_CONFINE_H

#include <jansson.h>

#include "daemon/servers/server.h"

/* The capabilities s's root keeps (bounding = effective = permitted), as OCI names. */
json_t *confine_caps(const struct server *s);

/* The linux.seccomp profile of s. */
json_t *confine_seccomp(const struct server *s);

/* Add to lx (the bundle's "linux" object, with its "namespaces") s's seccomp profile
 * and, when s has a range, a user namespace with uidMappings and gidMappings; -1 when out
 * of memory. */
int confine_linux(json_t *lx, const struct server *s);

#endif
