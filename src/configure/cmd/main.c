// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-boot: the configurator. Validates a selection against the hardware and
 * sets the host up so that vfio-boot-bind takes those devices at every boot.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <unistd.h>

#include "macro.h"
#include "cli.h"
#include "options.h"
#include "outcome.h"
#include "reply.h"
#include "version.h"

static const struct option longopts[] = {
	{ "root", required_argument, NULL, 'r' },
	{ "json", no_argument, NULL, 'j' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "companions", required_argument, NULL, 'C' },
	{ "boot-vga", required_argument, NULL, 'B' },
	{ "blacklist", no_argument, NULL, 'L' },
	{ "bootloader", required_argument, NULL, 'b' },
	{ "cpu", required_argument, NULL, 'P' },
	{ "no-regenerate", no_argument, NULL, 'G' },
	{ "wait", required_argument, NULL, 'W' },
	{ "force", no_argument, NULL, 'f' },
	{ "all-matching", no_argument, NULL, 'A' },
	{ "vfs", required_argument, NULL, 'X' },
	{ "driver", required_argument, NULL, 'D' },
	{ "reset-method", required_argument, NULL, 'R' },
	{ "preload", required_argument, NULL, 'O' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void usage(void)
{
	fputs("Usage: vfio-boot [options] COMMAND [ARGS]\n"
	      "\n"
	      "Commands:\n"
	      "  list                 every PCI device by IOMMU group, with drivers and modules\n"
	      "  check                is this machine ready for passthrough of the selection\n"
	      "  configure SEL[,SEL]  select devices and set the host up (see below)\n"
	      "  unconfigure          take back what configure did, and only that\n"
	      "  status               the configured selection against this boot\n"
	      "  bind [SEL...]        bind now what the boot binds (or SEL, not saved)\n"
	      "  release [SEL...]     give functions on vfio-pci back to their host drivers\n"
	      "\n"
	      "Selectors: 10de:2504  10de:2504:1462:3975  0000:01:00.0  01:00.0\n"
	      "           10de:2504@0000:01:00.0 (the address, guarded by its ID)\n"
	      "\n"
	      "configure writes /etc/vfio-boot.conf and its block of /etc/modprobe.d/vfio.conf,\n"
	      "adds the IOMMU flags to the kernel command line through the bootloader found\n"
	      "and regenerates the initramfs, as one change recorded in /var/lib/vfio-boot/\n"
	      "(an interrupted one is finished or rolled back by the next run).\n"
	      "\n"
	      "Options:\n"
	      "  -r, --root DIR          work on the system tree at DIR (commands run chrooted)\n"
	      "  -j, --json              one JSON object on stdout, errors included\n"
	      "  -n, --dry-run           configure, unconfigure: print the diff and commands only;\n"
	      "                          bind, release: print the plan, write nothing\n"
	      "      --companions MODE   slot (default), group or none\n"
	      "      --boot-vga POLICY   refuse (default) or allow\n"
	      "      --blacklist         also blacklist the drivers that would claim the devices\n"
	      "      --bootloader NAME   grub, systemd-boot, kernel-install, grubby, kernelstub, none\n"
	      "      --cpu VENDOR        intel or amd: whose IOMMU, for a tree without firmware tables\n"
	      "      --no-regenerate     do not rebuild the initramfs\n"
	      "      --wait SECONDS      how long to wait for another vfio-boot's lock (60)\n"
	      "      --all-matching      an ID takes every card it matches, now and later\n"
	      "      --vfs N@ADDRESS     configure: N SR-IOV VFs on the function at ADDRESS, made\n"
	      "                          at boot once its driver binds it, each for vfio-pci\n"
	      "      --driver vfio-pci[@SEL]  the generic driver, not a variant configure\n"
	      "                          finds (for all, or for SEL); MODULE@SEL names one\n"
	      "      --reset-method METHOD[,METHOD]@SEL  written to reset_method at boot\n"
	      "      --preload MODULE[,MODULE]  loaded before vfio-pci (vendor-reset)\n"
	      "  -f, --force             configure selectors that match no device, a split\n"
	      "                          IOMMU group, or the host's own disk or network\n"
	      "  -h, --help              show this help and exit\n"
	      "  -V, --version           show the version and exit\n"
	      "An option the command does not read is refused (bind, release: the device\n"
	      "options with SEL only).\n"
	      "\n"
	      "Exit status: 0 done or unchanged; 1 a write or command failed (rolled back),\n"
	      "or a file could not be read (named); 2 bad option or selector (nothing\n"
	      "written); 3 check/status: not ready or not as configured; 4 no bootloader\n"
	      "recognised (the flags to add are printed), a bootloader nothing refreshes, or\n"
	      "a Secure Boot image to sign again by hand (the command is printed);\n"
	      "5 changing this system needs root; 6 unconfigure left files changed since\n"
	      "configure (originals kept beside them); 7 the journal in /var/lib/vfio-boot is\n"
	      "damaged (nothing changed); 8 another vfio-boot held the lock too long;\n"
	      "9 release refused: a process holds the group's /dev/vfio/N open (named).\n",
	      stdout);
}

static bool is_dir(const struct vb_root *root, const char *rel)
{
	int fd = vb_root_open(root, rel, O_PATH | O_DIRECTORY, 0);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* A system tree has etc/, and programs (usr/ or bin/), kernels (boot/) or a captured sys/. */
static bool looks_like_a_system(const struct vb_root *root)
{
	return is_dir(root, "etc") && (is_dir(root, "usr") || is_dir(root, "bin") ||
				       is_dir(root, "boot") || is_dir(root, "sys"));
}

/*
 * Says what is wrong with the command line; with --json, configure and
 * unconfigure fill their whole object all the same. Returns the exit status.
 */
static int usage_error(const struct cli *cli, const char *command, const char *msg)
{
	bool outcome = cli->json && command &&
		       (strcmp(command, "configure") == 0 || strcmp(command, "unconfigure") == 0);
	int rc = VB_EXIT_USAGE;

	cli_error("%s", msg);
	if (outcome && vb_outcome_begin(cli) == 0)
		rc = vb_outcome_end(rc);
	fputs("Try 'vfio-boot --help' for more information.\n", stderr);
	return rc;
}

/* Runs command on the tree at root, unless bad says what is wrong. Returns the exit status. */
static int run_command(struct cli *cli, const char *command, const char *root, const char *bad,
		       const char *given, char **args, int nargs)
{
	/*
	 * The options each command reads (getopt's codes; --root, --json, --help
	 * and --version go with every one), with selectors too for bind and
	 * release. Any other given is refused: it would be ignored.
	 */
	static const struct {
		const char *name;
		int (*run)(const struct cli *cli);
		const char *reads, *with_selectors;
	} commands[] = {
		{ "list", cmd_list, "", "" },
		{ "check", cmd_check, "", "" },
		{ "configure", cmd_configure, "nCBLbPGWfAXDRO", "" },
		{ "unconfigure", cmd_unconfigure, "nGW", "" },
		{ "status", cmd_status, "W", "" },
		{ "bind", cmd_bind, "nW", "CBXDRO" },
		{ "release", cmd_release, "nW", "CBXDRO" },
	};
	static const char *const host_dirs[] = { "TMPDIR", "TMP", "TEMP" };
	char msg[PATH_MAX + 128];
	int err;

	if (bad[0])
		return usage_error(cli, command, bad);
	if (!command)
		return usage_error(cli, command, "no command given");
	err = vb_root_init(&cli->root, root);
	if (err < 0) {
		snprintf(msg, sizeof(msg), "--root '%s': %s", root,
			 err == -EINVAL ? "needs a directory" : vb_strerror(err));
		return usage_error(cli, command, msg);
	}
	if (!cli->root.host && !looks_like_a_system(&cli->root)) {
		snprintf(msg, sizeof(msg), "--root '%s': not a system tree (it needs etc/, and "
			 "usr/, bin/, boot/ or sys/)", root);
		return usage_error(cli, command, msg);
	}
	/*
	 * The caller's temporary directory is a host path: in the tree, where
	 * commands run chrooted, it may not exist (dracut and kernel-install then
	 * fail). They get the tree's own /tmp; vfio-boot makes no temporary file.
	 */
	if (!cli->root.host)
		for (size_t i = 0; i < ARRAY_SIZE(host_dirs); i++)
			unsetenv(host_dirs[i]);
	cli->args = args;
	cli->nargs = nargs;
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		const char *sel = commands[i].with_selectors;

		if (strcmp(command, commands[i].name) != 0)
			continue;
		for (const char *g = given; *g; g++) {
			if (strchr(commands[i].reads, *g) || (nargs && strchr(sel, *g)))
				continue;
			snprintf(msg, sizeof(msg), "--%s does not apply to %s%s",
				 vb_option_name(longopts, *g), command, strchr(sel, *g) ?
				 " without selectors (the saved selection's own lines apply)" : "");
			return usage_error(cli, command, msg);
		}
		return commands[i].run(cli);
	}
	snprintf(msg, sizeof(msg), "unknown command '%.64s'", command);
	return usage_error(cli, NULL, msg);
}

int main(int argc, char **argv)
{
	struct cli cli = { .regenerate = true, .wait = 60, .root.fd = -1 };
	char *end, bad[256] = "", given[32] = ""; /* given: each option's code once */
	unsigned long wait;
	const char *root = "/", *command;
	bool version = false;
	int c, rc;

	/* The first problem is kept, and said once the command (and --json) is known. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:jnfhV", longopts, NULL)) != -1) {
		if (bad[0])
			c = c == 'j' ? c : 0;
		if (optarg && !optarg[0] && !bad[0]) {
			snprintf(bad, sizeof(bad), "option --%s needs a value",
				 vb_option_name(longopts, c) ? vb_option_name(longopts, c) : "?");
			continue;
		}
		if (c > 0 && !strchr("rjhV?:", c) && !strchr(given, c) &&
		    strlen(given) + 1 < sizeof(given))
			given[strlen(given)] = (char)c;
		switch (c) {
		case 0:
			break;
		case '?':
			if (optopt)
				snprintf(bad, sizeof(bad), "unknown option '-%c'", optopt);
			else
				snprintf(bad, sizeof(bad), "unknown option '%s'", argv[optind - 1]);
			break;
		case ':':
			snprintf(bad, sizeof(bad), "option '%s' needs a value", argv[optind - 1]);
			break;
		case 'r':
			root = optarg;
			break;
		case 'j':
			cli.json = true;
			break;
		case 'n':
			cli.dry_run = true;
			break;
		case 'C':
			cli.companions = optarg;
			break;
		case 'B':
			cli.boot_vga = optarg;
			break;
		case 'L':
			cli.blacklist = true;
			break;
		case 'b':
			cli.bootloader = optarg;
			break;
		case 'P':
			cli.cpu = optarg;
			break;
		case 'G':
			cli.regenerate = false;
			break;
		case 'W':
			wait = strtoul(optarg, &end, 10);
			if (!*optarg || *end || optarg[0] == '-' || wait > 86400) {
				snprintf(bad, sizeof(bad), "--wait takes seconds (0 to 86400), not '%.64s'",
					 optarg);
				break;
			}
			cli.wait = (unsigned)wait;
			break;
		case 'f':
			cli.force = true;
			break;
		case 'A':
			cli.all_matching = true;
			break;
		case 'X':
			if (cli.nvfs == CLI_VFS_MAX)
				snprintf(bad, sizeof(bad), "--vfs is given at most %d times", CLI_VFS_MAX);
			else
				cli.vfs[cli.nvfs++] = optarg;
			break;
		case 'D':
		case 'R':
		case 'O':
			/* Read as the config file's lines: one parser, one set of messages. */
			if (vb_strv_add(&cli.device_keys, "%s=%s",
					c == 'D' ? "driver" : c == 'R' ? "reset_method" : "preload",
					optarg) < 0)
				snprintf(bad, sizeof(bad), "out of memory");
			break;
		case 'h':
			usage();
			return VB_EXIT_OK;
		case 'V':
			version = true; /* said once --json, before or after, is known */
			break;
		}
	}
	command = optind < argc ? argv[optind] : NULL;
	/* From here on, with --json, stdout gets one JSON object and nothing else. */
	if (cli.json)
		reply_begin(version ? NULL : command, &cli);
	if (version && cli.json)
		vb_json_field_string(reply_json(), "version", VB_VERSION);
	else if (version)
		printf("vfio-boot %s\n", VB_VERSION);
	rc = version ? VB_EXIT_OK :
		       run_command(&cli, command, root, bad, given, argv + optind + 1,
				   argc - optind - 1);
	if (cli.json)
		rc = reply_end(rc);
	vb_root_fini(&cli.root);
	vb_strv_free(&cli.device_keys);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("cannot write the output");
		return VB_EXIT_FAILED;
	}
	return rc;
}
