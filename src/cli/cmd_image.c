/* cmd_image.c - image import, list and delete. An import is an upload (upload.c): this
 * process reads the files, with the caller's rights, and sends them; their paths are made
 * absolute here, against the caller's directory. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/render.h"
#include "common/cleanup.h"

/* Put the absolute form of path into body[key]. */
static int put_path(json_t *body, const char *key, const char *path, struct berth_error *err)
{
	char cwd[PATH_MAX] = "/"; /* unused for an absolute path */
	_cleanup_free_ char *abs = NULL;

	if (path[0] != '/' && !getcwd(cwd, sizeof(cwd)))
		return berr(err, errno, "image import: cannot tell the current directory");
	abs = opt_abspath(cwd, path, err);
	if (!abs)
		return berr_wrap(err, "image import: --%s", key);
	if (json_object_set_new(body, key, json_string(abs)) < 0)
		return berr(err, ENOMEM, "image import");
	return 0;
}

int cmd_image_import(int argc, char **argv, struct plan *p, struct berth_error *err)
{
	static const struct option opts[] = { { "kind", required_argument, NULL, 'k' },
					      { "rootfs", required_argument, NULL, 'r' },
					      { "kernel", required_argument, NULL, 'K' },
					      { "initrd", required_argument, NULL, 'i' },
					      { "disk", required_argument, NULL, 'd' },
					      { "cmdline", required_argument, NULL, 'c' },
					      { 0 } };
	static const char *const keys[] = { "rootfs", "kernel", "initrd", "disk" };
	struct opt_loop l = PLAN_OPTS("image import", opts, p);
	const char *kind = NULL, *files[4] = { NULL }, *cmdline = NULL, *name;
	char query[PLAN_PATH_MAX - 128]; /* the rest: "/1.0/images?name=" and the name */
	json_t *body;
	struct step *s;
	unsigned i;
	int ch;

	while ((ch = opt_next(&l, argc, argv, err)) >= 0) {
		kind = ch == 'k' ? optarg : kind;
		files[0] = ch == 'r' ? optarg : files[0];
		files[1] = ch == 'K' ? optarg : files[1];
		files[2] = ch == 'i' ? optarg : files[2];
		files[3] = ch == 'd' ? optarg : files[3];
		cmdline = ch == 'c' ? optarg : cmdline;
	}
	if (opt_end(&l, ch, argc, argv, "image", &name, err) < 0)
		return -1;
	if (p->help)
		return 0;
	if (!kind)
		return berr(err, 0,
			    "image import: --kind ct (with --rootfs) or --kind vm (with "
			    "--kernel or --disk) is required");
	if (!strcmp(kind, "ct")) {
		if (!files[0])
			return berr(err, 0, "image import: --kind ct needs --rootfs TARBALL|DIR");
		for (i = 1; i < 4; i++)
			if (files[i])
				return berr(err, 0, "image import: --%s is for --kind vm", keys[i]);
		if (cmdline)
			return berr(err, 0, "image import: --cmdline is for --kind vm");
	} else if (!strcmp(kind, "vm")) {
		if (!files[1] && !files[3])
			return berr(err, 0,
				    "image import: --kind vm needs --kernel FILE, or a bootable "
				    "--disk FILE alone (booted by firmware)");
		if (!files[1] && (files[2] || cmdline))
			return berr(err, 0,
				    "image import: --%s needs --kernel (a disk alone boots by "
				    "firmware, with its own bootloader)",
				    files[2] ? "initrd" : "cmdline");
		if (files[0])
			return berr(err, 0, "image import: --rootfs is for --kind ct");
	} else {
		return berr(err, 0, "image import: --kind '%s': expected vm or ct", kind);
	}

	/* The archive is the body: the command line goes in the query, percent-encoded. */
	snprintf(query, sizeof(query), "&kind=%s", kind);
	if (cmdline) {
		strcat(query, "&cmdline=");
		if (!cmdline[0] ||
		    plan_escape(cmdline, query + strlen(query), sizeof(query) - strlen(query)) < 0)
			return berr(err, 0, "image import: --cmdline is %s",
				    cmdline[0] ? "too long" : "empty");
	}
	body = json_pack("{s:s, s:s}", "name", name, "kind", kind);
	if (!body)
		return berr(err, ENOMEM, "image import");
	for (i = 0; i < 4; i++)
		if (files[i] && put_path(body, keys[i], files[i], err) < 0) {
			json_decref(body);
			return -1;
		}
	s = plan_add(p, "POST", "/1.0/images?name=", name, query, body, err);
	if (!s)
		return -1;
	s->kind = STEP_UPLOAD;
	snprintf(s->what, sizeof(s->what), "import %s", name);
	return 0;
}
