/* Unit tests for src/vmm/options.c: every bad command line gets a clear error. */
#include "testlib.h"

#include <stdio.h>

#include "vmm/options.h"

static int parse(struct vm_config *cfg, struct berth_error *err, int argc, char **argv)
{
	FILE *out = fopen("/dev/null", "w");
	int r = options_parse(argc, argv, cfg, out, err);

	fclose(out);
	return r;
}

#define PARSE(cfg, err, ...)                                                                       \
	({                                                                                         \
		char *argv_[] = { "berth-vmm", __VA_ARGS__, NULL };                                \
		parse(cfg, err, (int)(sizeof(argv_) / sizeof(argv_[0])) - 1, argv_);               \
	})

static void defaults(void **state)
{
	struct berth_error err = { 0 };
	struct vm_config cfg;

	(void)state;
	assert_int_equal(PARSE(&cfg, &err, "--kernel", "k"), 0);
	assert_string_equal(cfg.kernel, "k");
	assert_null(cfg.initrd);
	assert_int_equal(cfg.mem, 512ULL << 20);
	assert_int_equal(cfg.cpus, 1);
	assert_int_equal(cfg.console, CONSOLE_STDIO);
	assert_false(cfg.no_reboot);
	assert_string_equal(cfg.cmdline, VM_DEFAULT_CMDLINE);
}

static void all_options(void **state)
{
	struct berth_error err = { 0 };
	struct vm_config cfg;

	(void)state;
	assert_int_equal(PARSE(&cfg, &err, "--kernel", "k", "--initrd", "i", "--cmdline", "quiet",
			       "--mem", "1G", "--cpus", "2", "--console", "file=/tmp/c",
			       "--no-reboot"),
			 0);
	assert_string_equal(cfg.initrd, "i");
	assert_string_equal(cfg.cmdline, "quiet");
	assert_int_equal(cfg.mem, 1ULL << 30);
	assert_int_equal(cfg.cpus, 2);
	assert_int_equal(cfg.console, CONSOLE_FILE);
	assert_string_equal(cfg.console_path, "/tmp/c");
	assert_true(cfg.no_reboot);
	assert_int_equal(PARSE(&cfg, &err, "--kernel", "k", "--console", "none"), 0);
	assert_int_equal(cfg.console, CONSOLE_NONE);
	assert_false(cfg.prealloc);
	assert_true(cfg.rng);
	assert_int_equal(PARSE(&cfg, &err, "--kernel", "k", "--prealloc", "--no-rng"), 0);
	assert_true(cfg.prealloc);
	assert_false(cfg.rng);
}

static void help_and_version(void **state)
{
	struct berth_error err = { 0 };
	struct vm_config cfg;

	(void)state;
	assert_int_equal(PARSE(&cfg, &err, "--help"), 1);
	assert_int_equal(PARSE(&cfg, &err, "-V"), 1);
}

static void expect_error(const char *needle, int argc, char **argv)
{
	struct berth_error err = { 0 };
	struct vm_config cfg;

	assert_int_equal(parse(&cfg, &err, argc, argv), -1);
	assert_contains(err.msg, needle);
}

#define EXPECT_ERROR(needle, ...)                                                                  \
	do {                                                                                       \
		char *argv_[] = { "berth-vmm", __VA_ARGS__, NULL };                                \
		expect_error(needle, (int)(sizeof(argv_) / sizeof(argv_[0])) - 1, argv_);          \
	} while (0)

static void bad_input(void **state)
{
	(void)state;
	EXPECT_ERROR("no kernel given", "--mem", "512M");
	EXPECT_ERROR("unknown option '--frobnicate'", "--kernel", "k", "--frobnicate");
	EXPECT_ERROR("needs a value", "--kernel");
	EXPECT_ERROR("unexpected argument 'extra'", "--kernel", "k", "extra");
	EXPECT_ERROR("--cpus '0'", "--kernel", "k", "--cpus", "0");
	EXPECT_ERROR("--cpus '-1'", "--kernel", "k", "--cpus", "-1");
	EXPECT_ERROR("--cpus 'two'", "--kernel", "k", "--cpus", "two");
	EXPECT_ERROR("--cpus '256'", "--kernel", "k", "--cpus", "256");
	EXPECT_ERROR("--mem: invalid size", "--kernel", "k", "--mem", "lots");
	EXPECT_ERROR("--mem: invalid size suffix", "--kernel", "k", "--mem", "5Q");
	EXPECT_ERROR("too small", "--kernel", "k", "--mem", "1M");
	EXPECT_ERROR("whole number of MiB", "--kernel", "k", "--mem", "33554433");
	EXPECT_ERROR("more than this host's RAM", "--kernel", "k", "--mem", "100T");
	EXPECT_ERROR("--console 'tty'", "--kernel", "k", "--console", "tty");
	EXPECT_ERROR("--console 'file='", "--kernel", "k", "--console", "file=");
}

static void console_file_cap(void **state)
{
	char capped[] = "file=/tmp/c,max=1M", smallest[] = "file=c,max=65536";
	struct berth_error err = { 0 };
	struct vm_config cfg;

	(void)state;
	assert_int_equal(PARSE(&cfg, &err, "--kernel", "k", "--console", "file=/tmp/c"), 0);
	assert_int_equal(cfg.console_max, 0);
	/* The path ends at the comma (the value is written into, as for --disk). */
	assert_int_equal(PARSE(&cfg, &err, "--kernel", "k", "--console", capped), 0);
	assert_int_equal(cfg.console, CONSOLE_FILE);
	assert_string_equal(cfg.console_path, "/tmp/c");
	assert_int_equal(cfg.console_max, 1ULL << 20);
	assert_int_equal(PARSE(&cfg, &err, "--kernel", "k", "--console", smallest), 0);
	assert_int_equal(cfg.console_max, 64ULL << 10);
	EXPECT_ERROR("max must be at least 64 KiB", "--kernel", "k", "--console",
		     "file=c,max=65535");
	EXPECT_ERROR("max must be at least", "--kernel", "k", "--console", "file=c,max=0");
	EXPECT_ERROR("--console 'file=c,max=lots': invalid size", "--kernel", "k", "--console",
		     "file=c,max=lots");
	EXPECT_ERROR("invalid size", "--kernel", "k", "--console", "file=c,max=");
	EXPECT_ERROR("invalid size", "--kernel", "k", "--console", "file=c,max=-1M");
	EXPECT_ERROR("too large", "--kernel", "k", "--console", "file=c,max=99999999999T");
	EXPECT_ERROR("unknown item 'size=1M'", "--kernel", "k", "--console", "file=c,size=1M");
	EXPECT_ERROR("a path cannot contain a comma", "--kernel", "k", "--console", "file=a,b");
	EXPECT_ERROR("give a path", "--kernel", "k", "--console", "file=,max=1M");
}

static void console_sock(void **state)
{
	struct berth_error err = { 0 };
	struct vm_config cfg;

	(void)state;
	assert_int_equal(PARSE(&cfg, &err, "--kernel", "k", "--console", "none"), 0);
	assert_null(cfg.console_sock);
	assert_int_equal(PARSE(&cfg, &err, "--kernel", "k", "--console-sock", "/run/c.sock",
			       "--console", "none"),
			 0);
	assert_string_equal(cfg.console_sock, "/run/c.sock");
	assert_int_equal(
	    PARSE(&cfg, &err, "--kernel", "k", "--console", "file=log", "--console-sock", "s"), 0);
	assert_int_equal(cfg.console, CONSOLE_FILE);
	assert_string_equal(cfg.console_sock, "s");
	EXPECT_ERROR("--console-sock cannot share the console with --console stdio", "--kernel",
		     "k", "--console-sock", "s");
	EXPECT_ERROR("--console-sock cannot share the console with --console stdio", "--kernel",
		     "k", "--console-sock", "s", "--console", "stdio");
	EXPECT_ERROR("--console-sock needs a path", "--kernel", "k", "--console", "none",
		     "--console-sock", "");
	EXPECT_ERROR("needs a value", "--kernel", "k", "--console", "none", "--console-sock");
	/* a jailer's listening socket, inherited */
	assert_int_equal(cfg.console_sock_fd, -1);
	assert_int_equal(PARSE(&cfg, &err, "--kernel", "k", "--console", "none", "--console-sock",
			       "s", "--console-sock-fd", "3"),
			 0);
	assert_int_equal(cfg.console_sock_fd, 3);
	EXPECT_ERROR("--console-sock-fd needs --console-sock", "--kernel", "k", "--console", "none",
		     "--console-sock-fd", "3");
	EXPECT_ERROR("give an open fd, 3 or above", "--kernel", "k", "--console", "none",
		     "--console-sock", "s", "--console-sock-fd", "2");
	EXPECT_ERROR("give an open fd, 3 or above", "--kernel", "k", "--console", "none",
		     "--console-sock", "s", "--console-sock-fd", "3x");
}

static void api_sock(void **state)
{
	struct berth_error err = { 0 };
	struct vm_config cfg;

	(void)state;
	assert_int_equal(PARSE(&cfg, &err, "--kernel", "k"), 0);
	assert_null(cfg.api_sock);
	assert_int_equal(PARSE(&cfg, &err, "--kernel", "k", "--api-sock", "/run/vm.sock"), 0);
	assert_string_equal(cfg.api_sock, "/run/vm.sock");
	EXPECT_ERROR("--api-sock needs a path", "--kernel", "k", "--api-sock", "");
	EXPECT_ERROR("needs a value", "--kernel", "k", "--api-sock");
}

/* --firmware [PATH]: alone (the default ROM), with a separate or attached path; no kernel. */
static void firmware(void **state)
{
	struct berth_error err = { 0 };
	struct vm_config cfg;

	(void)state;
	assert_int_equal(PARSE(&cfg, &err, "--firmware", "--disk", "d.img"), 0);
	assert_string_equal(cfg.firmware, "/usr/share/seabios/bios.bin");
	assert_null(cfg.kernel);
	assert_int_equal(cfg.ndisks, 1);
	assert_int_equal(PARSE(&cfg, &err, "--firmware", "my.rom", "--disk", "d.img"), 0);
	assert_string_equal(cfg.firmware, "my.rom");
	assert_int_equal(PARSE(&cfg, &err, "--disk", "d.img", "--firmware=my.rom"), 0);
	assert_string_equal(cfg.firmware, "my.rom");
	assert_int_equal(PARSE(&cfg, &err, "--firmware", "--firmware-log", "fw.log"), 0);
	assert_string_equal(cfg.firmware_log, "fw.log");
	EXPECT_ERROR("takes no --kernel", "--firmware", "--kernel", "k");
	EXPECT_ERROR("takes no --kernel", "--firmware", "--cmdline", "x");
	EXPECT_ERROR("--firmware-log is for --firmware", "--kernel", "k", "--firmware-log", "l");
	EXPECT_ERROR("no kernel given", "--disk", "d.img");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),	    cmocka_unit_test(all_options),
		cmocka_unit_test(help_and_version), cmocka_unit_test(bad_input),
		cmocka_unit_test(api_sock),	    cmocka_unit_test(console_file_cap),
		cmocka_unit_test(console_sock),	    cmocka_unit_test(firmware),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
