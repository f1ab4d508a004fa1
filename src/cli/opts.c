/* opts.c - parsing of the CLI's option values and the option loop every command uses. */
#include "cli/opts.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/names.h"
#include "common/size.h"

/* Digits only: strtoul alone would take " 4", "+4" and "-4". */
static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

int opt_count(const char *what, const char *s, unsigned min, unsigned max, unsigned *out,
	      struct berth_error *err)
{
	unsigned long v;

	errno = 0;
	if (!all_digits(s) || (v = strtoul(s, NULL, 10), errno) || v < min || v > max)
		return berr(err, 0, "%s '%s': expected a whole number from %u to %u", what, s, min,
			    max);
	*out = (unsigned)v;
	return 0;
}

int opt_duration(const char *what, const char *s, unsigned *out, struct berth_error *err)
{
	static const struct {
		char suffix;
		unsigned seconds;
	} units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 } };
	char digits[16];
	size_t n = strlen(s);
	unsigned long v;
	unsigned scale = 1, i;

	if (n && n < sizeof(digits)) {
		memcpy(digits, s, n + 1);
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (digits[n - 1] == units[i].suffix) {
				digits[n - 1] = '\0';
				scale = units[i].seconds;
			}
		errno = 0;
		if (all_digits(digits) && (v = strtoul(digits, NULL, 10), !errno)) {
			if (v > CLI_DURATION_MAX / scale)
				return berr(err, 0,
					    "%s '%s': at most 1h (%u seconds), as berthd allows",
					    what, s, CLI_DURATION_MAX);
			*out = (unsigned)v * scale;
			return 0;
		}
	}
	return berr(err, 0, "%s '%s': expected seconds such as 30, 30s, 5m or 1h (at most 1h)",
		    what, s);
}

int opt_size(const char *what, const char *s, bool allow_zero, uint64_t *out,
	     struct berth_error *err)
{
	if (size_parse(s, out, err) < 0)
		return berr_wrap(err, "%s", what);
	if (!*out && !allow_zero)
		return berr(err, 0, "%s '%s': must be more than 0", what, s);
	if (*out > INT64_MAX) /* JSON integers are signed 64-bit */
		return berr(err, 0, "%s '%s': too large", what, s);
	return 0;
}

int opt_format(const char *s, enum cli_format *out, struct berth_error *err)
{
	if (!strcmp(s, "table"))
		*out = FORMAT_TABLE;
	else if (!strcmp(s, "json"))
		*out = FORMAT_JSON;
	else
		return berr(err, 0, "--format '%s': expected table or json", s);
	return 0;
}

char *opt_abspath(const char *cwd, const char *path, struct berth_error *err)
{
	char *out;

	if (!*path) {
		berr(err, 0, "empty path");
		return NULL;
	}
	if (path[0] == '/') {
		out = strdup(path);
	} else {
		while (!strncmp(path, "./", 2))
			path += 2 + strspn(path + 2, "/");
		if (asprintf(&out, "%s%s%s", cwd, strcmp(cwd, "/") ? "/" : "", path) < 0)
			out = NULL;
	}
	if (!out)
		berr(err, ENOMEM, "path '%s'", path);
	return out;
}

/* The --name of the option whose val is `val`, for messages. */
static const char *long_name(const struct option *all, int val)
{
	for (; all->name; all++)
		if (all->val == val)
			return all->name;
	return "?";
}

/* Append the command's options, --help and --format into l->all. */
static void opt_start(struct opt_loop *l)
{
	unsigned n = 0;

	for (; l->longopts && l->longopts[n].name && n < OPT_LOOP_MAX; n++)
		l->all[n] = l->longopts[n];
	l->all[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	l->all[n++] = (struct option){ "format", required_argument, NULL, 'F' };
	l->all[n] = (struct option){ 0 };
	snprintf(l->optstring, sizeof(l->optstring), "%s:h%.8s", l->in_order ? "+" : "",
		 l->shortopts ? l->shortopts : "");
	l->started = true;
	optind = 0; /* GNU: reinitialise fully for a new argv */
	opterr = 0; /* our own messages, through err */
}

int opt_next(struct opt_loop *l, int argc, char **argv, struct berth_error *err)
{
	const char *word, *sep = l->cmd[0] ? ": " : "";
	int ch;

	if (!l->started)
		opt_start(l);
	do
		ch = getopt_long(argc, argv, l->optstring, l->all, NULL);
	while (ch == 'F' && opt_format(optarg, l->format, err) == 0);
	word = optind > 0 && optind <= argc ? argv[optind - 1] : "";
	switch (ch) {
	case 'h':
		*l->help = true;
		return -1;
	case 'F':
		return -2; /* a bad --format: err is set */
	case ':':
		berr(err, 0, "%s%soption --%s needs a value", l->cmd, sep,
		     long_name(l->all, optopt));
		return -2;
	case '?':
		if (optopt && strncmp(word, "--", 2))
			berr(err, 0, "%s%sunknown option '-%c'", l->cmd, sep, optopt);
		else if (optopt)
			berr(err, 0, "%s%soption '%s' takes no value", l->cmd, sep, word);
		else
			berr(err, 0, "%s%sunknown option '%s'", l->cmd, sep, word);
		return -2;
	}
	return ch;
}

int opt_positional(const char *cmd, int argc, char **argv, const char *what, const char **name,
		   struct berth_error *err)
{
	int want = what ? 1 : 0, got = argc - optind;

	if (got < want)
		return berr(err, 0, "%s: missing NAME", cmd);
	if (got > want)
		return berr(err, 0, "%s: unexpected argument '%s'", cmd, argv[optind + want]);
	if (what) {
		*name = argv[optind];
		return opt_name(cmd, what, *name, err);
	}
	return 0;
}

int opt_name(const char *cmd, const char *what, const char *name, struct berth_error *err)
{
	if (name_check(what, name, err) < 0)
		return berr_wrap(err, "%s", cmd);
	return 0;
}

int opt_end(struct opt_loop *l, int ch, int argc, char **argv, const char *what, const char **name,
	    struct berth_error *err)
{
	if (ch == -2)
		return -1;
	return *l->help ? 0 : opt_positional(l->cmd, argc, argv, what, name, err);
}

int opt_plain(struct opt_loop *l, int argc, char **argv, const char *what, const char **name,
	      struct berth_error *err)
{
	/* With no options of its own, the loop ends (-1) or fails (-2) at its first call. */
	return opt_end(l, opt_next(l, argc, argv, err), argc, argv, what, name, err);
}
