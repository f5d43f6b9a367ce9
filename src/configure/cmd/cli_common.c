// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sysfs.h"
#include "text.h"

static void (*msg_sink)(void *ctx, enum cli_msg_kind kind, const char *msg);
static void *msg_sink_ctx;
static bool text_to_stderr;

FILE *cli_text(void)
{
	return text_to_stderr ? stderr : stdout;
}

void cli_text_to_stderr(void)
{
	fflush(stdout);
	text_to_stderr = true;
}

void cli_print(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(cli_text(), fmt, ap);
	va_end(ap);
}

void cli_set_msg_sink(void (*sink)(void *ctx, enum cli_msg_kind kind, const char *msg),
		      void *ctx)
{
	msg_sink = sink;
	msg_sink_ctx = ctx;
}

void cli_say(enum cli_msg_kind kind, const char *fmt, ...)
{
	static const char *const prefix[] = {
		[CLI_MSG_ERROR] = "vfio-boot: ", [CLI_MSG_OVERRIDDEN] = "vfio-boot: ",
		[CLI_MSG_NOTE] = "note: ", [CLI_MSG_WARNING] = "warning: ", [CLI_MSG_PROGRESS] = "",
	};
	bool error = kind == CLI_MSG_ERROR || kind == CLI_MSG_OVERRIDDEN;
	char *msg = NULL, line[1024];
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	/* Messages quote files and arguments: the log rule keeps the terminal safe. */
	vb_text_printable(line, sizeof(line), msg ? msg : "(out of memory)");
	fprintf(error ? stderr : cli_text(), "%s%s\n", prefix[kind], line);
	if (msg_sink)
		msg_sink(msg_sink_ctx, kind, msg ? msg : "(out of memory)");
	free(msg);
}

static const char *const *sort_modaliases;

static int by_modalias(const void *a, const void *b)
{
	return strcmp(sort_modaliases[*(const size_t *)a], sort_modaliases[*(const size_t *)b]);
}

/*
 * Fills m->claimants from the modalias texts vb_sysfs_read kept. Functions
 * of one model share a modalias, so each distinct modalias is looked up once
 * and its answer copied to the others.
 */
static int resolve_claimants(struct machine *m)
{
	size_t n = m->snap.count, *order = NULL;
	const char **aliases = NULL;
	int err = -ENOMEM;

	aliases = calloc(n ? n : 1, sizeof(*aliases));
	order = calloc(n ? n : 1, sizeof(*order));
	if (!aliases || !order)
		goto out;
	for (size_t i = 0; i < n; i++) {
		aliases[i] = m->snap.fns[i].modalias ? m->snap.fns[i].modalias : "";
		order[i] = i;
	}
	sort_modaliases = aliases;
	qsort(order, n, sizeof(*order), by_modalias);
	err = 0;
	for (size_t k = 0; k < n && err == 0; k++) {
		size_t i = order[k], first = order[k ? k - 1 : 0];

		if (aliases[i][0] == '\0')
			continue;
		if (k > 0 && strcmp(aliases[i], aliases[first]) == 0) {
			for (size_t c = 0; c < m->claimants[first].count && err == 0; c++)
				err = vb_strv_add(&m->claimants[i], "%s",
						  m->claimants[first].items[c]);
			continue;
		}
		err = vb_kmod_claimants(&m->kmod, aliases[i], &m->claimants[i]);
	}
out:
	free(aliases);
	free(order);
	return err;
}

/* The host's own disk and network devices, read inside the tree. */
static int read_host_devices(const struct cli *cli, struct machine *m)
{
	int err = vb_host_devices_read(&cli->root, &m->host);

	if (err < 0)
		machine_free(m);
	return err;
}

int machine_load(const struct cli *cli, struct machine *m, unsigned parts)
{
	bool with_claimants = parts & MACHINE_CLAIMANTS;
	struct vb_sysfs_listing listing = { .keep_modalias = with_claimants, .details = true,
					    .root_bus = parts & MACHINE_ROOT_BUS };
	char where[PATH_MAX], path[PATH_MAX * 2];
	int err;

	memset(m, 0, sizeof(*m));
	err = vb_sysfs_read(&cli->root, &m->snap, &listing);
	if (err == 0)
		m->have_sys = true;
	else if (err != -ENOENT) {
		vb_root_display(&cli->root, "sys/bus/pci/devices", path, sizeof(path));
		cli_error("cannot read %s: %s", path, vb_strerror(err));
		return err;
	}
	err = vb_kmod_open(&m->kmod, &cli->root, where, sizeof(where));
	if (err < 0) {
		vb_root_display(&cli->root, where, path, sizeof(path));
		cli_error("cannot read %s (the kernel module indexes): %s", path, vb_strerror(err));
		machine_free(m);
		return err;
	}
	for (size_t k = 0; k < m->kmod.skipped.count; k++)
		cli_error("lib/modules/%s: a modules.* index is not a regular file; kernel skipped",
			  m->kmod.skipped.items[k]);
	m->claimants = calloc(m->snap.count ? m->snap.count : 1, sizeof(*m->claimants));
	err = m->claimants ? 0 : -ENOMEM;
	if (err == 0 && with_claimants)
		err = resolve_claimants(m);
	if (err < 0) {
		if (err != -ENOMEM)
			cli_error("cannot look up the modules of the PCI devices in /lib/modules: %s",
				  vb_strerror(err));
		machine_free(m);
		return err;
	}
	m->names = vb_pcinames_new(&m->snap);
	return read_host_devices(cli, m);
}

void machine_free(struct machine *m)
{
	for (size_t i = 0; m->claimants && i < m->snap.count; i++)
		vb_strv_free(&m->claimants[i]);
	free(m->claimants);
	vb_kmod_close(&m->kmod);
	vb_snapshot_free(&m->snap);
	vb_pcinames_free(m->names);
	vb_host_devices_free(&m->host);
	memset(m, 0, sizeof(*m));
}

int cli_host_read_error(const struct cli *cli)
{
	char where[PATH_MAX + 2], path[PATH_MAX * 2];
	int err = vb_host_read_error(where, sizeof(where));

	if (err < 0) {
		vb_root_display(&cli->root, where, path, sizeof(path));
		cli_error("cannot read %s: %s", path, vb_strerror(err));
	}
	return err;
}

int cli_read_config(const struct cli *cli, struct vb_config *cfg, bool *exists)
{
	int err;

	vb_config_init(cfg);
	*exists = false;
	err = vb_config_load(cfg, &cli->root, "etc/vfio-boot.conf", "/etc/vfio-boot.conf");
	if (err == -ENOENT)
		return 0;
	*exists = err == 0;
	return err;
}

int cli_refuse_without_root(const struct cli *cli)
{
	if (cli->root.host && !cli->dry_run && geteuid() != 0) {
		cli_error("changing this system needs root (try --dry-run to see what would change)");
		return -EPERM;
	}
	return 0;
}
