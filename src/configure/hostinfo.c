// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostinfo.h"
#include "path.h"

static FILE *open_under(const char *root, const char *rel)
{
	char path[PATH_MAX];

	if (vb_path(path, sizeof(path), root, "%s", rel) < 0)
		return NULL;
	return fopen(path, "re");
}

enum vb_cpu_vendor vb_host_cpu_vendor(const char *root)
{
	enum vb_cpu_vendor vendor = VB_CPU_UNKNOWN;
	FILE *f = open_under(root, "proc/cpuinfo");
	char line[512];

	if (!f)
		return VB_CPU_UNKNOWN;
	while (vendor == VB_CPU_UNKNOWN && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "vendor_id", 9) != 0)
			continue;
		if (strstr(line, "GenuineIntel"))
			vendor = VB_CPU_INTEL;
		else if (strstr(line, "AuthenticAMD") || strstr(line, "HygonGenuine"))
			vendor = VB_CPU_AMD;
	}
	fclose(f);
	return vendor;
}

const char *vb_iommu_flag(enum vb_cpu_vendor vendor)
{
	switch (vendor) {
	case VB_CPU_INTEL:
		return "intel_iommu=on";
	case VB_CPU_AMD:
		return "amd_iommu=on";
	case VB_CPU_UNKNOWN:
		break;
	}
	return NULL;
}

int vb_cpu_vendor_parse(const char *name, enum vb_cpu_vendor *vendor)
{
	if (strcmp(name, "intel") == 0)
		*vendor = VB_CPU_INTEL;
	else if (strcmp(name, "amd") == 0)
		*vendor = VB_CPU_AMD;
	else
		return -EINVAL;
	return 0;
}

long vb_host_cmdline(const char *root, char *buf, size_t size)
{
	char path[PATH_MAX];
	int err = vb_path(path, sizeof(path), root, "proc/cmdline");

	return err < 0 ? err : (long)vb_read_small(path, buf, size);
}

long vb_host_iommu_groups(const char *root)
{
	char path[PATH_MAX];
	struct dirent *de;
	long count = 0;
	DIR *dir;

	if (vb_path(path, sizeof(path), root, "sys/kernel/iommu_groups") < 0)
		return -1;
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((de = readdir(dir)) != NULL)
		count += de->d_name[0] != '.';
	closedir(dir);
	return count;
}

int vb_host_irq_remapping(const char *root)
{
	FILE *f = open_under(root, "proc/interrupts");
	char line[1024];
	int found = 0;

	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, " IR-") != NULL;
	fclose(f);
	return found;
}

static bool is_firmware_fb(const char *name)
{
	static const char *const fbs[] = { "efifb", "simpledrm", "BOOTFB", "vesafb",
					   "simple-framebuffer" };

	for (size_t i = 0; i < sizeof(fbs) / sizeof(fbs[0]); i++)
		if (strncmp(name, fbs[i], strlen(fbs[i])) == 0)
			return true;
	return false;
}

int vb_host_framebuffer_on(const char *root, const char *name, char *fb, size_t size)
{
	uint64_t bars[6][2];
	size_t nbars = 0;
	char rel[PATH_MAX], line[512];
	FILE *f;
	int found = 0;

	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/resource", name);
	f = open_under(root, rel);
	if (!f)
		return -1;
	/* "start end flags" per BAR; only memory BARs (flag 0x200) matter. */
	while (nbars < 6 && fgets(line, sizeof(line), f)) {
		uint64_t start, end, flags;
		if (sscanf(line, "%" SCNx64 " %" SCNx64 " %" SCNx64, &start, &end, &flags) != 3)
			break;
		if ((flags & 0x200) && end > start) {
			bars[nbars][0] = start;
			bars[nbars][1] = end;
			nbars++;
		}
	}
	fclose(f);

	f = open_under(root, "proc/iomem");
	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f)) {
		uint64_t start, end;
		int used = 0;
		const char *label;
		char *nl;

		if (sscanf(line, " %" SCNx64 "-%" SCNx64 " : %n", &start, &end, &used) != 2 || !used)
			continue;
		label = line + used;
		if (!is_firmware_fb(label))
			continue;
		for (size_t b = 0; b < nbars && !found; b++) {
			if (start <= bars[b][1] && end >= bars[b][0]) {
				snprintf(fb, size, "%s", label);
				nl = strchr(fb, '\n');
				if (nl)
					*nl = '\0';
				found = 1;
			}
		}
	}
	fclose(f);
	return found;
}
