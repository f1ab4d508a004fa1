/* opts.h - the CLI's option values: counts, durations, sizes, output formats and paths,
 * each parsed with a message that names the option, plus the getopt loop every command
 * shares (--help and --format are understood by all of them). */
#ifndef BERTH_CLI_OPTS_H
#define BERTH_CLI_OPTS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

enum cli_format { FORMAT_TABLE, FORMAT_JSON };

#define CLI_DURATION_MAX 3600 /* as berthd: the longest a clean stop may take */

/* Parse a whole number in [min, max] given to option `what` (e.g. "--cpus"). */
int opt_count(const char *what, const char *s, unsigned min, unsigned max, unsigned *out,
	      struct berth_error *err);

/* Parse seconds: "30", "30s", "5m" or "1h", at most CLI_DURATION_MAX. */
int opt_duration(const char *what, const char *s, unsigned *out, struct berth_error *err);

/* Parse a size ("512M", "4G", bytes) given to option `what`; zero only if allow_zero. */
int opt_size(const char *what, const char *s, bool allow_zero, uint64_t *out,
	     struct berth_error *err);

/* Parse "table" or "json". */
int opt_format(const char *s, enum cli_format *out, struct berth_error *err);

/* Make path absolute against cwd (not resolving links: the daemon names what is missing);
 * returns a malloc'd string, or NULL with err set. */
char *opt_abspath(const char *cwd, const char *path, struct berth_error *err);

#define OPT_LOOP_MAX 16 /* a command's own options, at most */

/* The state of one command's option loop; set the first four or five fields. */
struct opt_loop {
	const char *cmd;	       /* "create", "image import": for messages */
	const struct option *longopts; /* the command's own options, {0}-terminated */
	enum cli_format *format;       /* where --format goes */
	bool *help;		       /* set by --help / -h */
	bool in_order;		       /* stop at the first argument (berth's own options) */
	const char *shortopts;	       /* one-letter options besides -h, each the `val` of a
					* long one ("tT" for -t, -T); NULL: none */
	bool started;
	char optstring[16];
	struct option all[OPT_LOOP_MAX + 3]; /* longopts + --help + --format + {0} */
};

/* Next option of a command: its `val`, or -1 at the end of options or after --help
 * (check *help), or -2 on a bad option (err says which). The first call restarts
 * getopt on argv (argv[0] is the command's name). Options may follow arguments. */
int opt_next(struct opt_loop *l, int argc, char **argv, struct berth_error *err);

/* The arguments after the options (argv[optind]...): none when what is NULL, else exactly
 * one NAME of a `what` ("server", "image") that is a valid name (common/names.h), in *name. */
int opt_positional(const char *cmd, int argc, char **argv, const char *what, const char **name,
		   struct berth_error *err);

/* Check the name given to an option or argument of cmd (what: "server", "image", "plan"). */
int opt_name(const char *cmd, const char *what, const char *name, struct berth_error *err);

/* After a command's option loop ended with ch (-1 or -2): 0 when it ended well and the
 * arguments are right (opt_positional), or at once after --help (check *l->help). */
int opt_end(struct opt_loop *l, int ch, int argc, char **argv, const char *what, const char **name,
	    struct berth_error *err);

/* The whole parse of a command with no options of its own (l->longopts NULL). */
int opt_plain(struct opt_loop *l, int argc, char **argv, const char *what, const char **name,
	      struct berth_error *err);

#endif
