// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-boot-bind: binds the selected PCI functions to vfio-pci with
 * driver_override. Runs in the initramfs before udev's coldplug, live, or
 * from udev for one device that appeared after boot (--device).
 */
#include <errno.h>
#include <fcntl.h>
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
#include "args.h"
#include "config.h"
#include "drivers.h"
#include "plan.h"
#include "report.h"
#include "root.h"
#include "sriov.h"
#include "status.h"
#include "status_file.h"
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
	const char *device;   /* --device: the one function that appeared; NULL: all */
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
	      "  -d, --device ADDRESS the function ADDRESS appeared (udev): act on it and\n"
	      "                       what moves with it, merge into the report; nothing\n"
	      "                       when the selection does not name it\n"
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
	static const struct bind_option options[] = {
		{ "root", 'r', true, true },
		{ "config", 'c', true, true },
		{ "status", 'S', false, true },
		{ "modprobe", 'M', false, true },
		{ "modprobe-timeout", 'T', false, true },
		{ "device", 'd', true, true },
		{ "dry-run", 'n', true, false },
		{ "strict", 's', true, false },
		{ "quiet", 'q', true, false },
		{ "print-modules", 'P', false, false },
		{ "help", 'h', true, false },
		{ "version", 'V', true, false },
		{ NULL, 0, false, false },
	};
	struct bind_args args = { argc, argv, 1, NULL, options };
	const char *optarg;
	int c;

	*opts = (struct options){ .root = "/", .modprobe = "modprobe" };
	while ((c = bind_next_option(&args, &optarg)) != 0) {
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
		case 'd':
			if (vb_pci_name_parse(optarg, &(struct vb_pci_addr){ 0 }) < 0) {
				fprintf(stderr, "vfio-boot-bind: --device takes a PCI address as the "
						"kernel names it (0000:01:00.0), not '%s'\n", optarg);
				return -EINVAL;
			}
			opts->device = optarg;
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
			return -EINVAL; /* said why */
		}
	}
	if (args.next < argc) {
		fprintf(stderr, "vfio-boot-bind: unexpected argument '%s'\n"
				"Try 'vfio-boot-bind --help' for more information.\n",
			argv[args.next]);
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
 * Reads every function's IDs, then the details of those the selection can
 * touch, the VFs of the physical functions vfs= names among them. Names the
 * kernel would not write ("0:1:0.0") are left out, said once.
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
	for (size_t i = 0; i < cfg->vfs.count; i++) {
		const struct vb_pci_fn *pf = vb_snapshot_find(snap, &cfg->vfs.items[i].pf.addr);

		if (pf)
			vb_sysfs_mark_vfs(root, snap, pf->name, want);
	}
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

/* Appends the messages of from that the earlier report does not have yet. */
static int append_new(struct vb_strv *to, const struct vb_strv *from,
		      const struct vb_json_value *earlier)
{
	for (size_t i = 0; i < from->count; i++)
		if (!vb_status_has_message(earlier, from->items[i]) &&
		    vb_strv_add(to, "%s", from->items[i]) < 0)
			return -ENOMEM;
	return 0;
}

/* Everything one run holds. */
struct run {
	struct options opts;
	struct vb_root root;
	struct vb_config cfg;
	struct vb_snapshot snap;
	struct vb_plan plan;
	struct vb_strv messages;
	struct vb_json_value earlier; /* --device: the report to merge into */
	bool have_earlier;
	struct logger log;
	const char *disabled_by;
	bool problem;
	size_t device;                /* --device: its snapshot index */
};

/*
 * Makes the VFs of the vfs= lines (with --device, only those of the device,
 * when it is their physical function); their lines go to the log, problems
 * to the report. Returns how many physical functions got VFs now.
 */
static size_t make_vfs(struct run *r)
{
	char line[VB_REASON_MAX + 64];
	size_t made = 0;

	for (size_t i = 0; i < r->cfg.vfs.count; i++) {
		const struct vb_vfs_entry *e = &r->cfg.vfs.items[i];
		const struct vb_pci_fn *pf = vb_snapshot_find(&r->snap, &e->pf.addr);
		enum vb_vfs_state st;

		if (!pf || (r->opts.device && pf != &r->snap.fns[r->device]))
			continue;
		st = vb_sriov_make(&r->root, e, pf, r->opts.dry_run, line, sizeof(line));
		made += st == VB_VFS_MADE;
		if (st == VB_VFS_REFUSED || st == VB_VFS_FAILED) {
			r->problem = true;
			if (!vb_status_has_message(&r->earlier, line))
				vb_strv_add(&r->messages, "%s", line);
		} else if (st != VB_VFS_PRESENT && (st != VB_VFS_WAITING || !r->opts.device)) {
			emit_line(LOG_INFO, line, &r->log);
		}
	}
	return made;
}

/* Finds the --device function in the snapshot. Returns false when it is not there. */
static bool find_device(struct run *r)
{
	struct vb_pci_addr addr;
	const struct vb_pci_fn *fn;

	if (vb_pci_name_parse(r->opts.device, &addr) < 0)
		return false;
	fn = vb_snapshot_find(&r->snap, &addr);
	if (fn)
		r->device = (size_t)(fn - r->snap.fns);
	return fn != NULL;
}

/* True when the earlier report has an entry for address with this reason. */
static bool reported(const struct vb_json_value *earlier, const char *address, const char *reason)
{
	const struct vb_json_value *devices = vb_json_member(earlier, "devices");

	for (size_t i = 0; devices && i < devices->count; i++) {
		const char *a = vb_json_text(vb_json_member(&devices->items[i], "address"));
		const char *why = vb_json_text(vb_json_member(&devices->items[i], "reason"));

		if (a && why && strcmp(a, address) == 0 && strcmp(why, reason) == 0)
			return true;
	}
	return false;
}

/*
 * --device: keeps in the plan only what moves with the device and has news:
 * a function to bind (not one on the variant its driver= line names: the
 * plan knows only vfio-pci as bound), or a refusal the report does not have
 * yet. Returns 0, 1 when nothing is left to do or say, or -ENOMEM.
 */
static int keep_device_unit(struct run *r)
{
	bool *keep = calloc(r->plan.count ? r->plan.count : 1, sizeof(*keep));
	struct vb_plan sub;
	size_t kept = 0;
	int err;

	if (!keep)
		return -ENOMEM;
	vb_plan_unit(&r->cfg, &r->snap, &r->plan, r->device, keep);
	for (size_t t = 0; t < r->plan.count; t++) {
		const struct vb_target *tg = &r->plan.targets[t];

		keep[t] = keep[t] && ((tg->verdict == VB_VERDICT_BIND &&
				       !vb_on_vfio_driver(&r->root, &r->cfg.devices,
							  &r->snap.fns[tg->fn])) ||
				      (tg->verdict == VB_VERDICT_REFUSE &&
				       !reported(&r->earlier, r->snap.fns[tg->fn].name, tg->reason)));
		kept += keep[t];
	}
	err = vb_plan_subset(&r->plan, keep, &sub);
	free(keep);
	if (err < 0)
		return err;
	vb_plan_free(&r->plan); /* its notes were said at boot */
	r->plan = sub;
	return kept || r->messages.count ? 0 : 1;
}

/* Takes the lock; a run that cannot is logged and ends. Returns the lock or -errno. */
static int take_lock(struct run *r, const struct vb_status_place *place)
{
	char line[160];
	int fd = vb_status_lock(place, VB_STATUS_LOCK_WAIT_MS);

	if (fd < 0) {
		vb_text_format(line, sizeof(line), "%s: cannot take the report's lock: %s; nothing done",
			       r->opts.device ? r->opts.device : "vfio-boot-bind",
			       fd == -ETIMEDOUT ? "another run kept it 30 s" : vb_strerror(fd));
		emit_line(LOG_ERR, line, &r->log);
	}
	return fd;
}

/*
 * Reads the configuration and the hardware, makes the VFs asked for, plans.
 * Returns 0, 1 when --device has nothing to do, or -errno (-ENOMEM, or a
 * read that failed, said in the messages).
 */
static int prepare(struct run *r)
{
	int err = load_config_file(&r->opts, &r->root, &r->cfg, &r->messages, &r->problem);

	if (err == 0)
		err = load_cmdline(&r->root, &r->cfg, &r->messages, &r->disabled_by);
	/* Nothing selected, or disabled: a device that appears gets nothing from us. */
	if (err == 0 && r->opts.device &&
	    (r->cfg.disabled || (r->cfg.select.count == 0 && r->cfg.vfs.count == 0)))
		return 1;
	for (int pass = 0; err == 0 && !r->cfg.disabled && pass < 2; pass++) {
		vb_snapshot_free(&r->snap);
		err = read_snapshot(&r->root, &r->cfg, &r->snap, &r->messages);
		if (err < 0 && err != -ENOMEM) {
			char path[PATH_MAX];

			r->problem = true;
			vb_root_display(&r->root, "sys/bus/pci/devices", path, sizeof(path));
			return vb_strv_add(&r->messages, "cannot list %s: %s", path, vb_strerror(err));
		}
		if (err == 0 && r->opts.device && !find_device(r))
			return 1; /* gone again */
		/* New VFs are new functions: read again, once. */
		if (err == 0 && (pass == 1 || make_vfs(r) == 0))
			break;
	}
	if (err == 0)
		err = vb_plan_build(&r->cfg, &r->snap, NULL, &r->plan);
	if (err == 0 && r->opts.device && !r->cfg.disabled)
		err = keep_device_unit(r);
	return err;
}

/*
 * --print-modules: every module the config file's driver= (but vfio-pci,
 * which the hooks add anyway) and preload= lines name, one a line (a module
 * named twice comes twice). The initramfs hooks put them in the image: the
 * binder is the one reader of the file. Bad lines are said on stderr.
 * Returns the exit status: EXIT_FAILED when the file or stdout failed.
 */
static int print_modules(struct run *r)
{
	const struct vb_device_rules *rules = &r->cfg.devices;
	int err = load_config_file(&r->opts, &r->root, &r->cfg, &r->messages, &r->problem);

	for (size_t i = 0; i < r->messages.count; i++)
		fprintf(stderr, "vfio-boot-bind: %s\n", r->messages.items[i]);
	for (size_t i = 0; i < r->cfg.problems.count; i++)
		fprintf(stderr, "vfio-boot-bind: %s\n", r->cfg.problems.items[i]);
	if (err < 0)
		fprintf(stderr, "vfio-boot-bind: %s\n", vb_strerror(err));
	for (size_t i = 0; err == 0 && i < rules->count; i++)
		if (rules->items[i].kind == VB_DEVICE_DRIVER &&
		    !vb_module_is_vfio_pci(rules->items[i].value))
			fprintf(stdout, "%s\n", rules->items[i].value);
	for (size_t i = 0; err == 0 && i < rules->preload.count; i++)
		fprintf(stdout, "%s\n", rules->preload.items[i]);
	vb_config_free(&r->cfg);
	vb_strv_free(&r->messages);
	vb_root_fini(&r->root);
	return err < 0 || fflush(stdout) != 0 ? EXIT_FAILED : EXIT_OK;
}

int main(int argc, char **argv)
{
	struct run r = { .log = { .kmsg_fd = -1 } };
	struct vb_status_place place = { &r.root, NULL };
	struct vb_outcome *outcomes = NULL;
	struct vb_strv said = { 0 };
	struct vb_report report;
	struct timespec start;
	size_t failed = 0;
	int err, lock_fd = -1;

	clock_gettime(CLOCK_MONOTONIC, &start);
	if (parse_options(argc, argv, &r.opts) < 0)
		return EXIT_USAGE;
	err = vb_root_init(&r.root, r.opts.root);
	if (err < 0) {
		fprintf(stderr, "vfio-boot-bind: --root %s: %s\n", r.opts.root, vb_strerror(err));
		return EXIT_USAGE;
	}
	place.path = r.opts.status;
	vb_config_init(&r.cfg);
	if (r.opts.print_modules)
		return print_modules(&r);
	if (r.opts.dry_run) {
		r.log.echo = stdout;
	} else {
		r.log.kmsg_fd = open_kmsg(&r.root);
		r.log.echo = r.opts.quiet ? NULL : stderr;
	}
	/* One run at a time works on the devices and the report. */
	if (!r.opts.dry_run) {
		lock_fd = take_lock(&r, &place);
		if (lock_fd < 0) {
			failed = 1;
			goto out;
		}
	}
	if (r.opts.device) {
		char why[128];

		r.have_earlier = vb_status_read(&place, &r.earlier, why, sizeof(why)) == 0;
	}
	err = prepare(&r);
	if (err == 1)
		goto out; /* --device: nothing to do, nothing said */
	if (err == 0) {
		outcomes = calloc(r.plan.count ? r.plan.count : 1, sizeof(*outcomes));
		if (!outcomes)
			err = -ENOMEM;
	}
	if (err == 0) {
		struct vb_apply_env env = { &r.root, r.opts.modprobe, NULL, r.opts.modprobe_timeout,
					    r.opts.dry_run, &r.cfg.devices, &r.messages };

		if (!env.modprobe_timeout)
			env.modprobe_timeout = r.cfg.modprobe_timeout ? r.cfg.modprobe_timeout :
									MODPROBE_TIMEOUT_DEFAULT;
		failed = vb_apply(&env, &r.snap, &r.plan, outcomes);
	}
	r.problem = r.problem || r.disabled_by || r.cfg.problems.count > 0 || r.plan.unmatched > 0;
	/* What a later run says is only what the report does not have yet. */
	if (err == 0)
		err = append_new(&said, &r.messages, &r.earlier);
	if (err == 0)
		err = append_new(&said, &r.cfg.problems, &r.earlier);
	if (err == 0)
		err = append_new(&said, &r.plan.notes, &r.earlier);
	if (err < 0) {
		fprintf(stderr, "vfio-boot-bind: %s\n", vb_strerror(err));
		failed = 1;
		goto out;
	}

	report = (struct vb_report){ &r.cfg, &r.snap, &r.plan, outcomes, &said,
				     r.opts.dry_run ? -1 : elapsed_us(&start), r.disabled_by,
				     VB_VERSION, r.opts.device ? VB_EVENT_HOTPLUG : VB_EVENT_BOOT };
	if (!r.opts.dry_run) {
		err = vb_report_replace(&place, &report, r.have_earlier ? &r.earlier : NULL);
		if (err < 0) {
			fprintf(stderr, "vfio-boot-bind: cannot write the status report: %s\n",
				vb_strerror(err));
			failed++;
		}
	}
	vb_report_lines(&report, emit_line, &r.log);
out:
	vb_status_unlock(lock_fd);
	if (r.log.kmsg_fd >= 0)
		close(r.log.kmsg_fd);
	if (r.have_earlier)
		vb_json_free(&r.earlier);
	free(outcomes);
	vb_plan_free(&r.plan);
	vb_snapshot_free(&r.snap);
	vb_config_free(&r.cfg);
	vb_strv_free(&r.messages);
	vb_strv_free(&said);
	vb_root_fini(&r.root);
	if (fflush(stdout) != 0 && r.opts.strict)
		return EXIT_FAILED;
	if (!r.opts.strict)
		return EXIT_OK;
	if (failed)
		return EXIT_FAILED;
	return r.problem ? EXIT_PROBLEMS : EXIT_OK;
}
