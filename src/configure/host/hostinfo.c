// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "hostinfo.h"
#include "root.h"

#define TEXT_MAX (16 * 1024 * 1024) /* proc/iomem and proc/interrupts stay far below */

/* The first read error since vb_host_read_error looked (one caller at a time). */
static int read_error;
static char read_error_path[PATH_MAX + 2];

/* Keeps err for rel unless it says rel is absent. Returns err. */
static int note(const char *rel, int err)
{
	if (err < 0 && err != -ENOENT && err != -ENOTDIR && read_error == 0) {
		read_error = err;
		snprintf(read_error_path, sizeof(read_error_path), "/%s", rel);
	}
	return err;
}

int vb_host_read_error(char *where, size_t size)
{
	int err = read_error;

	if (err)
		snprintf(where, size, "%s", read_error_path);
	read_error = 0;
	return err;
}

/* vb_root_probe, an error kept: true when rel is there. */
static bool present(const struct vb_root *root, const char *rel)
{
	return note(rel, vb_root_probe(root, rel)) > 0;
}

/* Opens directory rel as a DIR (NULL when it cannot be, the error kept). */
static DIR *open_dir(const struct vb_root *root, const char *rel)
{
	int fd = note(rel, vb_root_open(root, rel, O_RDONLY | O_DIRECTORY, 0));
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;

	if (fd >= 0 && !dir) {
		note(rel, -errno);
		close(fd);
	}
	return dir;
}

/* readdir(): NULL at the end, or after an error (kept). */
static struct dirent *next_entry(DIR *dir, const char *rel)
{
	struct dirent *de;

	errno = 0;
	de = readdir(dir);
	if (!de && errno)
		note(rel, -errno);
	return de;
}

/* A proc or sys text file of the tree as a memory stream, or NULL. */
static FILE *open_under(const struct vb_root *root, const char *rel, char **text)
{
	size_t len;
	FILE *f;

	if (note(rel, vb_root_read_file(root, rel, TEXT_MAX, text, &len, NULL)) < 0)
		return NULL;
	f = fmemopen(*text, len ? len : 1, "r"); /* size 0 is refused */
	if (!f)
		free(*text);
	return f;
}

static void close_under(FILE *f, char *text)
{
	fclose(f);
	free(text);
}

enum vb_cpu_vendor vb_host_cpu_vendor(const struct vb_root *root)
{
	enum vb_cpu_vendor vendor = VB_CPU_UNKNOWN;
	char line[512], *text;
	FILE *f = open_under(root, "proc/cpuinfo", &text);

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
	close_under(f, text);
	return vendor;
}

const char *vb_iommu_flag(enum vb_cpu_vendor vendor)
{
	switch (vendor) {
	case VB_CPU_INTEL:
		return "intel_iommu=on";
	case VB_CPU_AMD:
	case VB_CPU_UNKNOWN:
		break;
	}
	return NULL;
}

const char *vb_iommu_off_advice(enum vb_cpu_vendor vendor)
{
	switch (vendor) {
	case VB_CPU_INTEL:
		return "Intel VT-d: enable VT-d in the firmware setup and put intel_iommu=on on the "
		       "kernel command line (`vfio-boot configure` adds it).";
	case VB_CPU_AMD:
		return "AMD-Vi: enable the IOMMU (and SVM) in the firmware setup; the kernel turns "
		       "it on by default, no flag is needed (amd_iommu= has no \"on\").";
	case VB_CPU_UNKNOWN:
		break;
	}
	return "Enable the IOMMU in the firmware setup (VT-d, or IOMMU and SVM on AMD); Intel's "
	       "also needs intel_iommu=on on the kernel command line (`vfio-boot configure` adds "
	       "it), AMD's needs no flag.";
}

enum vb_cpu_vendor vb_host_iommu_vendor(const struct vb_root *root, const char **source)
{
	struct dirent *de;
	enum vb_cpu_vendor vendor = VB_CPU_UNKNOWN;
	DIR *dir;

	if (present(root, "sys/firmware/acpi/tables/DMAR")) {
		*source = "the ACPI DMAR table";
		return VB_CPU_INTEL;
	}
	if (present(root, "sys/firmware/acpi/tables/IVRS")) {
		*source = "the ACPI IVRS table";
		return VB_CPU_AMD;
	}
	dir = open_dir(root, "sys/class/iommu");
	if (!dir)
		return VB_CPU_UNKNOWN;
	while (vendor == VB_CPU_UNKNOWN && (de = next_entry(dir, "sys/class/iommu")) != NULL) {
		if (strncmp(de->d_name, "dmar", 4) == 0)
			vendor = VB_CPU_INTEL;
		else if (strncmp(de->d_name, "ivhd", 4) == 0)
			vendor = VB_CPU_AMD;
	}
	closedir(dir);
	*source = "sys/class/iommu";
	return vendor;
}

bool vb_kernel_intel_iommu_default_on(const struct vb_root *root, const char *kver)
{
	static const char key[] = "\nCONFIG_INTEL_IOMMU_DEFAULT_ON=y\n";
	char rel[PATH_MAX], *text = NULL;
	size_t len;
	bool on;

	if (snprintf(rel, sizeof(rel), "boot/config-%s", kver) >= (int)sizeof(rel) ||
	    note(rel, vb_root_read_file(root, rel, TEXT_MAX, &text, &len, NULL)) < 0)
		return false;
	on = strstr(text, key) != NULL || strncmp(text, key + 1, sizeof(key) - 2) == 0;
	free(text);
	return on;
}

bool vb_kernel_has_sysfb(const struct vb_root *root, const char *kver)
{
	static const char key[] = "\nCONFIG_SYSFB=y\n";
	char rel[PATH_MAX], *text = NULL;
	unsigned major = 0, minor = 0;
	size_t len;
	bool on;

	if (snprintf(rel, sizeof(rel), "boot/config-%s", kver) < (int)sizeof(rel) &&
	    note(rel, vb_root_read_file(root, rel, TEXT_MAX, &text, &len, NULL)) == 0) {
		on = strstr(text, key) != NULL || strncmp(text, key + 1, sizeof(key) - 2) == 0;
		free(text);
		return on;
	}
	return sscanf(kver, "%u.%u", &major, &minor) == 2 && (major > 5 || (major == 5 && minor >= 15));
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

char *vb_host_cmdline(const struct vb_root *root)
{
	char *text = NULL;
	size_t len;

	return note("proc/cmdline", vb_root_read_file(root, "proc/cmdline", VB_HOST_CMDLINE_MAX,
						       &text, &len, NULL)) == 0 ?
		       text :
		       NULL;
}

long vb_host_iommu_groups(const struct vb_root *root)
{
	static const char rel[] = "sys/kernel/iommu_groups";
	DIR *dir = open_dir(root, rel);
	struct dirent *de;
	long count = 0;

	if (!dir)
		return -1;
	while ((de = next_entry(dir, rel)) != NULL)
		count += de->d_name[0] != '.';
	count = errno ? -1 : count;
	closedir(dir);
	return count;
}

int vb_host_irq_remapping(const struct vb_root *root)
{
	char line[1024], *text;
	FILE *f = open_under(root, "proc/interrupts", &text);
	int found = 0;

	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, " IR-") != NULL;
	close_under(f, text);
	return found;
}

static bool is_firmware_fb(const char *name)
{
	static const char *const fbs[] = { "efifb", "simpledrm", "BOOTFB", "vesafb",
					   "simple-framebuffer" };

	for (size_t i = 0; i < ARRAY_SIZE(fbs); i++)
		if (strncmp(name, fbs[i], strlen(fbs[i])) == 0)
			return true;
	return false;
}

int vb_host_framebuffer_on(const struct vb_root *root, const char *name, char *fb,
			   size_t size)
{
	uint64_t bars[6][2];
	size_t nbars = 0;
	char rel[PATH_MAX], line[512], *text;
	FILE *f;
	int found = 0;

	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/resource", name);
	f = open_under(root, rel, &text);
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
	close_under(f, text);

	f = open_under(root, "proc/iomem", &text);
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
	close_under(f, text);
	return found;
}
