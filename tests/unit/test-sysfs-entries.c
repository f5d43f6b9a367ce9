// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The listing of a function's directory (sysfs_entries.c): every entry the
 * reader looks at is found with its type, however many other entries come
 * first (several getdents64 calls); what is not there is absent; a
 * descriptor that cannot be listed says nothing.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "sysfs_entries.h"
#include "unit.h"

static char top[] = "/tmp/vfio-boot-test-entries.XXXXXX";

static int open_dir(const char *rel)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static void make(const char *rel, mode_t mode)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	if (S_ISDIR(mode))
		CHECK(mkdir(path, 0755) == 0);
	else if (S_ISLNK(mode))
		CHECK(symlink("../../../bus/pci/drivers/nvme", path) == 0);
	else
		CHECK(mknod(path, mode | 0644, 0) == 0);
}

/* A function's entries behind 400 long names: the listing takes several calls. */
static void crowded(void)
{
	struct vb_fn_entries e;
	char rel[PATH_MAX];
	int fd;

	make("crowded", S_IFDIR);
	for (int i = 0; i < 400; i++) {
		snprintf(rel, sizeof(rel), "crowded/%0200d", i);
		make(rel, S_IFREG);
	}
	make("crowded/modalias", S_IFREG);
	make("crowded/boot_vga", S_IFIFO);
	make("crowded/driver", S_IFLNK);
	make("crowded/physfn", S_IFDIR);
	fd = open_dir("crowded");
	CHECK(fd >= 0);
	vb_fn_entries_read(fd, &e);
	CHECK(e.listed);
	/* The file system may not give types: then DT_UNKNOWN, never absent. */
	CHECK(e.type[VB_FN_MODALIAS] == DT_REG || e.type[VB_FN_MODALIAS] == DT_UNKNOWN);
	CHECK(e.type[VB_FN_BOOT_VGA] == DT_FIFO || e.type[VB_FN_BOOT_VGA] == DT_UNKNOWN);
	CHECK(e.type[VB_FN_DRIVER] == DT_LNK || e.type[VB_FN_DRIVER] == DT_UNKNOWN);
	CHECK(e.type[VB_FN_PHYSFN] == DT_DIR || e.type[VB_FN_PHYSFN] == DT_UNKNOWN);
	CHECK(vb_fn_entry_absent(&e, VB_FN_IOMMU_GROUP));
	CHECK(vb_fn_entry_absent(&e, VB_FN_SECONDARY_BUS_NUMBER));
	CHECK(vb_fn_entry_absent(&e, VB_FN_VENDOR));
	CHECK(!vb_fn_entry_absent(&e, VB_FN_MODALIAS));
	if (fd >= 0)
		close(fd);
}

/* Every name once, and names that only look like them. */
static void names(void)
{
	struct vb_fn_entries e;
	int fd;

	make("all", S_IFDIR);
	for (int a = 0; a < VB_FN_ENTRIES; a++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "all/%s", vb_fn_entry_names[a]);
		make(rel, S_IFREG);
	}
	make("near", S_IFDIR);
	make("near/modalias~", S_IFREG);
	make("near/Driver", S_IFREG);
	make("near/driver_override", S_IFREG);
	make("near/boot_vg", S_IFREG);
	fd = open_dir("all");
	vb_fn_entries_read(fd, &e);
	CHECK(e.listed);
	for (int a = 0; a < VB_FN_ENTRIES; a++)
		CHECK(!vb_fn_entry_absent(&e, a));
	close(fd);
	fd = open_dir("near");
	vb_fn_entries_read(fd, &e);
	CHECK(e.listed);
	for (int a = 0; a < VB_FN_ENTRIES; a++)
		CHECK(vb_fn_entry_absent(&e, a));
	close(fd);
}

/* A descriptor that cannot be listed: nothing is concluded, nothing is absent. */
static void unlisted(void)
{
	struct vb_fn_entries e;
	char path[PATH_MAX * 2];
	int fd;

	make("file", S_IFREG);
	snprintf(path, sizeof(path), "%s/file", top);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	vb_fn_entries_read(fd, &e);
	CHECK(!e.listed && !vb_fn_entry_absent(&e, VB_FN_DRIVER));
	close(fd);
	fd = open(top, O_PATH | O_DIRECTORY | O_CLOEXEC);
	vb_fn_entries_read(fd, &e);
	CHECK(!e.listed && !vb_fn_entry_absent(&e, VB_FN_MODALIAS));
	close(fd);
	vb_fn_entries_read(-1, &e);
	CHECK(!e.listed);
}

int main(void)
{
	char cmd[PATH_MAX * 2];

	if (!mkdtemp(top))
		return 1;
	crowded();
	names();
	unlisted();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd) != 0)
		return 1;
	return unit_report("sysfs-entries");
}
