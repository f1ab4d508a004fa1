/* Unit tests for src/cli/opts.c: option values (counts, durations, sizes, formats,
 * paths) and the option loop's messages for bad options. */
#include "testlib.h"

#include <stdlib.h>

#include "cli/opts.h"

static void counts(void **state)
{
	struct berth_error err;
	unsigned v;

	(void)state;
	assert_int_equal(opt_count("--cpus", "4", 1, 1024, &v, &err), 0);
	assert_int_equal(v, 4);
	assert_int_equal(opt_count("--cpus", "1024", 1, 1024, &v, &err), 0);
	assert_int_equal(v, 1024);
	assert_int_equal(opt_count("--cpus", "0", 1, 1024, &v, &err), -1);
	assert_contains(err.msg, "--cpus '0': expected a whole number from 1 to 1024");
	assert_int_equal(opt_count("--cpus", "1025", 1, 1024, &v, &err), -1);
	assert_int_equal(opt_count("--cpus", "-1", 1, 1024, &v, &err), -1);
	assert_int_equal(opt_count("--cpus", "+2", 1, 1024, &v, &err), -1);
	assert_int_equal(opt_count("--cpus", " 2", 1, 1024, &v, &err), -1);
	assert_int_equal(opt_count("--cpus", "2x", 1, 1024, &v, &err), -1);
	assert_int_equal(opt_count("--cpus", "", 1, 1024, &v, &err), -1);
	assert_int_equal(opt_count("--cpus", "1.5", 1, 1024, &v, &err), -1);
	assert_int_equal(opt_count("--cpus", "99999999999999999999999", 1, 1024, &v, &err), -1);
}

static void durations(void **state)
{
	struct berth_error err;
	unsigned v;

	(void)state;
	assert_int_equal(opt_duration("--timeout", "30", &v, &err), 0);
	assert_int_equal(v, 30);
	assert_int_equal(opt_duration("--timeout", "0", &v, &err), 0);
	assert_int_equal(v, 0);
	assert_int_equal(opt_duration("--timeout", "45s", &v, &err), 0);
	assert_int_equal(v, 45);
	assert_int_equal(opt_duration("--timeout", "5m", &v, &err), 0);
	assert_int_equal(v, 300);
	assert_int_equal(opt_duration("--timeout", "1h", &v, &err), 0);
	assert_int_equal(v, 3600);
	assert_int_equal(opt_duration("--timeout", "60m", &v, &err), 0);
	assert_int_equal(opt_duration("--timeout", "3600", &v, &err), 0);

	/* berthd refuses a stop longer than an hour: so does berth, saying so */
	assert_int_equal(opt_duration("--timeout", "2h", &v, &err), -1);
	assert_string_equal(err.msg, "--timeout '2h': at most 1h (3600 seconds), as berthd allows");
	assert_int_equal(opt_duration("--timeout", "3601", &v, &err), -1);
	assert_contains(err.msg, "at most 1h");
	assert_int_equal(opt_duration("--timeout", "61m", &v, &err), -1);
	assert_int_equal(opt_duration("--timeout", "99999999999999999999s", &v, &err), -1);
	assert_int_equal(opt_duration("--timeout", "-5", &v, &err), -1);
	assert_contains(err.msg, "--timeout '-5': expected seconds such as 30");
	assert_int_equal(opt_duration("--timeout", "5d", &v, &err), -1);
	assert_int_equal(opt_duration("--timeout", "5ms", &v, &err), -1);
	assert_int_equal(opt_duration("--timeout", "s", &v, &err), -1);
	assert_int_equal(opt_duration("--timeout", "", &v, &err), -1);
	assert_int_equal(opt_duration("--timeout", "1.5m", &v, &err), -1);
	assert_int_equal(opt_duration("--timeout", "+5", &v, &err), -1);
}

static void sizes(void **state)
{
	struct berth_error err;
	uint64_t v;

	(void)state;
	assert_int_equal(opt_size("--memory", "512M", false, &v, &err), 0);
	assert_int_equal(v, 512ULL << 20);
	assert_int_equal(opt_size("--memory", "2GiB", false, &v, &err), 0);
	assert_int_equal(v, 2ULL << 30);
	assert_int_equal(opt_size("--disk", "0", true, &v, &err), 0);
	assert_int_equal(v, 0);

	assert_int_equal(opt_size("--memory", "0", false, &v, &err), -1);
	assert_contains(err.msg, "--memory '0': must be more than 0");
	assert_int_equal(opt_size("--memory", "-1G", false, &v, &err), -1);
	assert_contains(err.msg, "--memory: invalid size");
	assert_int_equal(opt_size("--memory", "1Q", false, &v, &err), -1);
	assert_contains(err.msg, "--memory: invalid size suffix");
	assert_int_equal(opt_size("--memory", "G", false, &v, &err), -1);
	assert_int_equal(opt_size("--memory", "", false, &v, &err), -1);
	assert_int_equal(opt_size("--disk", "9000000T", true, &v, &err), -1);
	assert_contains(err.msg, "--disk '9000000T': too large");
	assert_int_equal(opt_size("--disk", "17179869184T", true, &v, &err), -1);
	assert_contains(err.msg, "too large");
}

static void formats(void **state)
{
	struct berth_error err;
	enum cli_format f;

	(void)state;
	assert_int_equal(opt_format("json", &f, &err), 0);
	assert_int_equal(f, FORMAT_JSON);
	assert_int_equal(opt_format("table", &f, &err), 0);
	assert_int_equal(f, FORMAT_TABLE);
	assert_int_equal(opt_format("JSON", &f, &err), -1);
	assert_int_equal(opt_format("yaml", &f, &err), -1);
	assert_contains(err.msg, "--format 'yaml': expected table or json");
	assert_int_equal(opt_format("", &f, &err), -1);
}

static void paths(void **state)
{
	struct berth_error err;
	char *p;

	(void)state;
	p = opt_abspath("/home/op", "rootfs.tar", &err);
	assert_string_equal(p, "/home/op/rootfs.tar");
	free(p);
	p = opt_abspath("/home/op", "./img/./k", &err);
	assert_string_equal(p, "/home/op/img/./k");
	free(p);
	p = opt_abspath("/home/op", ".//k", &err);
	assert_string_equal(p, "/home/op/k");
	free(p);
	p = opt_abspath("/home/op", "../k", &err);
	assert_string_equal(p, "/home/op/../k");
	free(p);
	p = opt_abspath("/", "k", &err);
	assert_string_equal(p, "/k");
	free(p);
	p = opt_abspath("/home/op", "/srv/kernel", &err);
	assert_string_equal(p, "/srv/kernel");
	free(p);
	assert_null(opt_abspath("/home/op", "", &err));
	assert_contains(err.msg, "empty path");
}

/* Run the option loop of a command with --force and --timeout over argv; returns what
 * the loop ended with (-1 or -2) and leaves the last value in *seen. */
static int loop(char **argv, int *seen, bool *help, struct berth_error *err)
{
	static const struct option opts[] = { { "force", no_argument, NULL, 'f' },
					      { "timeout", required_argument, NULL, 't' },
					      { 0 } };
	enum cli_format format = FORMAT_TABLE;
	struct opt_loop l = { .cmd = "stop", .longopts = opts, .format = &format, .help = help };
	int argc = 0, ch;

	while (argv[argc])
		argc++;
	*help = false;
	*seen = 0;
	while ((ch = opt_next(&l, argc, argv, err)) >= 0)
		*seen = ch;
	return ch;
}

static void bad_options(void **state)
{
	struct berth_error err;
	bool help;
	int seen;

	(void)state;
	assert_int_equal(loop((char *[]){ "stop", "--force", "web", NULL }, &seen, &help, &err),
			 -1);
	assert_int_equal(seen, 'f');
	assert_int_equal(loop((char *[]){ "stop", "--bogus", NULL }, &seen, &help, &err), -2);
	assert_string_equal(err.msg, "stop: unknown option '--bogus'");
	assert_int_equal(loop((char *[]){ "stop", "-x", NULL }, &seen, &help, &err), -2);
	assert_string_equal(err.msg, "stop: unknown option '-x'");
	assert_int_equal(loop((char *[]){ "stop", "--timeout", NULL }, &seen, &help, &err), -2);
	assert_string_equal(err.msg, "stop: option --timeout needs a value");
	assert_int_equal(loop((char *[]){ "stop", "--force=yes", NULL }, &seen, &help, &err), -2);
	assert_string_equal(err.msg, "stop: option '--force=yes' takes no value");
	assert_int_equal(loop((char *[]){ "stop", "--format", "xml", NULL }, &seen, &help, &err),
			 -2);
	assert_contains(err.msg, "--format 'xml'");
	assert_int_equal(loop((char *[]){ "stop", "--format", NULL }, &seen, &help, &err), -2);
	assert_string_equal(err.msg, "stop: option --format needs a value");
	/* --help ends the loop at once, before later bad options. */
	assert_int_equal(loop((char *[]){ "stop", "--help", "--bogus", NULL }, &seen, &help, &err),
			 -1);
	assert_true(help);
	assert_int_equal(loop((char *[]){ "stop", "-h", NULL }, &seen, &help, &err), -1);
	assert_true(help);
}

static void positionals(void **state)
{
	struct berth_error err;
	const char *name = NULL;

	(void)state;
	optind = 1;
	assert_int_equal(
	    opt_positional("show", 2, (char *[]){ "show", "web-1", NULL }, "server", &name, &err),
	    0);
	assert_string_equal(name, "web-1");
	assert_int_equal(
	    opt_positional("show", 1, (char *[]){ "show", NULL }, "server", &name, &err), -1);
	assert_string_equal(err.msg, "show: missing NAME");
	assert_int_equal(
	    opt_positional("show", 3, (char *[]){ "show", "a", "b", NULL }, "server", &name, &err),
	    -1);
	assert_string_equal(err.msg, "show: unexpected argument 'b'");
	assert_int_equal(
	    opt_positional("show", 2, (char *[]){ "show", "", NULL }, "server", &name, &err), -1);
	assert_contains(err.msg, "show: server name is empty");
	assert_int_equal(
	    opt_positional("list", 2, (char *[]){ "list", "x", NULL }, NULL, &name, &err), -1);
	assert_string_equal(err.msg, "list: unexpected argument 'x'");
	assert_int_equal(opt_positional("list", 1, (char *[]){ "list", NULL }, NULL, &name, &err),
			 0);
}

static void names(void **state)
{
	struct berth_error err;

	(void)state;
	assert_int_equal(opt_name("create", "server", "web-1", &err), 0);
	assert_int_equal(opt_name("create", "server", "0", &err), 0);
	assert_int_equal(opt_name("create", "server", "Web", &err), -1);
	assert_contains(err.msg, "create: invalid server name 'Web': use 1 to 63 lowercase");
	assert_int_equal(opt_name("create: --image", "image", "../etc", &err), -1);
	assert_contains(err.msg, "create: --image: invalid image name '../etc'");
	assert_int_equal(opt_name("x", "server", "-a", &err), -1);
	assert_int_equal(opt_name("x", "server", "a/b", &err), -1);
	assert_int_equal(opt_name("x", "server", "a b", &err), -1);
	assert_int_equal(opt_name("x", "server", "a.b", &err), -1);
	assert_int_equal(opt_name("x", "server", "", &err), -1);
	assert_int_equal(
	    opt_name("x", "server",
		     "a123456789012345678901234567890123456789012345678901234567890123", &err),
	    -1);
	assert_int_equal(opt_name("x", "server",
				  "a12345678901234567890123456789012345678901234567890123456789012",
				  &err),
			 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counts),      cmocka_unit_test(durations),
		cmocka_unit_test(sizes),       cmocka_unit_test(formats),
		cmocka_unit_test(paths),       cmocka_unit_test(bad_options),
		cmocka_unit_test(positionals), cmocka_unit_test(names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
