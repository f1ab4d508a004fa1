/* cpulist.c - CPU lists to sets and back (cpulist.h). */
#include "common/cpulist.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

/* A CPU number at *p, moving *p past it. */
static int number(const char **p, unsigned long *out)
{
	char *end;

	if (!isdigit((unsigned char)**p))
		return -1;
	*out = strtoul(*p, &end, 10);
	*p = end;
	return *out < CPU_SETSIZE ? 0 : -1;
}

int cpulist_parse(const char *list, cpu_set_t *set)
{
	const char *p = list;
	unsigned long a, b;

	CPU_ZERO(set);
	while (*p && *p != '\n') {
		if (number(&p, &a) < 0)
			return -1;
		b = a;
		if (*p == '-') {
			p++;
			if (number(&p, &b) < 0 || b < a)
				return -1;
		}
		for (; a <= b; a++)
			CPU_SET(a, set);
		if (*p == ',')
			p++;
		else if (*p && *p != '\n')
			return -1;
	}
	return 0;
}

int cpulist_format(const cpu_set_t *set, char *buf, size_t len)
{
	size_t used = 0;
	int a, b, n;

	if (!len)
		return -1;
	buf[0] = '\0';
	for (a = 0; a < CPU_SETSIZE; a = b + 1) {
		if (!CPU_ISSET(a, set)) {
			b = a;
			continue;
		}
		for (b = a; b + 1 < CPU_SETSIZE && CPU_ISSET(b + 1, set); b++)
			;
		n = a == b ? snprintf(buf + used, len - used, "%s%d", used ? "," : "", a)
			   : snprintf(buf + used, len - used, "%s%d-%d", used ? "," : "", a, b);
		if (n < 0 || (size_t)n >= len - used)
			return -1;
		used += (size_t)n;
	}
	return 0;
}
