/* refuse.c - errors that carry a cause without its strerror text. */
#include "daemon/refuse.h"

int refuse(struct berth_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vberr(err, 0, fmt, ap);
	va_end(ap);
	err->errnum = errnum;
	return -1;
}
