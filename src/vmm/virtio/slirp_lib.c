/* slirp_lib.c - load libslirp on first use (see slirp_lib.h for why). It stays loaded for
 * the life of the process: slirp instances and their thread may outlive any one card. */
#include "slirp_lib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

/* Debian's libslirp0 package: the ABI the header we build against describes. */
#define SLIRP_SONAME "libslirp.so.0"

static struct slirp_lib lib;
static bool loaded;
static char why[256];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static bool resolve(void *h, void **fn, const char *name)
{
	*fn = dlsym(h, name);
	if (!*fn)
		snprintf(why, sizeof(why), "%s has no %s", SLIRP_SONAME, name);
	return *fn != NULL;
}

static void load(void)
{
	void *h = dlopen(SLIRP_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		snprintf(why, sizeof(why), "%s", dlerror());
		return;
	}
	loaded = resolve(h, (void **)&lib.slirp_new, "slirp_new") &&
		 resolve(h, (void **)&lib.slirp_cleanup, "slirp_cleanup") &&
		 resolve(h, (void **)&lib.slirp_add_hostfwd, "slirp_add_hostfwd") &&
		 resolve(h, (void **)&lib.slirp_pollfds_fill, "slirp_pollfds_fill") &&
		 resolve(h, (void **)&lib.slirp_pollfds_poll, "slirp_pollfds_poll") &&
		 resolve(h, (void **)&lib.slirp_input, "slirp_input");
	if (!loaded)
		dlclose(h);
}

const struct slirp_lib *slirp_lib_load(struct berth_error *err)
{
	pthread_once(&once, load);
	if (!loaded) {
		berr(err, 0, "user-mode networking needs libslirp (apt-get install libslirp0): %s",
		     why);
		return NULL;
	}
	return &lib;
}
