/* error.c - filling and printing struct berth_error. */
#include "error.h"

#include <stdio.h>
#include <string.h>

int vberr(struct berth_error *err, int errnum, const char *fmt, va_list ap)
{
	int n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);

	if (n < 0)
		n = 0;
	if (errnum && (size_t)n < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(errnum));
	err->errnum = errnum;
	return -1;
}

int berr(struct berth_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vberr(err, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int refuse(struct berth_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vberr(err, 0, fmt, ap);
	va_end(ap);
	err->errnum = errnum;
	return -1;
}

int berr_wrap(struct berth_error *err, const char *fmt, ...)
{
	char joined[sizeof(err->msg) * 2];
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	n = (size_t)vsnprintf(joined, sizeof(joined) / 2, fmt, ap);
	va_end(ap);
	if (n >= sizeof(joined) / 2)
		n = sizeof(joined) / 2 - 1;
	snprintf(joined + n, sizeof(joined) - n, ": %.*s", (int)sizeof(err->msg), err->msg);
	/* Truncation is fine: the message's head carries the context. */
	n = strnlen(joined, sizeof(err->msg) - 1);
	memcpy(err->msg, joined, n);
	err->msg[n] = '\0';
	return -1;
}

void berr_print(const char *prog, const struct berth_error *err)
{
	fprintf(stderr, "%s: %s\n", prog, err->msg[0] ? err->msg : "unknown error");
}
