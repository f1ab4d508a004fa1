/* Unit tests for the command parsers (src/cli/cmd_*.c, commands.c): each command's
 * arguments become the right API calls, and every bad input is a usage error that
 * says what is wrong. */
#include "testlib.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/render.h"

static struct plan plan;
static struct berth_error err;

/* Find and parse the command in a NULL-terminated argv (the words after "berth"). */
static int parse(char **argv)
{
	const struct cli_cmd *c;
	int argc = 0, words;

	while (argv[argc])
		argc++;
	plan_free(&plan);
	plan = (struct plan){ .format = FORMAT_TABLE };
	err.msg[0] = '\0';
	c = cli_find(argc, argv, &words);
	assert_non_null(c);
	return cli_parse(c, argc - words + 1, argv + words - 1, &plan, &err);
}

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })

/* Parse argv, which must succeed with step i being method path body (JSON, sorted keys). */
static void expect_step(char **argv, unsigned i, const char *method, const char *path,
			const char *body)
{
	char *dumped;

	if (parse(argv) < 0)
		fail_msg("%s: unexpected error: %s", argv[0], err.msg);
	assert_true(i < plan.n);
	assert_string_equal(plan.steps[i].method, method);
	assert_string_equal(plan.steps[i].path, path);
	if (!body) {
		assert_null(plan.steps[i].body);
		return;
	}
	dumped = json_dumps(plan.steps[i].body, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(dumped, body);
	free(dumped);
}

/* Parse argv, which must fail naming needle. */
static void expect_error(char **argv, const char *needle)
{
	if (parse(argv) == 0)
		fail_msg("%s ... accepted, expected an error with '%s'", argv[0], needle);
	assert_contains(err.msg, needle);
}

static void create(void **state)
{
	(void)state;
	expect_step(ARGV("create", "web", "--kind", "ct", "--image", "busybox", "--cpus", "2",
			 "--memory", "1G"),
		    0, "POST", "/1.0/servers",
		    "{\"cpus\":2,\"image\":\"busybox\",\"kind\":\"ct\",\"memory\":1073741824,"
		    "\"name\":\"web\"}");
	assert_int_equal(plan.n, 1);
	assert_int_equal(plan.steps[0].kind, STEP_OPERATION);
	assert_string_equal(plan.steps[0].what, "create web");

	expect_step(ARGV("create", "--kind=vm", "db", "--image", "deb", "--cpus", "1", "--memory",
			 "512M", "--disk", "10G", "--restart", "always", "--start"),
		    0, "POST", "/1.0/servers",
		    "{\"cpus\":1,\"disk\":10737418240,\"image\":\"deb\",\"kind\":\"vm\","
		    "\"memory\":536870912,\"name\":\"db\",\"restart\":\"always\"}");
	assert_int_equal(plan.n, 2);
	expect_step(ARGV("create", "--kind=vm", "db", "--image", "deb", "--cpus", "1", "--memory",
			 "512M", "--start"),
		    1, "PUT", "/1.0/servers/db/state", "{\"action\":\"start\",\"force\":false}");
	assert_int_equal(plan.steps[1].kind, STEP_OPERATION);

	expect_step(ARGV("create", "a", "--kind", "ct", "--image", "i", "--plan", "small"), 0,
		    "POST", "/1.0/servers",
		    "{\"image\":\"i\",\"kind\":\"ct\",\"name\":\"a\",\"plan\":\"small\"}");
	expect_step(ARGV("create", "a", "--kind", "ct", "--image", "i", "--plan", "small",
			 "--restart", "no", "--format", "json"),
		    0, "POST", "/1.0/servers",
		    "{\"image\":\"i\",\"kind\":\"ct\",\"name\":\"a\",\"plan\":\"small\","
		    "\"restart\":\"no\"}");
	assert_int_equal(plan.format, FORMAT_JSON);
}

static void create_refusals(void **state)
{
	(void)state;
	expect_error(ARGV("create"), "create: missing NAME");
	expect_error(ARGV("create", "a", "b", "--kind", "ct"), "unexpected argument 'b'");
	expect_error(ARGV("create", "", "--kind", "ct", "--image", "i", "--plan", "p"),
		     "create: server name is empty");
	expect_error(ARGV("create", "../x", "--kind", "ct", "--image", "i", "--plan", "p"),
		     "create: invalid server name '../x'");
	expect_error(ARGV("create", "Web", "--kind", "ct", "--image", "i", "--plan", "p"),
		     "invalid server name 'Web'");
	expect_error(ARGV("create", "web", "--kind", "ct", "--image", "a/b", "--plan", "p"),
		     "create: --image: invalid image name 'a/b'");
	expect_error(ARGV("create", "web", "--kind", "ct", "--image", "i", "--plan", "../p"),
		     "create: --plan: invalid plan name '../p'");
	expect_error(ARGV("create", "web"), "--kind vm or --kind ct is required");
	expect_error(ARGV("create", "web", "--kind", "lxc", "--image", "i", "--plan", "p"),
		     "--kind 'lxc': expected vm or ct");
	expect_error(ARGV("create", "web", "--kind", "ct", "--plan", "p"),
		     "--image NAME is required");
	expect_error(ARGV("create", "web", "--kind", "ct", "--image", "i"),
		     "give --plan NAME (see: berth plan list) or both --cpus and --memory");
	expect_error(ARGV("create", "web", "--kind", "ct", "--image", "i", "--cpus", "1"),
		     "or both --cpus and --memory");
	expect_error(ARGV("create", "web", "--kind", "ct", "--image", "i", "--memory", "1G"),
		     "or both --cpus and --memory");
	/* With a plan, what is given too overrides its values (as the API does). */
	expect_step(ARGV("create", "web", "--kind", "ct", "--image", "i", "--plan", "p", "--disk",
			 "2G", "--cpus", "2"),
		    0, "POST", "/1.0/servers",
		    "{\"cpus\":2,\"disk\":2147483648,\"image\":\"i\",\"kind\":\"ct\","
		    "\"name\":\"web\",\"plan\":\"p\"}");
	expect_error(
	    ARGV("create", "web", "--kind", "ct", "--image", "i", "--cpus", "0", "--memory", "1G"),
	    "--cpus '0': expected a whole number from 1 to 255");
	expect_error(ARGV("create", "web", "--kind", "ct", "--image", "i", "--cpus", "two",
			  "--memory", "1G"),
		     "--cpus 'two'");
	expect_error(
	    ARGV("create", "web", "--kind", "ct", "--image", "i", "--cpus", "-2", "--memory", "1G"),
	    "--cpus '-2'");
	expect_error(
	    ARGV("create", "web", "--kind", "ct", "--image", "i", "--cpus", "1", "--memory", "0"),
	    "--memory '0': must be more than 0");
	expect_error(
	    ARGV("create", "web", "--kind", "ct", "--image", "i", "--cpus", "1", "--memory", "-1G"),
	    "--memory: invalid size");
	expect_error(
	    ARGV("create", "web", "--kind", "ct", "--image", "i", "--cpus", "1", "--memory", "1X"),
	    "--memory: invalid size suffix");
	expect_error(ARGV("create", "web", "--kind", "ct", "--image", "i", "--cpus", "1",
			  "--memory", "1G", "--disk", "lots"),
		     "--disk: invalid size");
	expect_error(ARGV("create", "web", "--kind", "ct", "--image", "i", "--cpus", "1",
			  "--memory", "99999999T"),
		     "too large");
	expect_error(ARGV("create", "web", "--kind", "ct", "--image", "i", "--plan", "p",
			  "--restart", "sometimes"),
		     "--restart 'sometimes': expected always or no");
	expect_error(ARGV("create", "web", "--kind"), "option --kind needs a value");
	expect_error(ARGV("create", "web", "--start=yes"), "option '--start=yes' takes no value");
	expect_error(ARGV("create", "web", "--console"), "unknown option '--console'");
	expect_error(ARGV("create", "web", "--format", "yaml"), "--format 'yaml'");
}

static void create_help(void **state)
{
	(void)state;
	/* --help wins over what is missing or wrong after it. */
	assert_int_equal(parse(ARGV("create", "--help", "--bogus")), 0);
	assert_true(plan.help);
	assert_int_equal(plan.n, 0);
	assert_int_equal(parse(ARGV("create", "-h")), 0);
	assert_true(plan.help);
}

static void state_changes(void **state)
{
	(void)state;
	expect_step(ARGV("start", "web"), 0, "PUT", "/1.0/servers/web/state",
		    "{\"action\":\"start\",\"force\":false}");
	assert_string_equal(plan.steps[0].what, "start web");
	expect_step(ARGV("stop", "web"), 0, "PUT", "/1.0/servers/web/state",
		    "{\"action\":\"stop\",\"force\":false}");
	expect_step(ARGV("stop", "--force", "--timeout", "2m", "web"), 0, "PUT",
		    "/1.0/servers/web/state",
		    "{\"action\":\"stop\",\"force\":true,\"timeout\":120}");
	expect_step(ARGV("stop", "web", "--timeout=0"), 0, "PUT", "/1.0/servers/web/state",
		    "{\"action\":\"stop\",\"force\":false,\"timeout\":0}");
	expect_step(ARGV("restart", "web", "--timeout", "10"), 0, "PUT", "/1.0/servers/web/state",
		    "{\"action\":\"restart\",\"force\":false,\"timeout\":10}");
	assert_string_equal(plan.steps[0].what, "restart web");
	expect_step(ARGV("delete", "web"), 0, "DELETE", "/1.0/servers/web", NULL);
	assert_int_equal(plan.steps[0].kind, STEP_OPERATION);
	expect_step(ARGV("delete", "--force", "web"), 0, "DELETE", "/1.0/servers/web?force=1",
		    NULL);
	expect_error(ARGV("start", "a/b?c"), "start: invalid server name 'a/b?c'");
	expect_error(ARGV("stop", "..", "--force"), "stop: invalid server name '..'");
	expect_error(ARGV("restart", "A"), "restart: invalid server name 'A'");
	expect_error(ARGV("delete", ".."), "delete: invalid server name '..'");

	expect_error(ARGV("start"), "start: missing NAME");
	expect_error(ARGV("start", "a", "b"), "start: unexpected argument 'b'");
	expect_error(ARGV("start", "--force", "a"), "start: unknown option '--force'");
	expect_error(ARGV("stop", "--timeout", "soon", "web"), "--timeout 'soon'");
	expect_error(ARGV("stop", "--timeout", "-1", "web"), "--timeout '-1'");
	expect_error(ARGV("stop", "--timeout", "2d", "web"), "--timeout '2d'");
	expect_error(ARGV("stop", "--timeout", "2h", "web"), "--timeout '2h': at most 1h");
	expect_error(ARGV("stop", "web", "--timeout"), "option --timeout needs a value");
	expect_error(ARGV("stop"), "stop: missing NAME");
	expect_error(ARGV("restart", "--timeout", "x", "web"), "--timeout 'x'");
	expect_error(ARGV("delete"), "delete: missing NAME");
	expect_error(ARGV("delete", "--timeout", "1", "web"), "unknown option '--timeout'");
	expect_error(ARGV("delete", ""), "delete: server name is empty");
}

static void looking(void **state)
{
	(void)state;
	expect_step(ARGV("list"), 0, "GET", "/1.0/servers", NULL);
	assert_ptr_equal(plan.steps[0].render, render_servers);
	assert_int_equal(plan.steps[0].kind, STEP_SHOW);
	expect_step(ARGV("list", "--format", "json"), 0, "GET", "/1.0/servers", NULL);
	assert_int_equal(plan.format, FORMAT_JSON);
	expect_step(ARGV("show", "web"), 0, "GET", "/1.0/servers/web", NULL);
	assert_ptr_equal(plan.steps[0].render, render_server);
	expect_step(ARGV("host"), 0, "GET", "/1.0/host", NULL);
	assert_ptr_equal(plan.steps[0].render, render_host);
	expect_step(ARGV("plan", "list"), 0, "GET", "/1.0/plans", NULL);
	assert_ptr_equal(plan.steps[0].render, render_plans);

	expect_error(ARGV("list", "web"), "list: unexpected argument 'web'");
	expect_error(ARGV("list", "--all"), "list: unknown option '--all'");
	expect_error(ARGV("show"), "show: missing NAME");
	expect_error(ARGV("show", "a", "b"), "unexpected argument 'b'");
	expect_error(ARGV("show", "../etc"), "show: invalid server name '../etc'");
	expect_error(ARGV("host", "x"), "host: unexpected argument 'x'");
	expect_error(ARGV("plan", "list", "small"), "plan list: unexpected argument 'small'");
}

static void resize(void **state)
{
	(void)state;
	expect_step(ARGV("resize", "web", "--cpus", "4"), 0, "PATCH", "/1.0/servers/web",
		    "{\"cpus\":4}");
	expect_step(ARGV("resize", "--memory", "2G", "--disk", "20G", "web"), 0, "PATCH",
		    "/1.0/servers/web", "{\"disk\":21474836480,\"memory\":2147483648}");
	assert_int_equal(plan.steps[0].kind, STEP_SHOW);

	expect_error(ARGV("resize", "web"), "give at least one of --cpus, --memory, --disk");
	expect_error(ARGV("resize", "--cpus", "2"), "resize: missing NAME");
	expect_error(ARGV("resize", "web", "--cpus", "256"), "from 1 to 255");
	expect_error(ARGV("resize", "web", "--memory", "0"), "must be more than 0");
	expect_error(ARGV("resize", "web", "--plan", "small"), "unknown option '--plan'");
	expect_error(ARGV("resize", "we b", "--cpus", "1"), "resize: invalid server name 'we b'");
}

static void images(void **state)
{
	char cwd[PATH_MAX], want[PATH_MAX + 64];

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(want, sizeof(want),
		 "{\"kind\":\"ct\",\"name\":\"busybox\",\"rootfs\":\"%s/busybox.tar\"}", cwd);
	expect_step(ARGV("image", "import", "busybox", "--kind", "ct", "--rootfs", "busybox.tar"),
		    0, "POST", "/1.0/images?name=busybox&kind=ct", want);
	assert_int_equal(plan.steps[0].kind, STEP_UPLOAD); /* the body names what to send */
	assert_string_equal(plan.steps[0].what, "import busybox");
	expect_step(ARGV("image", "import", "k", "--kind", "vm", "--kernel", "/boot/vmlinuz",
			 "--initrd", "/boot/initrd", "--disk", "/srv/root.img"),
		    0, "POST", "/1.0/images?name=k&kind=vm",
		    "{\"disk\":\"/srv/root.img\",\"initrd\":\"/boot/initrd\",\"kernel\":"
		    "\"/boot/vmlinuz\",\"kind\":\"vm\",\"name\":\"k\"}");
	expect_step(ARGV("image", "import", "k", "--kind", "vm", "--kernel", "/k"), 0, "POST",
		    "/1.0/images?name=k&kind=vm",
		    "{\"kernel\":\"/k\",\"kind\":\"vm\",\"name\":\"k\"}");
	/* the archive is the body: the command line goes in the query, percent-encoded */
	expect_step(ARGV("image", "import", "k", "--kind", "vm", "--kernel", "/k", "--cmdline",
			 "root=/dev/vda1 ro&x=%"),
		    0, "POST",
		    "/1.0/images?name=k&kind=vm&cmdline=root%3D%2Fdev%2Fvda1%20ro%26x%3D%25",
		    "{\"kernel\":\"/k\",\"kind\":\"vm\",\"name\":\"k\"}");
	expect_step(ARGV("image", "import", "d", "--kind", "vm", "--disk", "/d.img"), 0, "POST",
		    "/1.0/images?name=d&kind=vm",
		    "{\"disk\":\"/d.img\",\"kind\":\"vm\",\"name\":\"d\"}");
	expect_step(ARGV("image", "list"), 0, "GET", "/1.0/images", NULL);
	assert_ptr_equal(plan.steps[0].render, render_images);
	expect_step(ARGV("image", "delete", "busybox"), 0, "DELETE", "/1.0/images/busybox", NULL);
	assert_int_equal(plan.steps[0].kind, STEP_OPERATION);
	assert_string_equal(plan.steps[0].what, "delete image busybox");

	expect_error(ARGV("image", "import", "--kind", "ct", "--rootfs", "/r"),
		     "image import: missing NAME");
	expect_error(ARGV("image", "import", "x"), "--kind ct (with --rootfs) or --kind vm");
	expect_error(ARGV("image", "import", "x", "--kind", "oci", "--rootfs", "/r"),
		     "--kind 'oci': expected vm or ct");
	expect_error(ARGV("image", "import", "x", "--kind", "ct"),
		     "--kind ct needs --rootfs TARBALL|DIR");
	expect_error(
	    ARGV("image", "import", "x", "--kind", "ct", "--rootfs", "/r", "--kernel", "/k"),
	    "--kernel is for --kind vm");
	expect_error(ARGV("image", "import", "x", "--kind", "ct", "--rootfs", "/r", "--disk", "/d"),
		     "--disk is for --kind vm");
	expect_error(ARGV("image", "import", "x", "--kind", "vm"), "--kind vm needs --kernel FILE");
	expect_error(ARGV("image", "import", "x", "--kind", "vm", "--initrd", "/i"),
		     "--kind vm needs --kernel FILE");
	expect_error(ARGV("image", "import", "x", "--kind", "vm", "--disk", "/d", "--cmdline", "a"),
		     "--cmdline needs --kernel");
	expect_error(ARGV("image", "import", "x", "--kind", "vm", "--disk", "/d", "--initrd", "/i"),
		     "--initrd needs --kernel");
	expect_error(
	    ARGV("image", "import", "x", "--kind", "ct", "--rootfs", "/r", "--cmdline", "a"),
	    "--cmdline is for --kind vm");
	expect_error(
	    ARGV("image", "import", "x", "--kind", "vm", "--kernel", "/k", "--cmdline", ""),
	    "--cmdline is empty");
	expect_error(
	    ARGV("image", "import", "x", "--kind", "vm", "--kernel", "/k", "--rootfs", "/r"),
	    "--rootfs is for --kind ct");
	expect_error(ARGV("image", "import", "x", "--kind", "ct", "--rootfs", ""), "empty path");
	expect_error(ARGV("image", "import", "x", "--kind", "ct", "--rootfs"),
		     "option --rootfs needs a value");
	expect_error(ARGV("image", "list", "x"), "image list: unexpected argument 'x'");
	expect_error(ARGV("image", "delete"), "image delete: missing NAME");
	expect_error(ARGV("image", "delete", "x/.."), "image delete: invalid image name 'x/..'");
	expect_error(ARGV("image", "import", "Busy", "--kind", "ct", "--rootfs", "/r"),
		     "image import: invalid image name 'Busy'");
}

static void finding(void **state)
{
	int words;

	(void)state;
	assert_null(cli_find(1, ARGV("frob"), &words));
	assert_int_equal(words, 0);
	assert_null(cli_find(1, ARGV("image"), &words));
	assert_int_equal(words, 1); /* a group: berth lists its commands */
	assert_null(cli_find(2, ARGV("image", "frob"), &words));
	assert_int_equal(words, 1);
	assert_null(cli_find(1, ARGV("plan"), &words));
	assert_int_equal(words, 1);
	assert_null(cli_find(1, ARGV("ima"), &words));
	assert_int_equal(words, 0);
	assert_null(cli_find(0, ARGV(""), &words));
	assert_non_null(cli_find(2, ARGV("image", "list"), &words));
	assert_int_equal(words, 2);
	assert_non_null(cli_find(1, ARGV("console"), &words));
	assert_non_null(cli_find(1, ARGV("exec"), &words));
	assert_int_equal(words, 1);
}

static void escaping(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(plan_escape("web-1", out, sizeof(out)), 0);
	assert_string_equal(out, "web-1");
	assert_int_equal(plan_escape("a/b?c d", out, sizeof(out)), 0);
	assert_string_equal(out, "a%2Fb%3Fc%20d");
	assert_int_equal(plan_escape("..~_", out, sizeof(out)), 0);
	assert_string_equal(out, "..~_");
	assert_int_equal(plan_escape("0123456789abcdef", out, sizeof(out)), -1);
	assert_int_equal(plan_escape("0123456789abc/", out, sizeof(out)), -1);
}

static int teardown(void **state)
{
	(void)state;
	plan_free(&plan);
	return 0;
}

static void console(void **state)
{
	(void)state;
	expect_step(ARGV("console", "web"), 0, "GET", "/1.0/servers/web/console", NULL);
	assert_int_equal(plan.n, 1);
	assert_int_equal(plan.steps[0].kind, STEP_CONSOLE);
	assert_string_equal(plan.steps[0].what, "web");
	expect_error(ARGV("console"), "console: missing NAME");
	expect_error(ARGV("console", "a", "b"), "unexpected argument 'b'");
	expect_error(ARGV("console", "../x"), "invalid server name '../x'");
	expect_error(ARGV("console", "--tty", "web"), "unknown option '--tty'");
}

static void exec(void **state)
{
	(void)state;
	expect_step(ARGV("exec", "web", "--", "sh", "-c", "echo hi; exit 7"), 0, "POST",
		    "/1.0/servers/web/exec", "{\"command\":[\"sh\",\"-c\",\"echo hi; exit 7\"]}");
	assert_int_equal(plan.steps[0].kind, STEP_EXEC);
	/* no --tty nor --no-tty: run.c decides from berth's own stdin and stdout */
	expect_step(ARGV("exec", "-t", "--env", "A=1", "--env=B=x=y", "--cwd", "/tmp", "web", "--",
			 "ls", "-l"),
		    0, "POST", "/1.0/servers/web/exec",
		    "{\"command\":[\"ls\",\"-l\"],\"cwd\":\"/tmp\",\"env\":[\"A=1\",\"B=x=y\"],"
		    "\"tty\":true}");
	expect_step(ARGV("exec", "web", "-T", "--", "true"), 0, "POST", "/1.0/servers/web/exec",
		    "{\"command\":[\"true\"],\"tty\":false}");
	expect_step(ARGV("exec", "--no-tty", "web", "true"), 0, "POST", "/1.0/servers/web/exec",
		    "{\"command\":[\"true\"],\"tty\":false}");
	/* what follows -- is the command's, even when it looks like berth's options */
	expect_step(ARGV("exec", "web", "--", "prog", "--help", "--tty"), 0, "POST",
		    "/1.0/servers/web/exec", "{\"command\":[\"prog\",\"--help\",\"--tty\"]}");
}

static void exec_refusals(void **state)
{
	(void)state;
	expect_error(ARGV("exec"), "exec: missing NAME");
	expect_error(ARGV("exec", "web"), "exec: missing the command");
	expect_error(ARGV("exec", "web", "--"), "exec: missing the command");
	expect_error(ARGV("exec", "web", "ls", "-l"),
		     "unknown option '-l' (the command goes after --: berth exec NAME -- CMD");
	expect_error(ARGV("exec", "Web", "--", "true"), "exec: invalid server name 'Web'");
	expect_error(ARGV("exec", "--env", "NOVALUE", "web", "--", "true"),
		     "--env 'NOVALUE': expected KEY=VALUE");
	expect_error(ARGV("exec", "--env", "=x", "web", "--", "true"), "expected KEY=VALUE");
	expect_error(ARGV("exec", "--cwd", "tmp", "web", "--", "true"),
		     "--cwd 'tmp': give an absolute path");
	expect_error(ARGV("exec", "--cwd"), "option --cwd needs a value");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(create),      cmocka_unit_test(create_refusals),
		cmocka_unit_test(create_help), cmocka_unit_test(state_changes),
		cmocka_unit_test(looking),     cmocka_unit_test(resize),
		cmocka_unit_test(images),      cmocka_unit_test(finding),
		cmocka_unit_test(escaping),    cmocka_unit_test(console),
		cmocka_unit_test(exec),	       cmocka_unit_test(exec_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
