/* error.h - one error object for every fallible function in Berth.
 *
 * In the crun mould: a fallible function takes a `struct berth_error *`, fills it
 * with errno and a message naming the object it failed on, and returns -1. The
 * program's top level prints the message once. */
#ifndef BERTH_COMMON_ERROR_H
#define BERTH_COMMON_ERROR_H

#include <stdarg.h>

struct berth_error {
	int errnum;    /* errno-style cause, 0 when there is none */
	char msg[512]; /* a sentence a user can act on */
};

/* Fill err with errnum and a formatted message (": strerror" is appended when errnum != 0); returns
 * -1. */
int berr(struct berth_error *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like berr() with a va_list. */
int vberr(struct berth_error *err, int errnum, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Fill err with the message and errnum but without ": strerror": for answers such as "not
 * enough memory..." or "invalid name...", complete as they are, whose errnum still tells
 * callers what kind of failure it is (bad input, not found, too long); returns -1. */
int refuse(struct berth_error *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepend context to an existing message ("context: old message"); returns -1. */
int berr_wrap(struct berth_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print "PROG: message" to stderr. */
void berr_print(const char *prog, const struct berth_error *err);

#endif
