/* refuse.h - errors that are answers, not failures: "not enough memory...", "no server x".
 * The errno says which HTTP status the API gives (api_status()); the message carries no
 * strerror text, because it is complete as it is. */
#ifndef BERTH_DAEMON_REFUSE_H
#define BERTH_DAEMON_REFUSE_H

#include "common/error.h"

/* Fill err with the message and errnum (without ": strerror"); returns -1. */
int refuse(struct berth_error *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
