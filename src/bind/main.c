// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-boot-bind: binds the selected PCI functions to vfio-pci with
 * driver_override. Runs in the initramfs before udev's coldplug, or live.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "apply.h"
#include "config.h"
#include "plan.h"
#include "report.h"
#include "options.h"
#include "root.h"
#include "root_write.h"
#include "sysfs.h"
#include "text.h"
#include "version.h"

#define CMDLINE_MAX (1024 * 1024) /* far above any kernel's COMMAND_LINE_SIZE */

/*
 * How long "modprobe vfio-pci" may take before it is killed and the boot goes
 * on. vfio-pci and its dependencies load in milliseconds on hardware and in
 * about 0.2 s under QEMU's TCG; its probe of the overridden functions (a D3hot
 * transition of about 10 ms each) stays well under a second on large hosts.
 * A load that has not finished after 10 s is stuck: a firmware request waits
 * 60 s by default, and before udev runs no one answers it. Raise it with
 * --modprobe-timeout or vfio_boot.modprobe_timeout= when a real load is slower.
 */
#define MODPROBE_TIMEOUT_DEFAULT 10

enum exit_status {
	EXIT_OK = 0,
	EXIT_FAILED = 1,   /* --strict: a device could not be bound, or no report */
	EXIT_USAGE = 2,    /* bad command-line options */
	EXIT_PROBLEMS = 3, /* --strict: bad config input or a selector matching nothing */
};

struct options {
	const char *root;
	const char *config;   /* NULL: ROOT/etc/vfio-boot.conf */
	const char *status;   /* NULL: ROOT/run/vfio-boot/status.json */
	const char *modprobe;
	unsigned modprobe_timeout; /* seconds; 0: not given */
	bool dry_run, strict, quiet;
	bool print_modules;   /* the modules the config names for the image, and exit */
};

struct logger {
	int kmsg_fd;   /* -1 when the kernel log is not written */
	FILE *echo;    /* NULL when quiet */
};

static void usage(void)
{
	fputs("Usage: vfio-boot-bind [options]\n"
	      "\n"
	      "Bind the PCI functions selected in /etc/vfio-boot.conf and on the kernel\n"
	      "command line (vfio_boot.devices=, vfio_boot.skip=, vfio_boot.disable=1)\n"
	      "to vfio-pci, using driver_override.\n"
	      "\n"
	      "Options:\n"
	      "  -r, --root DIR       resolve sys/, proc/, etc/, run/, dev/ under DIR (default /)\n"
	      "  -c, --config FILE    read the selection from FILE instead of ROOT/etc/vfio-boot.conf\n"
	      "      --status FILE    write the report to FILE instead of ROOT/run/vfio-boot/status.json\n"
	      "      --modprobe CMD   program that loads vfio-pci (default: modprobe)\n"
	      "      --modprobe-timeout SECONDS\n"
	      "                       kill it when it has not finished after SECONDS (1 to 600;\n"
	      "                       default vfio_boot.modprobe_timeout= or 10) and go on\n"
	      "  -n, --dry-run        print the plan; write nothing\n"
	      "  -s, --strict         exit non-zero when anything goes wrong (not for boot)\n"
	      "  -q, --quiet          log to the kernel log only, not to stderr\n"
	      "      --print-modules  the modules driver=, preload= name\n"
	      "  -h, --help           show this help and exit\n"
	      "  -V, --version        show the version and exit\n"
	      "\n"
	      "Exit status: 0 done (always, without --strict); 1 a device failed or the\n"
	      "report could not be written; 2 bad options; 3 bad configuration or a\n"
	      "selector that matches nothing.\n",
	      stdout);
}

static int parse_options(int argc, char **argv, struct options *opts)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "config", required_argument, NULL, 'c' },
		{ "status", required_argument, NULL, 'S' },
		{ "modprobe", required_argument, NULL, 'M' },
		{ "modprobe-timeout", required_argument, NULL, 'T' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "strict", no_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "print-modules", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*opts = (struct options){ .root = "/", .modprobe = "modprobe" };
	while ((c = getopt_long(argc, argv, "r:c:nsqhV", longopts, NULL)) != -1) {
		if (vb_option_check_value("vfio-boot-bind", longopts, c, optarg) < 0)
			return -EINVAL;
		switch (c) {
		case 'r':
			opts->root = optarg;
			break;
		case 'c':
			opts->config = optarg;
			break;
		case 'S':
			opts->status = optarg;
			break;
		case 'M':
			opts->modprobe = optarg;
			break;
		case 'T':
			if (vb_seconds_parse(optarg, strlen(optarg), &opts->modprobe_timeout) < 0) {
				fprintf(stderr, "vfio-boot-bind: --modprobe-timeout takes 1 to %d "
						"seconds, not '%s'\n", VB_TIMEOUT_MAX, optarg);
				return -EINVAL;
			}
			break;
		case 'n':
			opts->dry_run = true;
			break;
		case 's':
			opts->strict = true;
			break;
		case 'q':
			opts->quiet = true;
			break;
		case 'P':
			opts->print_modules = true;
			break;
		case 'h':
			usage();
			exit(EXIT_OK);
		case 'V':
			printf("vfio-boot-bind %s\n", VB_VERSION);
			exit(EXIT_OK);
		default:
			fputs("Try 'vfio-boot-bind --help' for more information.\n", stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vfio-boot-bind: unexpected argument '%s'\n"
				"Try 'vfio-boot-bind --help' for more information.\n",
			argv[optind]);
		return -EINVAL;
	}
	return 0;
}

/* Reads the config file into cfg; notes what went wrong in messages. */
static int load_config_file(const struct options *opts, const struct vb_root *root,
			    struct vb_config *cfg, struct vb_strv *messages, bool *problem)
{
	const char *rel = "etc/vfio-boot.conf";
	char path[PATH_MAX];
	int err;

	if (opts->config)
		snprintf(path, sizeof(path), "%s", opts->config);
	else if (vb_root_display(root, rel, path, sizeof(path)) < 0)
		return vb_strv_add(messages, "config path under %s is too long", root->path);

	err = opts->config ? vb_config_load(cfg, NULL, path, path) :
			     vb_config_load(cfg, root, rel, "/etc/vfio-boot.conf");
	if (err == -ENOENT && !opts->config)
		return vb_strv_add(messages, "%s: not found, using the kernel command line only",
				   path);
	if (err == -EFBIG) {
		*problem = true;
		return vb_strv_add(messages, "%s: %d bytes or larger, ignored", path,
				   VB_CONFIG_FILE_MAX);
	}
	if (err < 0 && err != -ENOMEM) {
		*problem = true;
		return vb_strv_add(messages, "%s: cannot read: %s", path, vb_strerror(err));
	}
	return err;
}

/*
 * Takes vfio_boot.* from the kernel command line, read whole. Without one
 * (a tree without proc/cmdline) the config file alone counts. One that exists
 * but cannot be read whole (too large, not a regular file, an I/O error)
 * might hold vfio_boot.disable=1: nothing is bound then, and *disabled_by
 * says why.
 */
static int load_cmdline(const struct vb_root *root, struct vb_config *cfg,
			struct vb_strv *messages, const char **disabled_by)
{
	char *text = NULL, path[PATH_MAX];
	size_t len;
	int err = vb_root_read_file(root, "proc/cmdline", CMDLINE_MAX, &text, &len, NULL);

	if (err == 0) {
		err = vb_config_parse_cmdline(cfg, text);
		free(text);
		return err;
	}
	if (err == -ENOMEM)
		return err;
	vb_root_display(root, "proc/cmdline", path, sizeof(path));
	if (err == -ENOENT)
		return vb_strv_add(messages, "%s: not found, using the config file only", path);
	cfg->disabled = true;
	*disabled_by = "a kernel command line that could not be read (vfio_boot.disable could be on it)";
	if (err == -EFBIG)
		return vb_strv_add(messages, "%s: %d bytes or larger, not read; nothing is bound",
				   path, CMDLINE_MAX);
	return vb_strv_add(messages, "%s: cannot read: %s; nothing is bound", path,
			   vb_strerror(err));
}

/* /dev/kmsg is char 1:11; fixture trees have a plain file there. */
static bool is_kmsg(const struct stat *st)
{
	return S_ISREG(st->st_mode) || (S_ISCHR(st->st_mode) && st->st_rdev == makedev(1, 11));
}

/* The kernel log, or -1: no other device (a tty, /dev/mem) is ever opened. */
static int open_kmsg(const struct vb_root *root)
{
	int fd = vb_root_open_checked(root, "dev/kmsg", O_WRONLY | O_APPEND | O_NONBLOCK, is_kmsg,
				      NULL);

	return fd < 0 ? -1 : fd;
}

/* One log line, with the log rule applied (vb_text_printable). */
static void emit_line(int level, const char *line, void *ctx)
{
	const struct logger *log = ctx;
	char text[480], record[512];

	vb_text_printable(text, sizeof(text), line);
	if (log->kmsg_fd >= 0) {
		int len = snprintf(record, sizeof(record), "<%d>vfio-boot: %s\n", level, text);

		if (len > 0 && write(log->kmsg_fd, record, (size_t)len) < 0) {
			/* The kernel log is best effort; stderr still has it. */
		}
	}
	if (log->echo)
		fprintf(log->echo, "vfio-boot: %s\n", text);
}

/*
 * Where status.json goes: run/vfio-boot in the tree, or --status FILE, a path
 * of the running system (made absolute, for a tree at "/"). Returns 0 or -errno.
 */
static int status_path(const struct options *opts, char *path, size_t size)
{
	const char *status = opts->status ? opts->status : "run/vfio-boot/status.json";
	char cwd[PATH_MAX] = "";
	int n;

	if (opts->status && status[0] != '/' && !getcwd(cwd, sizeof(cwd)))
		return -errno;
	n = snprintf(path, size, "%s%s%s", cwd, cwd[0] ? "/" : "", status);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Writes status.json whole and atomically (vb_root_replace): readers never see half. */
static int write_status(const struct options *opts, const struct vb_root *root,
			const struct vb_report *report)
{
	char path[PATH_MAX], *text = NULL, *slash;
	struct vb_root host = { .fd = -1 };
	const struct vb_root *in = opts->status ? &host : root;
	/* Ours, its mode as the umask leaves it: no owner or attributes to set. */
	const struct vb_root_meta meta = { 0644, (uid_t)-1, (gid_t)-1, NULL };
	struct vb_root_file f = { .dirfd = -1 };
	size_t len = 0;
	FILE *out;
	int err = status_path(opts, path, sizeof(path));

	if (err == 0 && opts->status)
		err = vb_root_init(&host, "/");
	out = err == 0 ? open_memstream(&text, &len) : NULL;
	if (err == 0 && !out)
		err = -ENOMEM;
	if (out) {
		err = vb_report_json(out, report);
		if (fclose(out) != 0 && err == 0)
			err = -ENOMEM;
	}
	/* Its directory made first, then the file itself replaced (a link there too). */
	slash = strrchr(path, '/');
	if (err == 0 && slash) {
		*slash = '\0';
		err = vb_root_mkdir_p(in, path);
		*slash = '/';
	}
	if (err == 0)
		err = vb_root_locate(in, path, false, &f);
	if (err == 0)
		err = vb_root_replace(&f, text, len, &meta, NULL);
	vb_root_file_release(&f);
	vb_root_fini(&host);
	free(text);
	return err;
}

/*
 * Reads every function's IDs, then the details of those the selection can
 * touch. Names the kernel would not write ("0:1:0.0") are left out, said once.
 */
static int read_snapshot(const struct vb_root *root, const struct vb_config *cfg,
			 struct vb_snapshot *snap, struct vb_strv *messages)
{
	struct vb_sysfs_listing listing = { .keep_modalias = false };
	bool *want;
	int err = vb_sysfs_read(root, snap, &listing);

	if (err < 0)
		return err;
	if (listing.ignored &&
	    vb_strv_add(messages, "sys/bus/pci/devices: %zu entries ignored, not named as the "
				  "kernel names functions (DDDD:BB:SS.F): '%s'%s",
			listing.ignored, listing.ignored_first,
			listing.ignored > 1 ? " and others" : "") < 0)
		return -ENOMEM;
	want = calloc(snap->count ? snap->count : 1, sizeof(*want));
	if (!want)
		return -ENOMEM;
	vb_plan_candidates(cfg, snap, want);
	err = vb_sysfs_read_details(root, snap, want);
	free(want);
	return err;
}

static long elapsed_us(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000000L + (now.tv_nsec - start->tv_nsec) / 1000;
}

static int append_all(struct vb_strv *to, const struct vb_strv *from)
{
	for (size_t i = 0; i < from->count; i++)
		if (vb_strv_add(to, "%s", from->items[i]) < 0)
			return -ENOMEM;
	return 0;
}

/*
 * --print-modules: every module the config file's driver= (but vfio-pci,
 * which the hooks add anyway) and preload= lines name, one a line (a module
 * named twice comes twice). The initramfs hooks put them in the image: the
 * binder is the one reader of the file. Bad lines are said on stderr.
 */
static void print_modules(const struct vb_config *cfg, const struct vb_strv *messages)
{
	const struct vb_device_rules *rules = &cfg->devices;

	for (size_t i = 0; i < messages->count; i++)
		fprintf(stderr, "vfio-boot-bind: %s\n", messages->items[i]);
	for (size_t i = 0; i < cfg->problems.count; i++)
		fprintf(stderr, "vfio-boot-bind: %s\n", cfg->problems.items[i]);
	for (size_t i = 0; i < rules->count; i++)
		if (rules->items[i].kind == VB_DEVICE_DRIVER &&
		    !vb_module_is_vfio_pci(rules->items[i].value))
			fprintf(stdout, "%s\n", rules->items[i].value);
	for (size_t i = 0; i < rules->preload.count; i++)
		fprintf(stdout, "%s\n", rules->preload.items[i]);
}

int main(int argc, char **argv)
{
	struct logger log = { .kmsg_fd = -1 };
	struct vb_snapshot snap = { 0 };
	struct vb_plan plan = { 0 };
	struct vb_strv messages = { 0 };
	struct vb_outcome *outcomes = NULL;
	struct vb_config cfg;
	struct vb_report report;
	struct vb_root root;
	struct options opts;
	struct timespec start;
	const char *disabled_by = NULL;
	bool problem = false;
	size_t failed = 0;
	int err;

	clock_gettime(CLOCK_MONOTONIC, &start);
	if (parse_options(argc, argv, &opts) < 0)
		return EXIT_USAGE;
	err = vb_root_init(&root, opts.root);
	if (err < 0) {
		fprintf(stderr, "vfio-boot-bind: --root %s: %s\n", opts.root, vb_strerror(err));
		return EXIT_USAGE;
	}

	vb_config_init(&cfg);
	err = load_config_file(&opts, &root, &cfg, &messages, &problem);
	if (opts.print_modules) {
		if (err == 0)
			print_modules(&cfg, &messages);
		else
			fprintf(stderr, "vfio-boot-bind: %s\n", vb_strerror(err));
		opts.strict = true; /* stdout failing or the file unread: a failure */
		problem = false;
		failed = err < 0;
		goto out;
	}
	if (err == 0)
		err = load_cmdline(&root, &cfg, &messages, &disabled_by);
	if (err == 0 && !cfg.disabled) {
		err = read_snapshot(&root, &cfg, &snap, &messages);
		if (err < 0 && err != -ENOMEM) {
			char path[PATH_MAX];

			problem = true;
			vb_root_display(&root, "sys/bus/pci/devices", path, sizeof(path));
			err = vb_strv_add(&messages, "cannot list %s: %s", path, vb_strerror(err));
		}
	}
	if (err == 0)
		err = vb_plan_build(&cfg, &snap, NULL, &plan);
	if (err == 0) {
		outcomes = calloc(plan.count ? plan.count : 1, sizeof(*outcomes));
		if (!outcomes)
			err = -ENOMEM;
	}
	if (err == 0) {
		struct vb_apply_env env = { &root, opts.modprobe, opts.modprobe_timeout,
					    opts.dry_run, &cfg.devices, &messages };

		if (!env.modprobe_timeout)
			env.modprobe_timeout = cfg.modprobe_timeout ? cfg.modprobe_timeout :
								      MODPROBE_TIMEOUT_DEFAULT;
		failed = vb_apply(&env, &snap, &plan, outcomes);
	}
	problem = problem || disabled_by || cfg.problems.count > 0 || plan.unmatched > 0;
	if (err == 0)
		err = append_all(&messages, &cfg.problems);
	if (err == 0)
		err = append_all(&messages, &plan.notes);
	if (err < 0) {
		fprintf(stderr, "vfio-boot-bind: %s\n", vb_strerror(err));
		failed = 1;
		goto out;
	}

	report = (struct vb_report){ &cfg, &snap, &plan, outcomes, &messages,
				     opts.dry_run ? -1 : elapsed_us(&start), disabled_by };
	if (opts.dry_run) {
		log.echo = stdout;
	} else {
		log.kmsg_fd = open_kmsg(&root);
		log.echo = opts.quiet ? NULL : stderr;
		err = write_status(&opts, &root, &report);
		if (err < 0) {
			fprintf(stderr, "vfio-boot-bind: cannot write the status report: %s\n",
				vb_strerror(err));
			failed++;
		}
	}
	vb_report_lines(&report, emit_line, &log);
	if (log.kmsg_fd >= 0)
		close(log.kmsg_fd);
out:
	free(outcomes);
	vb_plan_free(&plan);
	vb_snapshot_free(&snap);
	vb_config_free(&cfg);
	vb_strv_free(&messages);
	vb_root_fini(&root);
	if (fflush(stdout) != 0 && opts.strict)
		return EXIT_FAILED;
	if (!opts.strict)
		return EXIT_OK;
	if (failed)
		return EXIT_FAILED;
	return problem ? EXIT_PROBLEMS : EXIT_OK;
}
