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
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "apply.h"
#include "config.h"
#include "path.h"
#include "plan.h"
#include "report.h"
#include "sysfs.h"
#include "version.h"

#define CMDLINE_MAX 8192

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
	bool dry_run, strict, quiet;
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
	      "  -n, --dry-run        print the plan; write nothing\n"
	      "  -s, --strict         exit non-zero when anything goes wrong (not for boot)\n"
	      "  -q, --quiet          log to the kernel log only, not to stderr\n"
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
		{ "dry-run", no_argument, NULL, 'n' },
		{ "strict", no_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*opts = (struct options){ .root = "/", .modprobe = "modprobe" };
	while ((c = getopt_long(argc, argv, "r:c:nsqhV", longopts, NULL)) != -1) {
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
		case 'n':
			opts->dry_run = true;
			break;
		case 's':
			opts->strict = true;
			break;
		case 'q':
			opts->quiet = true;
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
	if (opts->root[0] == '\0' || opts->modprobe[0] == '\0') {
		fputs("vfio-boot-bind: --root and --modprobe need a non-empty value\n", stderr);
		return -EINVAL;
	}
	return 0;
}

/* Reads the config file into cfg; notes what went wrong in messages. */
static int load_config_file(const struct options *opts, struct vb_config *cfg,
			    struct vb_msgs *messages, bool *problem)
{
	char path[PATH_MAX];
	int err;

	if (opts->config)
		snprintf(path, sizeof(path), "%s", opts->config);
	else if (vb_path(path, sizeof(path), opts->root, "etc/vfio-boot.conf") < 0)
		return vb_msgs_add(messages, "config path under %s is too long", opts->root);

	err = vb_config_load(cfg, path, opts->config ? path : "/etc/vfio-boot.conf");
	if (err == -ENOENT && !opts->config)
		return vb_msgs_add(messages, "%s: not found, using the kernel command line only",
				   path);
	if (err == -EFBIG) {
		*problem = true;
		return vb_msgs_add(messages, "%s: %d bytes or larger, ignored", path,
				   VB_CONFIG_FILE_MAX);
	}
	if (err < 0 && err != -ENOMEM) {
		*problem = true;
		return vb_msgs_add(messages, "%s: cannot read: %s", path, strerror(-err));
	}
	return err;
}

static int load_cmdline(const struct options *opts, struct vb_config *cfg,
			struct vb_msgs *messages)
{
	char path[PATH_MAX];
	char *text;
	ssize_t n;
	int err = 0;

	if (vb_path(path, sizeof(path), opts->root, "proc/cmdline") < 0)
		return vb_msgs_add(messages, "cmdline path under %s is too long", opts->root);
	text = malloc(CMDLINE_MAX);
	if (!text)
		return -ENOMEM;
	n = vb_read_small(path, text, CMDLINE_MAX);
	if (n < 0)
		err = vb_msgs_add(messages, "%s: cannot read: %s", path, strerror((int)-n));
	else
		err = vb_config_parse_cmdline(cfg, text);
	free(text);
	return err;
}

static void emit_line(int level, const char *line, void *ctx)
{
	const struct logger *log = ctx;

	if (log->kmsg_fd >= 0) {
		char record[600];
		int len = snprintf(record, sizeof(record), "<%d>vfio-boot: %s\n", level, line);
		if (len > 0 && write(log->kmsg_fd, record,
				     (size_t)len < sizeof(record) ? (size_t)len :
								    sizeof(record) - 1) < 0) {
			/* The kernel log is best effort; stderr still has it. */
		}
	}
	if (log->echo)
		fprintf(log->echo, "vfio-boot: %s\n", line);
}

/* Writes status.json through a temporary file, so readers never see half. */
static int write_status(const struct options *opts, const struct vb_report *report)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	char *slash;
	FILE *out;
	int err;

	if (opts->status)
		snprintf(path, sizeof(path), "%s", opts->status);
	else if (vb_path(path, sizeof(path), opts->root, "run/vfio-boot/status.json") < 0)
		return -ENAMETOOLONG;
	slash = strrchr(path, '/');
	if (slash && slash != path) {
		*slash = '\0';
		err = vb_mkdir_p(path);
		*slash = '/';
		if (err < 0)
			return err;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	out = fopen(tmp, "we");
	if (!out)
		return -errno;
	vb_report_json(out, report);
	if (fflush(out) != 0 || ferror(out)) {
		err = -errno;
		fclose(out);
		unlink(tmp);
		return err ? err : -EIO;
	}
	if (fclose(out) != 0 || rename(tmp, path) < 0) {
		err = -errno;
		unlink(tmp);
		return err;
	}
	return 0;
}

/* Reads every function's IDs, then the details of those the selection can touch. */
static int read_snapshot(const char *root, const struct vb_config *cfg,
			 struct vb_snapshot *snap)
{
	bool *want;
	int err = vb_sysfs_read(root, snap);

	if (err < 0)
		return err;
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

static int append_all(struct vb_msgs *to, const struct vb_msgs *from)
{
	for (size_t i = 0; i < from->count; i++)
		if (vb_msgs_add(to, "%s", from->items[i]) < 0)
			return -ENOMEM;
	return 0;
}

int main(int argc, char **argv)
{
	struct logger log = { .kmsg_fd = -1 };
	struct vb_snapshot snap = { 0 };
	struct vb_plan plan = { 0 };
	struct vb_msgs messages = { 0 };
	struct vb_outcome *outcomes = NULL;
	struct vb_config cfg;
	struct vb_report report;
	struct options opts;
	struct timespec start;
	bool problem = false;
	size_t failed = 0;
	int err;

	clock_gettime(CLOCK_MONOTONIC, &start);
	if (parse_options(argc, argv, &opts) < 0)
		return EXIT_USAGE;

	vb_config_init(&cfg);
	err = load_config_file(&opts, &cfg, &messages, &problem);
	if (err == 0)
		err = load_cmdline(&opts, &cfg, &messages);
	if (err == 0 && !cfg.disabled) {
		err = read_snapshot(opts.root, &cfg, &snap);
		if (err < 0 && err != -ENOMEM) {
			problem = true;
			err = vb_msgs_add(&messages, "cannot list %s/sys/bus/pci/devices: %s",
					  strcmp(opts.root, "/") ? opts.root : "", strerror(-err));
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
		struct vb_apply_env env = { opts.root, opts.modprobe, opts.dry_run };
		failed = vb_apply(&env, &snap, &plan, outcomes);
	}
	problem = problem || cfg.problems.count > 0 || plan.unmatched > 0;
	if (err == 0)
		err = append_all(&messages, &cfg.problems);
	if (err == 0)
		err = append_all(&messages, &plan.notes);
	if (err < 0) {
		fprintf(stderr, "vfio-boot-bind: %s\n", strerror(-err));
		failed = 1;
		goto out;
	}

	report = (struct vb_report){ &cfg, &snap, &plan, outcomes, &messages,
				     opts.dry_run ? -1 : elapsed_us(&start) };
	if (opts.dry_run) {
		log.echo = stdout;
	} else {
		char kmsg[PATH_MAX];
		if (vb_path(kmsg, sizeof(kmsg), opts.root, "dev/kmsg") == 0)
			log.kmsg_fd = open(kmsg, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY);
		log.echo = opts.quiet ? NULL : stderr;
		err = write_status(&opts, &report);
		if (err < 0) {
			fprintf(stderr, "vfio-boot-bind: cannot write the status report: %s\n",
				strerror(-err));
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
	vb_msgs_free(&messages);
	if (fflush(stdout) != 0 && opts.strict)
		return EXIT_FAILED;
	if (!opts.strict)
		return EXIT_OK;
	if (failed)
		return EXIT_FAILED;
	return problem ? EXIT_PROBLEMS : EXIT_OK;
}
