// SPDX-License-Identifier: GPL-2.0-or-later
/* The binder's modules (preload=, variant drivers) and reset methods (drivers.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "device_rules.h"
#include "drivers.h"
#include "pci.h"
#include "run.h"
#include "text.h"

int vb_modprobe(const struct vb_root *run_root, const char *modprobe, const char *module,
		unsigned timeout, char *why, size_t size)
{
	const char *const argv[] = { modprobe, module, NULL };
	int rc = vb_run(run_root, argv, timeout * 1000u);

	if (rc == -ETIMEDOUT)
		vb_text_format(why, size, "%s %s did not finish in %u s", modprobe, module, timeout);
	else if (rc < 0)
		vb_text_format(why, size, "cannot start %s: %s", modprobe, vb_strerror(rc));
	else if (rc > 0)
		vb_text_format(why, size, "%s %s exited with status %d", modprobe, module, rc);
	return rc == 0 ? 0 : -1;
}

/* ABOVE then a module's NAME, with '-' as '_' (the kernel's spelling), then /BELOW. */
static void module_path(const char *above, const char *module, const char *below, char *rel,
			size_t size)
{
	size_t n = (size_t)snprintf(rel, size, "%s", above);

	for (const char *c = module; *c && n + 1 < size; c++)
		rel[n++] = *c == '-' ? '_' : *c;
	rel[n] = '\0';
	if (below)
		snprintf(rel + n, size - n, "/%s", below);
}

bool vb_module_loaded(const struct vb_root *root, const char *module)
{
	char rel[128];

	module_path("sys/module/", module, NULL, rel, sizeof(rel));
	return vb_root_exists(root, rel);
}

int vb_module_pci_driver(const struct vb_root *root, const char *module, char *name,
			 size_t size, char *why, size_t why_size)
{
	char rel[128];
	struct dirent *de;
	int fd, found = 0;
	DIR *dir;

	module_path("sys/module/", module, "drivers", rel, sizeof(rel));
	fd = vb_root_open(root, rel, O_RDONLY | O_DIRECTORY, 0);
	dir = fd >= 0 ? fdopendir(fd) : NULL;
	if (!dir) {
		if (fd >= 0)
			close(fd);
		found = 0;
		goto none;
	}
	while ((de = readdir(dir)) != NULL) {
		if (strncmp(de->d_name, "pci:", 4) != 0 || !de->d_name[4])
			continue;
		if (found++ == 0)
			snprintf(name, size, "%s", de->d_name + 4);
	}
	closedir(dir);
	if (found == 1 && strlen(name) + 1 < size)
		return 0;
none:
	vb_text_format(why, why_size, "%s registered %d PCI drivers, not one", module, found);
	return -1;
}

/*
 * Whether the driver_override of device names driver: its last line (sysfs
 * shows one; a fixture tree keeps every value written, the last one in force).
 * Unknown (unreadable, or longer than read) is no.
 */
static bool override_names(const struct vb_root *root, const char *device, const char *driver)
{
	char rel[VB_PCI_NAME_MAX + 48], text[512];
	const char *line;
	ssize_t n;

	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/driver_override", device);
	n = vb_root_read_small(root, rel, text, sizeof(text));
	if (n <= 0 || (size_t)n >= sizeof(text) - 1)
		return false;
	if (text[n - 1] == '\n')
		text[--n] = '\0';
	line = strrchr(text, '\n');
	return strcmp(line ? line + 1 : text, driver) == 0;
}

/* Whether module holds vfio_pci_core, as every vfio-pci variant driver does. */
static bool holds_vfio_pci_core(const struct vb_root *root, const char *module)
{
	char rel[128];

	module_path("sys/module/vfio_pci_core/holders/", module, NULL, rel, sizeof(rel));
	return vb_root_exists(root, rel);
}

bool vb_on_vfio_driver(const struct vb_root *root, const struct vb_device_rules *rules,
		       const struct vb_pci_fn *fn)
{
	const char *module = vb_device_rules_driver(rules, fn);
	char name[VB_DRIVER_MAX], why[128];

	if (strcmp(fn->driver, "vfio-pci") == 0)
		return true;
	if (!module || !fn->driver[0] ||
	    vb_module_pci_driver(root, module, name, sizeof(name), why, sizeof(why)) < 0 ||
	    strcmp(name, fn->driver) != 0)
		return false;
	/*
	 * A variant binds only where driver_override names it, so a device on
	 * one is ours even after a release that cleared the override and then
	 * failed. Any other driver (a driver= line naming mlx5_core by hand)
	 * takes devices by itself: ours only where the override says so.
	 */
	return holds_vfio_pci_core(root, module) || override_names(root, fn->name, name);
}

int vb_reset_method_set(const struct vb_root *root, const char *device, const char *methods,
			char *why, size_t size)
{
	char rel[VB_PCI_NAME_MAX + 48], offered[256];
	const char *missing;
	size_t len;
	ssize_t n;
	int err;

	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/reset_method", device);
	n = vb_root_read_small(root, rel, offered, sizeof(offered));
	if (n < 0) {
		vb_text_format(why, size, "reset_method not set: %s", n == -ENOENT ?
			       "the kernel has none for it" : vb_strerror((int)n));
		return -1;
	}
	offered[strcspn(offered, "\n")] = '\0';
	missing = vb_reset_method_missing(offered, methods, &len);
	if (missing) {
		vb_text_format(why, size, "reset_method not set: %.*s not offered (only: %s)", (int)len, missing, offered[0] ? offered : "none");
		return -1;
	}
	err = vb_root_write_attr(root, rel, methods);
	if (err < 0) {
		vb_text_format(why, size, "reset_method not set: writing '%s': %s", methods,
			       vb_strerror(err));
		return -1;
	}
	return 0;
}
