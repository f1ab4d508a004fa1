/* cleanup.h - scope-bound release of resources, so early returns cannot leak.
 *
 * `_cleanup_free_ char *p = malloc(..)` frees p when it leaves scope;
 * `_cleanup_close_ int fd = open(..)` closes fd (if >= 0). Hand a resource on
 * with steal_ptr()/steal_fd(), which also disarm the cleanup. */
#ifndef BERTH_COMMON_CLEANUP_H
#define BERTH_COMMON_CLEANUP_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* free(*p) for __attribute__((cleanup)). */
static inline void cleanup_freep(void *p)
{
	free(*(void **)p);
}

/* close(*fd) when it is open, for __attribute__((cleanup)). */
static inline void cleanup_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

/* fclose(*f) when it is open, for __attribute__((cleanup)). */
static inline void cleanup_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

#define _cleanup_free_	 __attribute__((cleanup(cleanup_freep)))
#define _cleanup_close_	 __attribute__((cleanup(cleanup_closep)))
#define _cleanup_fclose_ __attribute__((cleanup(cleanup_fclosep)))

/* Take ownership of *pp, leaving NULL behind. */
#define steal_ptr(pp)                                                                              \
	({                                                                                         \
		__typeof__(*(pp)) _p = *(pp);                                                      \
		*(pp) = NULL;                                                                      \
		_p;                                                                                \
	})
/* Take ownership of *fdp, leaving -1 behind. */
#define steal_fd(fdp)                                                                              \
	({                                                                                         \
		int _fd = *(fdp);                                                                  \
		*(fdp) = -1;                                                                       \
		_fd;                                                                               \
	})

#endif
