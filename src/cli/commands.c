/* commands.c - the table of berth's commands and their help. */
#include "cli/commands.h"

#include "cli/render.h"

#include <string.h>

#define COMMON_HELP                                                                                \
	"\n  --format table|json  how to print the reply (default: table)\n"                       \
	"  -h, --help           this help\n"

static const struct cli_cmd commands[] = {
	{ "create",
	  "NAME --kind vm|ct --image IMAGE [--plan PLAN | --cpus N --memory SIZE "
	  "[--disk SIZE]] [--restart always|no] [--cmdline STR] [--privileged]\n"
	  "                    [--ssh-key FILE|KEY]... [--user-data FILE] [--start]",
	  "Create a server from an image, reserving its CPUs, memory and disk on the host.\n"
	  "The daemon refuses it, saying what is free, when it does not fit.\n\n"
	  "  --kind vm|ct         a KVM virtual machine or a system container\n"
	  "  --image IMAGE        the image to make its disk or root tree from\n"
	  "  --plan PLAN          take cpus, memory and disk from a plan (berth plan list);\n"
	  "                       --cpus, --memory, --disk given too override its values\n"
	  "  --cpus N             vCPUs to reserve\n"
	  "  --memory SIZE        memory to reserve, e.g. 512M, 2G\n"
	  "  --disk SIZE          disk to reserve (default: as the image needs)\n"
	  "  --restart always|no  start it again when berthd finds it stopped (default: no)\n"
	  "  --cmdline STR        vm with a kernel: what its kernel command line gains after\n"
	  "                       berth's console=ttyS0 reboot=k panic=-1, instead of the\n"
	  "                       image's (e.g. root=/dev/vda1)\n"
	  "  --privileged         ct: no user namespace of its own, its root is the host's root\n"
	  "                       (root only; by default a container's ids are a range of its\n"
	  "                       own on the host)\n"
	  "  --ssh-key FILE|KEY   an OpenSSH public key (a .pub or authorized_keys file, or the\n"
	  "                       line itself) for cloud-init's user, and root's where the\n"
	  "                       image has no cloud-init; repeatable, at most 32\n"
	  "  --user-data FILE     cloud-init user-data: a #cloud-config or a script (64 KiB)\n"
	  "  --start              start it once created\n" COMMON_HELP,
	  .parse = cmd_create },
	{ "start", "NAME", "Start a stopped server.\n" COMMON_HELP, .parse = cmd_start },
	{ "stop", "[--force] [--timeout S] NAME",
	  "Shut a server down: ask it, wait, then stop it hard.\n\n"
	  "  --force              stop it hard now, without asking\n"
	  "  --timeout S          how long it may take to stop: 30, 5m, 1h at most\n" COMMON_HELP,
	  .parse = cmd_stop },
	{ "restart", "[--force] [--timeout S] NAME",
	  "Stop a server (as stop does), then start it.\n\n"
	  "  --force              stop it hard now, without asking\n"
	  "  --timeout S          how long it may take to stop: 30, 5m, 1h at most\n" COMMON_HELP,
	  .parse = cmd_restart },
	{ "delete", "[--force] NAME",
	  "Delete a stopped server, its disk and its reservation.\n\n"
	  "  --force              stop it first if it is running\n" COMMON_HELP,
	  .parse = cmd_delete },
	{ "list", "",
	  "List the servers: NAME KIND STATE CPUS MEMORY DISK ADDRESS IDS\n"
	  "(a container's host ids, or privileged).\n" COMMON_HELP,
	  .method = "GET", .path = "/1.0/servers", .render = render_servers },
	{ "show", "NAME",
	  "Show one server; a VM's boot says how it starts: its image's kernel (with the\n"
	  "kernel command line berth passes) or its disk's own bootloader by "
	  "firmware.\n" COMMON_HELP,
	  .method = "GET", .path = "/1.0/servers/", .arg = "server", .render = render_server },
	{ "resize", "NAME [--cpus N] [--memory SIZE] [--disk SIZE]",
	  "Change a server's reservation; the daemon refuses what does not fit. A running\n"
	  "server's disk grows while it runs; its CPUs and memory change when stopped.\n\n"
	  "  --cpus N             vCPUs (stopped servers)\n"
	  "  --memory SIZE        memory, e.g. 1G (stopped servers)\n"
	  "  --disk SIZE          disk (it can grow, not shrink; also while running)\n" COMMON_HELP,
	  .parse = cmd_resize },
	{ "console", "NAME",
	  "Attach to a running server's console: a VM's serial port or a container's terminal.\n"
	  "On a terminal, berth puts it in raw mode; press Ctrl-A q to detach (Ctrl-A Ctrl-A\n"
	  "sends Ctrl-A). Without one, it pipes stdin and stdout. It ends when the console\n"
	  "closes (the server stopped). One client at a time.\n" COMMON_HELP,
	  .parse = cmd_console },
	{ "exec", "[--tty | --no-tty] [--env K=V]... [--cwd DIR] NAME -- CMD [ARGS]",
	  "Run a command in a running container and exit with its status. stdin, stdout and\n"
	  "stderr are berth's own (stdout and stderr stay apart) unless it runs on a terminal.\n\n"
	  "  -t, --tty            run it on a new terminal (default: when stdin and stdout are\n"
	  "                       terminals)\n"
	  "  -T, --no-tty         no terminal, even on one\n"
	  "  --env K=V            set an environment variable (repeatable)\n"
	  "  --cwd DIR            the working directory in the container\n" COMMON_HELP,
	  .parse = cmd_exec },
	{ "image import",
	  "NAME --kind ct --rootfs TARBALL|DIR\n"
	  "       berth image import NAME --kind vm --kernel FILE [--initrd FILE] [--disk FILE]\n"
	  "                         [--cmdline STR]\n"
	  "       berth image import NAME --kind vm --disk FILE",
	  "Import an image. berth reads the files, with your own rights, and uploads them to\n"
	  "berthd as a tar archive (a tarball as it is), with progress on stderr; a file you\n"
	  "cannot read fails the import and berthd keeps nothing. A VM image with a kernel\n"
	  "boots it directly; a disk alone boots by firmware (SeaBIOS) through its own\n"
	  "bootloader (GRUB in its MBR).\n\n"
	  "  --kind ct|vm         a container's root tree or a VM's kernel and disk\n"
	  "  --rootfs PATH        ct: a tarball or a directory holding /bin/sh or /sbin/init,\n"
	  "                       or an OCI image (podman save --format oci-archive, or a\n"
	  "                       layout directory): its layers, and its entrypoint, env and\n"
	  "                       working directory for its containers\n"
	  "  --kernel FILE        vm: a bzImage\n"
	  "  --initrd FILE        vm: an initramfs\n"
	  "  --disk FILE          vm: a root disk image, raw or qcow2 (stored raw; one with a\n"
	  "                       backing or external data file is refused), copied for each\n"
	  "                       server\n"
	  "  --cmdline STR        vm with a kernel: what its servers' kernel command line gains\n"
	  "                       after berth's console=ttyS0 reboot=k panic=-1 (printable\n"
	  "                       ASCII, 1024 bytes at most), e.g. root=/dev/vda1\n" COMMON_HELP,
	  .parse = cmd_image_import },
	{ "image list", "", "List the images: NAME KIND STATE SIZE CREATED.\n" COMMON_HELP,
	  .method = "GET", .path = "/1.0/images", .render = render_images },
	{ "image delete", "NAME", "Delete an image no server uses.\n" COMMON_HELP,
	  .method = "DELETE", .path = "/1.0/images/", .arg = "image", .verb = "delete image" },
	{ "plan list", "",
	  "List the plans create --plan takes: NAME CPUS MEMORY DISK.\n" COMMON_HELP,
	  .method = "GET", .path = "/1.0/plans", .render = render_plans },
	{ "host", "",
	  "Show the host's CPUs, memory and disk: total, what servers may have (capacity),\n"
	  "what they reserved and what is free.\n" COMMON_HELP,
	  .method = "GET", .path = "/1.0/host", .render = render_host },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* Does name ("image import") start with word followed by a space? */
static bool in_group(const char *name, const char *word)
{
	size_t n = strlen(word);

	return !strncmp(name, word, n) && name[n] == ' ';
}

const struct cli_cmd *cli_find(int argc, char **argv, int *words)
{
	unsigned i;

	*words = 0;
	if (argc < 1)
		return NULL;
	for (i = 0; i < NCOMMANDS; i++) {
		const char *name = commands[i].name;

		if (!strcmp(name, argv[0])) {
			*words = 1;
			return &commands[i];
		}
		if (in_group(name, argv[0])) {
			*words = 1;
			if (argc > 1 && !strcmp(name + strlen(argv[0]) + 1, argv[1])) {
				*words = 2;
				return &commands[i];
			}
		}
	}
	return NULL;
}

void cli_usage(const char *prefix, FILE *out)
{
	unsigned i;

	fprintf(out, "Usage: berth [--socket PATH] [--format table|json] COMMAND [ARGS]\n\n"
		     "Drive berthd, the daemon that runs VMs and containers on this host.\n\n"
		     "Commands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		if (!prefix || in_group(commands[i].name, prefix))
			fprintf(out, "  berth %s%s%s\n", commands[i].name,
				commands[i].usage[0] ? " " : "",
				strchr(commands[i].usage, '\n') ? "..." : commands[i].usage);
	fprintf(out, "\nOptions:\n"
		     "  --socket PATH        berthd's socket (default: $BERTH_SOCKET, else "
		     "/run/berth/berth.sock)\n"
		     "  --format table|json  how to print replies (default: table)\n"
		     "  -h, --help           this help (a command's: berth help COMMAND, or "
		     "COMMAND --help)\n"
		     "  --version            berth's version\n");
}

void cli_cmd_help(const struct cli_cmd *c, FILE *out)
{
	fprintf(out, "Usage: berth %s%s%s\n\n%s", c->name, c->usage[0] ? " " : "", c->usage,
		c->help);
}

/* A simple command: no options of its own, NAME or nothing, one call. */
static int parse_simple(const struct cli_cmd *c, int argc, char **argv, struct plan *p,
			struct berth_error *err)
{
	struct opt_loop l = PLAN_OPTS(c->name, NULL, p);
	const char *name = NULL;
	struct step *s;

	if (opt_plain(&l, argc, argv, c->arg, &name, err) < 0)
		return -1;
	if (p->help)
		return 0;
	s = plan_add(p, c->method, c->path, name, "", NULL, err);
	if (!s)
		return -1;
	s->render = c->render;
	if (c->verb) {
		s->kind = STEP_OPERATION;
		snprintf(s->what, sizeof(s->what), "%s %s", c->verb, name ? name : "");
	}
	return 0;
}

int cli_parse(const struct cli_cmd *c, int argc, char **argv, struct plan *p,
	      struct berth_error *err)
{
	if (c->parse)
		return c->parse(argc, argv, p, err);
	return parse_simple(c, argc, argv, p, err);
}
