/* driver.c - the one place that picks code by a server's kind. */
#include "daemon/servers/driver.h"

const struct driver_ops *driver_for(enum server_kind k)
{
	return k == KIND_VM ? &driver_vm : &driver_ct;
}
