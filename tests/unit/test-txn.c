// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "path.h"
#include "root.h"
#include "run.h"
#include "txn.h"
#include "unit.h"

static char root[] = "/tmp/vfio-boot-test-txn.XXXXXX";
static struct vb_root tree; /* root, opened afresh by reset_root */

static const char grub_orig[] = "GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\n"
				"GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nGRUB_CMDLINE_LINUX=\"\"\n";
static const char grub_new[] = "GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\n"
			       "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet iommu=pt\"\n"
			       "GRUB_CMDLINE_LINUX=\"\"\n";

static int run(const char *a0, const char *a1, const char *a2, const char *a3)
{
	const char *argv[] = { a0, a1, a2, a3, NULL };

	return vb_run(NULL, argv, VB_RUN_NO_LIMIT);
}

static const char *at(const char *rel)
{
	static char bufs[4][PATH_MAX];
	static int next;
	char *buf = bufs[next++ % 4];

	CHECK(vb_path(buf, PATH_MAX, root, "%s", rel) == 0);
	return buf;
}

static void write_file(const char *rel, const char *text, mode_t mode)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", at(rel));
	*strrchr(dir, '/') = '\0';
	CHECK(vb_mkdir_p(dir) == 0);
	CHECK(vb_replace_file(&tree, rel, text, strlen(text), mode, (uid_t)-1, (gid_t)-1) == 0);
}

/* True when ROOT/rel holds exactly text with mode. */
static bool holds(const char *rel, const char *text, mode_t mode)
{
	struct stat st;
	char *data;
	size_t len;
	bool same;

	if (vb_read_file(&tree, rel, &data, &len, &st) < 0) {
		fprintf(stderr, "cannot read %s\n", rel);
		return false;
	}
	same = len == strlen(text) && memcmp(data, text, len) == 0 &&
	       (st.st_mode & 07777) == mode;
	if (!same)
		fprintf(stderr, "%s holds '%s' mode %04o\n", rel, data, st.st_mode & 07777);
	free(data);
	return same;
}

static bool absent(const char *rel)
{
	struct stat st;

	return lstat(at(rel), &st) < 0 && (errno == ENOENT || errno == ENOTDIR);
}

/* True when no temporary file (".NAME.XXXXXX") is left in ROOT/rel. */
static bool no_temp_files(const char *rel)
{
	DIR *dir = opendir(at(rel));
	struct dirent *e;
	bool clean = true;

	if (!dir)
		return false;
	while ((e = readdir(dir)))
		if (e->d_name[0] == '.' && strcmp(e->d_name, ".") != 0 &&
		    strcmp(e->d_name, "..") != 0) {
			fprintf(stderr, "left behind: %s/%s\n", rel, e->d_name);
			clean = false;
		}
	closedir(dir);
	return clean;
}

static void reset_root(void)
{
	vb_root_fini(&tree);
	CHECK(run("rm", "-rf", root, NULL) == 0);
	CHECK(mkdir(root, 0755) == 0);
	CHECK(vb_root_init(&tree, root) == 0);
}

static void put(struct vb_txn *txn, const char *path, const char *text, mode_t mode)
{
	CHECK(vb_txn_put(txn, path, text, strlen(text), mode) == 0);
}

static char *diff_of(const struct vb_txn *txn)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	CHECK(out && vb_txn_diff(txn, out) == 0);
	if (out)
		fclose(out);
	return text;
}

static void check_no_change(void)
{
	struct vb_txn *txn;
	char err[256], *diff;

	reset_root();
	write_file("etc/default/grub", grub_orig, 0644);
	txn = vb_txn_new(&tree);
	CHECK(txn != NULL);
	put(txn, "/etc/default/grub", grub_orig, 0644);
	CHECK(vb_txn_remove(txn, "/etc/not-there") == 0);
	CHECK(vb_txn_changes(txn) == 0);
	diff = diff_of(txn);
	CHECK_STR(diff, "");
	free(diff);
	CHECK(vb_txn_commit(txn, err, sizeof(err)) == 0);
	CHECK(!vb_txn_is_configured(&tree));
	CHECK(absent("var/lib/vfio-boot"));

	/* The last put of a path wins; a mode alone is a change. */
	put(txn, "/etc/default/grub", grub_new, 0644);
	CHECK(vb_txn_changes(txn) == 1);
	put(txn, "/etc/default/grub", grub_orig, 0600);
	CHECK(vb_txn_changes(txn) == 1);
	diff = diff_of(txn);
	CHECK_STR(diff, "mode change 0644 => 0600 etc/default/grub\n");
	free(diff);
	vb_txn_free(txn);
}

static void check_bad_input(void)
{
	struct vb_txn *txn;

	reset_root();
	write_file("etc/real", "x\n", 0644);
	CHECK(symlink("real", at("etc/link")) == 0);
	CHECK(mkdir(at("etc/dir"), 0755) == 0);
	txn = vb_txn_new(&tree);
	CHECK(vb_txn_put(txn, "etc/x", "", 0, 0644) == -EINVAL);
	CHECK(vb_txn_put(txn, "/", "", 0, 0644) == -EINVAL);
	CHECK(vb_txn_put(txn, "/etc/../x", "", 0, 0644) == -EINVAL);
	CHECK(vb_txn_put(txn, "/etc//x", "", 0, 0644) == -EINVAL);
	CHECK(vb_txn_put(txn, "/etc/x/", "", 0, 0644) == -EINVAL);
	CHECK(vb_txn_put(txn, "/etc/a\nb", "", 0, 0644) == -EINVAL);
	CHECK(vb_txn_put(txn, "/var/lib/vfio-boot/manifest", "", 0, 0644) == -EINVAL);
	CHECK(vb_txn_put(txn, "/etc/link", "", 0, 0644) == -ELOOP);
	CHECK(vb_txn_put(txn, "/etc/dir", "", 0, 0644) == -VB_EFILETYPE);
	CHECK(vb_txn_remove(txn, "/etc/link") == -ELOOP);
	CHECK(vb_txn_changes(txn) == 0);
	CHECK(vb_txn_restore_all(txn) == -ENOENT);
	CHECK(vb_txn_forget_saved(txn) == 0);
	vb_txn_free(txn);

	/* A manifest that does not parse is not trusted. */
	write_file("var/lib/vfio-boot/manifest", "saved 0644 ../x /etc/a\n", 0600);
	CHECK(vb_txn_is_configured(&tree));
	txn = vb_txn_new(&tree);
	CHECK(vb_txn_restore_all(txn) == -EBADMSG);
	vb_txn_free(txn);
	write_file("var/lib/vfio-boot/manifest", "saved 0644 orig.1 /etc/a\n", 0600);
	txn = vb_txn_new(&tree);
	CHECK(vb_txn_restore_all(txn) == -EBADMSG);
	vb_txn_free(txn);
}

static void check_diff(void)
{
	struct vb_txn *txn;
	char *diff;

	reset_root();
	write_file("etc/default/grub", grub_orig, 0644);
	write_file("etc/old.conf", "a\nb", 0644);
	txn = vb_txn_new(&tree);
	put(txn, "/etc/default/grub", grub_new, 0644);
	put(txn, "/etc/modprobe.d/vfio-boot.conf", "softdep nouveau pre: vfio-pci\n", 0644);
	CHECK(vb_txn_remove(txn, "/etc/old.conf") == 0);
	CHECK(vb_txn_changes(txn) == 3);
	diff = diff_of(txn);
	CHECK_STR(diff, "--- a/etc/default/grub\n"
			"+++ b/etc/default/grub\n"
			"@@ -1,4 +1,4 @@\n"
			" GRUB_DEFAULT=0\n"
			" GRUB_TIMEOUT=5\n"
			"-GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n"
			"+GRUB_CMDLINE_LINUX_DEFAULT=\"quiet iommu=pt\"\n"
			" GRUB_CMDLINE_LINUX=\"\"\n"
			"--- /dev/null\n"
			"+++ b/etc/modprobe.d/vfio-boot.conf\n"
			"@@ -0,0 +1 @@\n"
			"+softdep nouveau pre: vfio-pci\n"
			"--- a/etc/old.conf\n"
			"+++ /dev/null\n"
			"@@ -1,2 +0,0 @@\n"
			"-a\n"
			"-b\n"
			"\\ No newline at end of file\n");
	free(diff);
	vb_txn_free(txn);
}

/* Commits puts of grub and cmdline, and of the config files vfio-boot owns. */
static void configure(const char *selector, bool touch_modules)
{
	struct vb_txn *txn = vb_txn_new(&tree);
	char conf[64], err[256] = "x";

	snprintf(conf, sizeof(conf), "%s\n", selector);
	put(txn, "/etc/default/grub", grub_new, 0644);
	put(txn, "/etc/kernel/cmdline", "root=/dev/sda1 ro iommu=pt", 0600);
	put(txn, "/etc/vfio-boot.conf", conf, 0644);
	put(txn, "/etc/modprobe.d/vfio-boot.conf", "softdep nouveau pre: vfio-pci\n", 0644);
	if (touch_modules)
		put(txn, "/etc/initramfs-tools/modules", "vfio-pci\n", 0644);
	CHECK(vb_txn_remove(txn, "/etc/modprobe.d/blacklist-nouveau.conf") == 0);
	CHECK(vb_txn_commit(txn, err, sizeof(err)) == 0);
	CHECK_STR(err, "");
	vb_txn_free(txn);
}

static void check_configure_unconfigure(void)
{
	char pristine[PATH_MAX], manifest[PATH_MAX], *saved = NULL, *again = NULL;
	size_t savedlen = 0, againlen = 0;
	struct vb_txn *txn;
	bool as_root = geteuid() == 0;
	struct stat st;
	char err[256];

	reset_root();
	write_file("etc/default/grub", grub_orig, 0644);
	write_file("etc/kernel/cmdline", "root=/dev/sda1 ro", 0600);
	write_file("etc/modprobe.d/blacklist-nouveau.conf", "blacklist nouveau\n", 0644);
	write_file("etc/initramfs-tools/modules", "# modules\n", 0644);
	/* Only root can give a file away: the owner is kept. */
	if (as_root)
		CHECK(chown(at("etc/default/grub"), 1234, 1234) == 0);
	snprintf(pristine, sizeof(pristine), "%s/pristine", root);
	CHECK(run("cp", "-a", at("etc"), pristine) == 0);
	snprintf(manifest, sizeof(manifest), "var/lib/vfio-boot/manifest");

	configure("10de:2504", false);
	CHECK(vb_txn_is_configured(&tree));
	CHECK(holds("etc/default/grub", grub_new, 0644));
	CHECK(holds("etc/kernel/cmdline", "root=/dev/sda1 ro iommu=pt", 0600));
	CHECK(holds("etc/vfio-boot.conf", "10de:2504\n", 0644));
	CHECK(absent("etc/modprobe.d/blacklist-nouveau.conf"));
	CHECK(stat(at("etc/default/grub"), &st) == 0 && st.st_uid == (as_root ? 1234 : geteuid()));
	CHECK(stat(at("etc/vfio-boot.conf"), &st) == 0 && st.st_uid == geteuid());
	CHECK(no_temp_files("etc") && no_temp_files("etc/default") &&
	      no_temp_files("var/lib/vfio-boot"));
	CHECK(vb_read_file(&tree, manifest, &saved, &savedlen, NULL) == 0);

	/* A second configure keeps the first originals, adds new ones. */
	configure("10de:2504@0000:01:00.0", true);
	CHECK(holds("etc/vfio-boot.conf", "10de:2504@0000:01:00.0\n", 0644));
	CHECK(holds("etc/initramfs-tools/modules", "vfio-pci\n", 0644));
	CHECK(vb_read_file(&tree, manifest, &again, &againlen, NULL) == 0);
	CHECK(saved && again && againlen > savedlen && memcmp(saved, again, savedlen) == 0);
	CHECK(again && strstr(again, "/etc/initramfs-tools/modules\n"));
	free(saved);
	free(again);

	/* unconfigure */
	txn = vb_txn_new(&tree);
	CHECK(vb_txn_restore_all(txn) == 0);
	CHECK(vb_txn_changes(txn) == 6);
	CHECK(vb_txn_commit(txn, err, sizeof(err)) == 0);
	CHECK(vb_txn_forget_saved(txn) == 0);
	vb_txn_free(txn);
	CHECK(!vb_txn_is_configured(&tree));
	CHECK(absent("var/lib/vfio-boot"));
	CHECK(run("diff", "-r", pristine, at("etc")) == 0);
	CHECK(run("cmp", at("etc/default/grub"), at("pristine/default/grub"), NULL) == 0);
	CHECK(run("cmp", at("etc/kernel/cmdline"), at("pristine/kernel/cmdline"), NULL) == 0);
	CHECK(holds("etc/kernel/cmdline", "root=/dev/sda1 ro", 0600));
	CHECK(holds("etc/modprobe.d/blacklist-nouveau.conf", "blacklist nouveau\n", 0644));
	CHECK(absent("etc/vfio-boot.conf") && absent("etc/modprobe.d/vfio-boot.conf"));
	CHECK(stat(at("etc/default/grub"), &st) == 0 && st.st_uid == (as_root ? 1234 : geteuid()));

	/* Nothing left to undo. */
	txn = vb_txn_new(&tree);
	CHECK(vb_txn_restore_all(txn) == -ENOENT);
	vb_txn_free(txn);
}

/*
 * The third file cannot be written (its directory is a regular file, or it
 * became a directory): the first two are put back as they were.
 */
static void check_rollback(bool configured_before)
{
	char manifest_before[4096] = "", manifest_after[4096] = "", err[256];
	struct vb_txn *txn;

	reset_root();
	write_file("etc/default/grub", grub_orig, 0644);
	write_file("etc/modprobe.d/blacklist-nouveau.conf", "blacklist nouveau\n", 0640);
	write_file("etc/blocked", "not a directory\n", 0644);
	if (configured_before) {
		configure("10de:2504", false);
		write_file("etc/default/grub", grub_orig, 0644);
		write_file("etc/modprobe.d/blacklist-nouveau.conf", "blacklist nouveau\n", 0640);
		CHECK(vb_read_small(at("var/lib/vfio-boot/manifest"), manifest_before,
				    sizeof(manifest_before)) > 0);
	}

	txn = vb_txn_new(&tree);
	put(txn, "/etc/default/grub", grub_new, 0644);
	CHECK(vb_txn_remove(txn, "/etc/modprobe.d/blacklist-nouveau.conf") == 0);
	put(txn, "/etc/blocked/cmdline", "iommu=pt\n", 0644);
	put(txn, "/etc/vfio-boot.conf", "01:00.0\n", 0644);
	CHECK(vb_txn_changes(txn) == 4);
	CHECK(vb_txn_commit(txn, err, sizeof(err)) == -ENOTDIR);
	CHECK_STR(err, "cannot write /etc/blocked/cmdline: Not a directory (nothing was changed)");
	CHECK(holds("etc/default/grub", grub_orig, 0644));
	CHECK(holds("etc/modprobe.d/blacklist-nouveau.conf", "blacklist nouveau\n", 0640));
	CHECK(holds("etc/blocked", "not a directory\n", 0644));
	CHECK(configured_before ? holds("etc/vfio-boot.conf", "10de:2504\n", 0644) :
				  absent("etc/vfio-boot.conf"));
	CHECK(no_temp_files("etc") && no_temp_files("etc/default") &&
	      no_temp_files("etc/modprobe.d"));
	if (configured_before) {
		CHECK(vb_read_small(at("var/lib/vfio-boot/manifest"), manifest_after,
				    sizeof(manifest_after)) > 0);
		CHECK_STR(manifest_after, manifest_before);
	} else {
		CHECK(!vb_txn_is_configured(&tree));
		CHECK(absent("var/lib/vfio-boot"));
	}
	vb_txn_free(txn);

	/* The rename itself fails: the target turned into a directory. */
	txn = vb_txn_new(&tree);
	put(txn, "/etc/default/grub", grub_new, 0644);
	put(txn, "/etc/vfio-boot.conf", "01:00.0\n", 0644);
	unlink(at("etc/vfio-boot.conf"));
	CHECK(mkdir(at("etc/vfio-boot.conf"), 0755) == 0);
	CHECK(mkdir(at("etc/vfio-boot.conf/sub"), 0755) == 0);
	CHECK(vb_txn_commit(txn, err, sizeof(err)) < 0);
	CHECK(strstr(err, "cannot write /etc/vfio-boot.conf: ") == err);
	CHECK(strchr(err, '\n') == NULL);
	CHECK(holds("etc/default/grub", grub_orig, 0644));
	CHECK(no_temp_files("etc") && no_temp_files("etc/default"));
	CHECK(vb_txn_is_configured(&tree) == configured_before);
	vb_txn_free(txn);
}

/*
 * The tree's links resolve in the tree, as under chroot: an absolute link
 * /etc/modprobe.d -> OUTSIDE (a path that exists on the host, and in the tree
 * too) writes in the tree's OUTSIDE, never the host's. A FIFO where the
 * manifest should be is refused, not waited for.
 */
static void check_confined(void)
{
	char outside[PATH_MAX], inside[PATH_MAX * 2], err[256] = "";
	struct vb_txn *txn;

	reset_root();
	snprintf(outside, sizeof(outside), "%s-outside", root);
	CHECK(mkdir(outside, 0755) == 0);
	snprintf(inside, sizeof(inside), "%s%s", root, outside);
	CHECK(run("mkdir", "-p", inside, NULL) == 0);
	CHECK(mkdir(at("etc"), 0755) == 0);
	CHECK(symlink(outside, at("etc/modprobe.d")) == 0);
	txn = vb_txn_new(&tree);
	put(txn, "/etc/modprobe.d/vfio.conf", "softdep nouveau pre: vfio-pci\n", 0644);
	CHECK(vb_txn_commit(txn, err, sizeof(err)) == 0);
	CHECK_STR(err, "");
	vb_txn_free(txn);
	snprintf(inside, sizeof(inside), "%s/vfio.conf", outside + 1);
	CHECK(holds(inside, "softdep nouveau pre: vfio-pci\n", 0644));
	snprintf(inside, sizeof(inside), "%s/vfio.conf", outside);
	CHECK(access(inside, F_OK) < 0 && errno == ENOENT);
	CHECK(run("rm", "-rf", outside, NULL) == 0);

	reset_root();
	CHECK(run("mkdir", "-p", at("var/lib/vfio-boot"), NULL) == 0);
	CHECK(mkfifo(at("var/lib/vfio-boot/manifest"), 0600) == 0);
	write_file("etc/default/grub", grub_orig, 0644);
	txn = vb_txn_new(&tree);
	CHECK(vb_txn_restore_all(txn) == -VB_EFILETYPE);
	put(txn, "/etc/default/grub", grub_new, 0644);
	CHECK(vb_txn_commit(txn, err, sizeof(err)) == -VB_EFILETYPE);
	CHECK_STR(err, "cannot read /var/lib/vfio-boot/manifest: not a regular file (a FIFO, device or directory?)");
	CHECK(holds("etc/default/grub", grub_orig, 0644));
	vb_txn_free(txn);
}

/* Each recorded path's action, in recording order. */
static void check_actions(void)
{
	static const struct {
		const char *path;
		enum vb_txn_action action;
		const char *name;
	} want[] = {
		{ "/etc/default/grub", VB_TXN_MODIFY, "modify" },
		{ "/etc/vfio-boot.conf", VB_TXN_CREATE, "create" },
		{ "/etc/kept", VB_TXN_UNCHANGED, "unchanged" },
		{ "/etc/gone", VB_TXN_REMOVE, "remove" },
		{ "/etc/not-there", VB_TXN_UNCHANGED, "unchanged" },
		{ "/etc/mode-only", VB_TXN_MODIFY, "modify" },
	};
	struct vb_txn *txn;

	reset_root();
	write_file("etc/default/grub", grub_orig, 0644);
	write_file("etc/kept", "same\n", 0644);
	write_file("etc/gone", "bye\n", 0644);
	write_file("etc/mode-only", "x\n", 0644);
	txn = vb_txn_new(&tree);
	CHECK(txn != NULL);
	put(txn, "/etc/default/grub", grub_new, 0644);
	put(txn, "/etc/vfio-boot.conf", "10de:2504\n", 0644);
	put(txn, "/etc/kept", "same\n", 0644);
	CHECK(vb_txn_remove(txn, "/etc/gone") == 0);
	CHECK(vb_txn_remove(txn, "/etc/not-there") == 0);
	put(txn, "/etc/mode-only", "x\n", 0600);
	CHECK(vb_txn_count(txn) == sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < vb_txn_count(txn) && i < sizeof(want) / sizeof(want[0]); i++) {
		enum vb_txn_action action;

		CHECK_STR(vb_txn_entry(txn, i, &action), want[i].path);
		CHECK(action == want[i].action);
		CHECK_STR(vb_txn_action_name(action), want[i].name);
	}
	vb_txn_free(txn);
}

int main(void)
{
	CHECK(mkdtemp(root) != NULL);
	tree.fd = -1;
	check_no_change();
	check_bad_input();
	check_diff();
	check_actions();
	check_configure_unconfigure();
	check_rollback(false);
	check_rollback(true);
	check_confined();
	vb_root_fini(&tree);
	CHECK(run("rm", "-rf", root, NULL) == 0);
	return unit_report("txn");
}
