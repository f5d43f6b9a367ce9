// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "path.h"
#include "sysfs.h"

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("vfio-boot: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int machine_load(const struct cli *cli, struct machine *m)
{
	int err;

	memset(m, 0, sizeof(*m));
	err = vb_sysfs_read(cli->root, &m->snap);
	if (err == 0)
		m->have_sys = true;
	else if (err != -ENOENT) {
		cli_error("cannot read %s/sys/bus/pci/devices: %s",
			  strcmp(cli->root, "/") ? cli->root : "", strerror(-err));
		return err;
	}
	err = vb_kmod_open(&m->kmod, cli->root);
	if (err < 0) {
		cli_error("cannot read the kernel module indexes: %s", strerror(-err));
		machine_free(m);
		return err;
	}
	m->claimants = calloc(m->snap.count ? m->snap.count : 1, sizeof(*m->claimants));
	if (!m->claimants) {
		machine_free(m);
		return -ENOMEM;
	}
	for (size_t i = 0; i < m->snap.count; i++) {
		char modalias[256];

		if (vb_sysfs_attr(cli->root, m->snap.fns[i].name, "modalias", modalias,
				  sizeof(modalias)) <= 0)
			continue;
		err = vb_kmod_claimants(&m->kmod, modalias, &m->claimants[i]);
		if (err < 0) {
			machine_free(m);
			return err;
		}
	}
	m->names = vb_pcinames_new();
	return 0;
}

void machine_free(struct machine *m)
{
	for (size_t i = 0; m->claimants && i < m->snap.count; i++)
		vb_msgs_free(&m->claimants[i]);
	free(m->claimants);
	vb_kmod_close(&m->kmod);
	vb_snapshot_free(&m->snap);
	vb_pcinames_free(m->names);
	memset(m, 0, sizeof(*m));
}

int cli_read_config(const struct cli *cli, struct vb_config *cfg, bool *exists)
{
	char path[PATH_MAX];
	char *text;
	ssize_t n;
	int err = 0;

	vb_config_init(cfg);
	*exists = false;
	if (vb_path(path, sizeof(path), cli->root, "etc/vfio-boot.conf") < 0)
		return -ENAMETOOLONG;
	text = malloc(64 * 1024 + 1);
	if (!text)
		return -ENOMEM;
	n = vb_read_small(path, text, 64 * 1024 + 1);
	if (n >= 0) {
		*exists = true;
		err = vb_config_parse_text(cfg, "/etc/vfio-boot.conf", text, (size_t)n);
	} else if (n != -ENOENT) {
		err = (int)n;
	}
	free(text);
	return err;
}
