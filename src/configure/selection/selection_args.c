// SPDX-License-Identifier: GPL-2.0-or-later
/* configure's selectors and policy options, read from its command line. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "selection_args.h"
#include "selection_file.h"

/* True (after saying so) when vfio-boot-bind would refuse the config file written for cfg. */
static bool selection_too_large(const struct vb_config *cfg)
{
	char *text = vb_render_selection(cfg, NULL), why[128];
	int err = text ? vb_config_text_check(text, strlen(text), why, sizeof(why)) : 0;

	free(text);
	if (err < 0)
		cli_error("too many selectors for /etc/vfio-boot.conf: %s", why);
	return err < 0;
}

int selection_from_args(const struct cli *cli, struct vb_config *cfg)
{
	vb_config_init(cfg);
	if (cli->nargs == 0 && cli->nvfs == 0) {
		cli_error("configure needs selectors, e.g. vfio-boot configure 10de:2504,10de:228e");
		return -EINVAL;
	}
	for (int i = 0; i < cli->nargs; i++)
		if (vb_config_add_selectors(cfg, &cfg->select, "argument", cli->args[i],
					    strlen(cli->args[i])) < 0)
			return -ENOMEM;
	for (int i = 0; i < cli->nvfs; i++)
		if (vb_config_add_vfs(cfg, "--vfs", cli->vfs[i], strlen(cli->vfs[i])) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < cfg->problems.count; i++)
		cli_error("%s", cfg->problems.items[i]);
	if (cfg->problems.count || selection_too_large(cfg))
		return -EINVAL;
	if (cli->companions && vb_companions_parse(cli->companions, &cfg->companions) < 0) {
		cli_error("--companions must be slot, group or none, not '%s'", cli->companions);
		return -EINVAL;
	}
	if (cli->boot_vga && vb_boot_vga_parse(cli->boot_vga, &cfg->boot_vga) < 0) {
		cli_error("--boot-vga must be refuse or allow, not '%s'", cli->boot_vga);
		return -EINVAL;
	}
	for (size_t i = 0; i < cli->device_keys.count; i++) {
		const char *line = cli->device_keys.items[i], *eq = strchr(line, '=');
		int err = vb_device_rules_parse(&cfg->devices, &cfg->problems, "option", line,
						(size_t)(eq - line), eq + 1, strlen(eq + 1));

		if (err < 0)
			return err;
	}
	for (size_t i = 0; i < cfg->problems.count; i++)
		cli_error("%s", cfg->problems.items[i]);
	if (cfg->problems.count)
		return -EINVAL;
	return 0;
}
