/* testlib.h - what every cmocka unit test includes, in the order cmocka needs. */
#ifndef BERTH_TESTS_TESTLIB_H
#define BERTH_TESTS_TESTLIB_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

/* Assert that haystack contains needle, printing both when it does not. */
#define assert_contains(haystack, needle)                                                  \
	do {                                                                               \
		if (!strstr((haystack), (needle)))                                         \
			fail_msg("expected \"%s\" in \"%s\"", (needle), (haystack));       \
	} while (0)

#endif
