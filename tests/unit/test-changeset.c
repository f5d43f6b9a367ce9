// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The changeset engine on a scratch tree: applied, rolled back after a failed
 * step (byte for byte, directories it made gone), an interrupted run found
 * in the journal and rolled back or finished, a file someone else changed
 * left alone, a linked file replaced at its target. A step that changed
 * nothing (a conflict caught, a directory that cannot be made) needs no undo
 * and leaves the tree usable. Extended attributes survive a rewrite and come
 * back from the journal on a rollback.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "changeset.h"
#include "statedir.h"
#include "unit.h"

static char top[] = "/tmp/vfio-boot-test-changeset.XXXXXX";
static struct vb_root root;
static struct vb_engine engine;
static int problems;

static void count_problem(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
	problems++;
}

static const struct vb_changeset_hooks hooks = { NULL, count_problem, NULL };

static const char *at(const char *rel)
{
	static char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s/%s", top, rel);
	return buf;
}

static void put(const char *rel, const char *text, mode_t mode)
{
	FILE *f = fopen(at(rel), "w");

	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	chmod(at(rel), mode);
}

/* The file's bytes, or "(absent)". */
static const char *bytes(const char *rel)
{
	return unit_file_text(at(rel));
}

static mode_t mode_of(const char *rel)
{
	struct stat st;

	return stat(at(rel), &st) == 0 ? st.st_mode & 07777 : 0;
}

static bool exists(const char *rel)
{
	struct stat st;

	return lstat(at(rel), &st) == 0;
}

static int failing_check(void *ctx, char *why, size_t size)
{
	(void)ctx;
	snprintf(why, size, "the image lacks the binder");
	return -ENOENT;
}

static void load(struct vb_journal *j)
{
	struct vb_journal_damage d;
	int err = vb_state_load(&root, j, &d);

	CHECK(err == 0 || err == -ENOENT);
	if (err == -EBADMSG)
		vb_journal_damage_free(&d);
}

static void check_apply(void)
{
	struct vb_changeset *cs = vb_changeset_new(&engine, VB_OP_CONFIGURE);
	struct vb_journal j;
	char why[256];

	load(&j);
	CHECK(j.ndone == 0 && !j.open);
	CHECK(vb_changeset_put(cs, "/etc/conf", "new\n", 4, 0644, NULL) == 0);
	CHECK(vb_changeset_put(cs, "/etc/modprobe.d/vfio.conf", "softdep x pre: vfio-pci\n", 24, 0644,
			       NULL) == 0);
	CHECK(vb_changeset_put(cs, "/etc/same", "same\n", 5, 0644, NULL) == 0);
	CHECK(vb_changeset_put(cs, "relative", "x", 1, 0644, NULL) == -EINVAL);
	/* Two files and the directory one needs; the third is as it should be. */
	CHECK(vb_changeset_changes(cs) == 3);
	CHECK(vb_changeset_count(cs) == 4);
	CHECK_STR(vb_step_action(vb_changeset_step(cs, 0)), "modify");
	CHECK_STR(vb_step_action(vb_changeset_step(cs, 1)), "mkdir");
	CHECK_STR(vb_step_action(vb_changeset_step(cs, 2)), "create");
	CHECK_STR(vb_step_action(vb_changeset_step(cs, 3)), "unchanged");
	CHECK(vb_changeset_apply(cs, &j, why, sizeof(why)) == 0);
	CHECK_STR(bytes("etc/conf"), "new\n");
	CHECK(mode_of("etc/conf") == 0600); /* an existing file keeps its mode */
	CHECK_STR(bytes("etc/modprobe.d/vfio.conf"), "softdep x pre: vfio-pci\n");
	CHECK(j.ndone == 3 && !j.open);
	CHECK(vb_changeset_step(cs, 0)->state == VB_STEP_DONE);
	vb_changeset_free(cs);
	vb_journal_free(&j);
	/* What is stored reads back the same. */
	load(&j);
	CHECK(j.ndone == 3 && !j.open);
	vb_journal_free(&j);
}

static void check_rollback(void)
{
	struct vb_changeset *cs = vb_changeset_new(&engine, VB_OP_CONFIGURE);
	struct vb_journal j;
	char why[256];

	load(&j);
	problems = 0;
	CHECK(vb_changeset_put(cs, "/etc/conf", "newer\n", 6, 0644, NULL) == 0);
	CHECK(vb_changeset_put(cs, "/etc/deep/er/file", "x\n", 2, 0644, NULL) == 0);
	CHECK(vb_changeset_put(cs, "/etc/modprobe.d/vfio.conf", NULL, 0, 0, NULL) == 0);
	CHECK(vb_changeset_verify(cs, "image", failing_check, NULL) == 0);
	CHECK(vb_changeset_apply(cs, &j, why, sizeof(why)) == -ENOENT);
	CHECK(strstr(why, "the image lacks the binder") != NULL);
	CHECK(problems == 1);
	/* Every file back byte for byte, the directories it made gone, the record as before. */
	CHECK_STR(bytes("etc/conf"), "new\n");
	CHECK_STR(bytes("etc/modprobe.d/vfio.conf"), "softdep x pre: vfio-pci\n");
	CHECK(!exists("etc/deep"));
	CHECK(j.ndone == 3 && !j.open);
	CHECK(vb_changeset_step(cs, 0)->state == VB_STEP_UNDONE);
	vb_changeset_free(cs);
	vb_journal_free(&j);
	load(&j);
	CHECK(j.ndone == 3 && !j.open);
	vb_journal_free(&j);
}

/* A run that died: its changeset in the journal, as the disk shows it. */
static void interrupted(enum vb_step_state first, enum vb_step_state second, const char *now)
{
	struct vb_journal j;
	struct vb_step s = { .kind = VB_STEP_FILE, .path = strdup("/etc/conf") };

	load(&j);
	j.open = true;
	j.op = VB_OP_CONFIGURE;
	j.started = 1;
	s.state = first;
	vb_file_state_set(&s.old, "new\n", 4, 0600, getuid(), getgid(), true);
	vb_file_state_set(&s.new, "crashed\n", 8, 0600, getuid(), getgid(), false);
	CHECK(vb_steps_append(&j.steps, &j.nsteps, &s) == 0);
	vb_step_free(&s);
	s = (struct vb_step){ .kind = VB_STEP_MKDIR, .state = second, .path = strdup("/etc/made") };
	CHECK(vb_steps_append(&j.steps, &j.nsteps, &s) == 0);
	vb_step_free(&s);
	CHECK(vb_state_store(&root, &j) == 0);
	vb_journal_free(&j);
	put("etc/conf", now, 0600);
	/* A temporary file the crash left beside it. */
	put("etc/.conf.vfio-boot-new", "half", 0600);
}

static void check_recover(void)
{
	struct vb_journal j;

	/* Rolled back: the file it wrote gets its old bytes, the temporary file goes. */
	interrupted(VB_STEP_DONE, VB_STEP_STARTED, "crashed\n");
	mkdir(at("etc/made"), 0755);
	load(&j);
	CHECK(j.open && j.nsteps == 2);
	CHECK(vb_changeset_recover(&engine, &j) == 0);
	CHECK(!j.open && j.ndone == 3);
	vb_journal_free(&j);
	CHECK_STR(bytes("etc/conf"), "new\n");
	CHECK(!exists("etc/.conf.vfio-boot-new"));
	CHECK(!exists("etc/made"));
	load(&j);
	CHECK(!j.open && j.ndone == 3);
	vb_journal_free(&j);

	/* Every step done: finished, and recorded as configured. */
	interrupted(VB_STEP_DONE, VB_STEP_DONE, "crashed\n");
	mkdir(at("etc/made"), 0755);
	load(&j);
	CHECK(vb_changeset_recover(&engine, &j) == 1);
	CHECK(!j.open && j.ndone == 5);
	vb_journal_free(&j);
	CHECK_STR(bytes("etc/conf"), "crashed\n");
	CHECK(exists("etc/made"));
	rmdir(at("etc/made"));

	/* Someone else changed the file meanwhile: it is left, and the journal keeps the step. */
	put("etc/conf", "new\n", 0600);
	load(&j);
	while (j.ndone > 3)
		vb_step_free(&j.done[--j.ndone]);
	CHECK(vb_state_store(&root, &j) == 0);
	vb_journal_free(&j);
	interrupted(VB_STEP_DONE, VB_STEP_PENDING, "the admin's\n");
	problems = 0;
	load(&j);
	CHECK(vb_changeset_recover(&engine, &j) == -EIO);
	CHECK(j.open && j.undoing);
	CHECK(problems == 2);
	vb_journal_free(&j);
	CHECK_STR(bytes("etc/conf"), "the admin's\n");
	load(&j);
	CHECK(j.open && j.undoing);
	vb_journal_free(&j);
	/* Put right by hand: the next run finishes the rollback. */
	put("etc/conf", "new\n", 0600);
	load(&j);
	CHECK(vb_changeset_recover(&engine, &j) == 0);
	CHECK(!j.open);
	vb_journal_free(&j);
}

static void check_link(void)
{
	struct vb_changeset *cs = vb_changeset_new(&engine, VB_OP_CONFIGURE);
	struct vb_journal j;
	char why[256], target[PATH_MAX];
	ssize_t n;

	put("etc/real", "old\n", 0644);
	CHECK(symlink("/etc/real", at("etc/link")) == 0);
	load(&j);
	CHECK(vb_changeset_put(cs, "/etc/link", "edited\n", 7, 0644, NULL) == 0);
	CHECK(vb_changeset_apply(cs, &j, why, sizeof(why)) == 0);
	n = readlink(at("etc/link"), target, sizeof(target) - 1);
	CHECK(n == 9 && memcmp(target, "/etc/real", 9) == 0);
	CHECK_STR(bytes("etc/real"), "edited\n");
	vb_changeset_free(cs);
	vb_journal_free(&j);
}

/* A changeset that puts text into path, or fails at a check after it. */
static int apply_one(const char *path, const char *text, bool fail, char *why, size_t size,
		     enum vb_step_state *state)
{
	struct vb_changeset *cs = vb_changeset_new(&engine, VB_OP_CONFIGURE);
	struct vb_journal j;
	int err;

	load(&j);
	err = j.open ? -EALREADY : 0; /* a changeset left under way: a wedged tree */
	if (err == 0)
		err = vb_changeset_put(cs, path, text, strlen(text), 0644, NULL);
	if (err == 0 && fail)
		err = vb_changeset_verify(cs, "image", failing_check, NULL);
	if (err == 0)
		err = vb_changeset_apply(cs, &j, why, size);
	for (size_t i = 0; state && i < vb_changeset_count(cs); i++)
		if (vb_changeset_step(cs, i)->kind == VB_STEP_FILE)
			*state = vb_changeset_step(cs, i)->state;
	vb_changeset_free(cs);
	vb_journal_free(&j);
	return err;
}

/* The journal as stored: no changeset under way, n steps recorded. */
static bool journal_clean(size_t n)
{
	struct vb_journal j;
	bool clean;

	load(&j);
	clean = !j.open && j.ndone == n;
	vb_journal_free(&j);
	return clean;
}

static size_t ndone(void)
{
	struct vb_journal j;
	size_t n;

	load(&j);
	n = j.ndone;
	vb_journal_free(&j);
	return n;
}

/* A file edited by someone else between planning and doing: caught, nothing wedged. */
static int admins_edit(void *ctx, char *why, size_t size)
{
	(void)why;
	(void)size;
	put(ctx, "the admin's edit\n", 0644);
	return 0;
}

static void check_unchanged_needs_no_undo(void)
{
	struct vb_changeset *cs = vb_changeset_new(&engine, VB_OP_CONFIGURE);
	size_t before = ndone();
	struct vb_journal j;
	char why[256];
	struct stat st;

	put("etc/grub", "GRUB_CMDLINE_LINUX_DEFAULT=quiet\n", 0644);
	load(&j);
	problems = 0;
	/* A file made first, then the admin edits grub, then configure's grub step. */
	CHECK(vb_changeset_put(cs, "/etc/new-file", "x\n", 2, 0644, NULL) == 0);
	CHECK(vb_changeset_verify(cs, "edit", admins_edit, (void *)"etc/grub") == 0);
	CHECK(vb_changeset_put(cs, "/etc/grub", "GRUB_CMDLINE_LINUX_DEFAULT=iommu\n", 33, 0644,
			       NULL) == 0);
	CHECK(vb_changeset_apply(cs, &j, why, sizeof(why)) == -EBUSY);
	CHECK(strstr(why, "changed while vfio-boot was working on it") != NULL);
	/* The step changed nothing: nothing to undo, so the rollback is whole. */
	CHECK(vb_changeset_step(cs, 2)->state == VB_STEP_UNDONE);
	CHECK(vb_changeset_step(cs, 0)->state == VB_STEP_UNDONE);
	CHECK(problems == 1);
	CHECK(!j.open && j.ndone == before);
	vb_changeset_free(cs);
	vb_journal_free(&j);
	CHECK_STR(bytes("etc/grub"), "the admin's edit\n");
	CHECK(!exists("etc/new-file"));
	CHECK(journal_clean(before));
	/* The next run proceeds from what it finds, keeping the edit. */
	CHECK(apply_one("/etc/grub", "the admin's edit\nours\n", false, why, sizeof(why), NULL) == 0);
	CHECK(journal_clean(before + 1));

	/* A directory that cannot be made (a link to nowhere): nothing changed, nothing wedged. */
	CHECK(symlink("/nowhere/modprobe.d", at("etc/dangling.d")) == 0);
	cs = vb_changeset_new(&engine, VB_OP_CONFIGURE);
	load(&j);
	problems = 0;
	CHECK(vb_changeset_put(cs, "/etc/dangling.d/vfio.conf", "x\n", 2, 0644, NULL) == 0);
	CHECK_STR(vb_step_action(vb_changeset_step(cs, 0)), "mkdir");
	CHECK(vb_changeset_apply(cs, &j, why, sizeof(why)) == -ENOENT);
	CHECK(strstr(why, "cannot make directory /etc/dangling.d") != NULL);
	CHECK(vb_changeset_step(cs, 0)->state == VB_STEP_UNDONE);
	CHECK(problems == 1 && !j.open);
	vb_changeset_free(cs);
	vb_journal_free(&j);
	CHECK(journal_clean(before + 1));
	CHECK(lstat(at("etc/dangling.d"), &st) == 0 && S_ISLNK(st.st_mode));

	/* A link whose target can be made: made there, and taken back there, the link kept. */
	CHECK(symlink("/var/modprobe.d", at("etc/linked.d")) == 0);
	CHECK(apply_one("/etc/linked.d/vfio.conf", "y\n", true, why, sizeof(why), NULL) == -ENOENT);
	CHECK(!exists("var/modprobe.d") && journal_clean(before + 1));
	CHECK(apply_one("/etc/linked.d/vfio.conf", "y\n", false, why, sizeof(why), NULL) == 0);
	CHECK_STR(bytes("var/modprobe.d/vfio.conf"), "y\n");
	CHECK(journal_clean(before + 3));

	/* A directory someone else made meanwhile is not recorded as made. */
	cs = vb_changeset_new(&engine, VB_OP_CONFIGURE);
	load(&j);
	CHECK(vb_changeset_put(cs, "/etc/theirs/file", "z\n", 2, 0644, NULL) == 0);
	CHECK(mkdir(at("etc/theirs"), 0755) == 0);
	CHECK(vb_changeset_apply(cs, &j, why, sizeof(why)) == 0);
	CHECK(vb_changeset_step(cs, 0)->kind == VB_STEP_MKDIR &&
	      vb_changeset_step(cs, 0)->state == VB_STEP_SKIPPED);
	CHECK(j.ndone == before + 4 && j.done[j.ndone - 1].kind == VB_STEP_FILE);
	vb_changeset_free(cs);
	vb_journal_free(&j);
}

static bool xattr_is(const char *rel, const char *name, const char *value)
{
	char buf[64];
	ssize_t n = getxattr(at(rel), name, buf, sizeof(buf));

	return value ? n == (ssize_t)strlen(value) && memcmp(buf, value, (size_t)n) == 0 :
		       n < 0 && errno == ENODATA;
}

/* The file's attributes taken away, as a rewrite that lost them would. */
static int strip_xattrs(void *ctx, char *why, size_t size)
{
	removexattr(at(ctx), "user.label");
	snprintf(why, size, "the image lacks the binder");
	return -ENOENT;
}

static void check_xattrs(void)
{
	struct vb_changeset *cs;
	struct vb_journal j;
	char why[256];

	put("etc/labelled", "old\n", 0644);
	if (setxattr(at("etc/labelled"), "user.label", "admin", 5, 0) < 0) {
		printf("changeset: %s refuses user extended attributes (%s): skipped\n", top,
		       strerror(errno));
		return;
	}
	/* Rewritten: the attribute kept. */
	CHECK(apply_one("/etc/labelled", "new\n", false, why, sizeof(why), NULL) == 0);
	CHECK_STR(bytes("etc/labelled"), "new\n");
	CHECK(xattr_is("etc/labelled", "user.label", "admin"));
	/* Rolled back after the attribute was lost: it comes back from the journal. */
	CHECK(setxattr(at("etc/labelled"), "user.label", "second", 6, 0) == 0);
	cs = vb_changeset_new(&engine, VB_OP_CONFIGURE);
	load(&j);
	CHECK(vb_changeset_put(cs, "/etc/labelled", "newer\n", 6, 0644, NULL) == 0);
	CHECK(vb_changeset_verify(cs, "image", strip_xattrs, (void *)"etc/labelled") == 0);
	CHECK(vb_changeset_apply(cs, &j, why, sizeof(why)) == -ENOENT);
	vb_changeset_free(cs);
	vb_journal_free(&j);
	CHECK_STR(bytes("etc/labelled"), "new\n");
	CHECK(xattr_is("etc/labelled", "user.label", "second"));
	/* A run that died after its write: the rollback from the journal brings them back. */
	load(&j);
	j.open = true;
	j.started = 1;
	{
		struct vb_step s = { .kind = VB_STEP_FILE, .state = VB_STEP_STARTED,
				     .path = strdup("/etc/labelled") };

		CHECK(vb_file_state_read(&root, "/etc/labelled", &s.old) == 0);
		CHECK(s.old.xattrs_known && s.old.xattrs.count == 1);
		vb_file_state_set(&s.new, "crashed\n", 8, 0644, getuid(), getgid(), false);
		CHECK(vb_steps_append(&j.steps, &j.nsteps, &s) == 0);
		vb_step_free(&s);
	}
	CHECK(vb_state_store(&root, &j) == 0);
	vb_journal_free(&j);
	put("etc/labelled", "crashed\n", 0644); /* written, the attribute lost */
	removexattr(at("etc/labelled"), "user.label");
	load(&j);
	CHECK(vb_changeset_recover(&engine, &j) == 0);
	vb_journal_free(&j);
	CHECK_STR(bytes("etc/labelled"), "new\n");
	CHECK(xattr_is("etc/labelled", "user.label", "second"));
}

static void check_diff(void)
{
	struct vb_changeset *cs = vb_changeset_new(&engine, VB_OP_CONFIGURE);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	CHECK(vb_changeset_put(cs, "/etc/conf", "diffed\n", 7, 0644, NULL) == 0);
	CHECK(vb_changeset_put(cs, "/etc/brand-new", "hello\n", 6, 0644, NULL) == 0);
	CHECK(vb_changeset_diff(cs, out) == 0);
	fclose(out);
	CHECK(strstr(text, "--- a/etc/conf\n+++ b/etc/conf\n") != NULL);
	CHECK(strstr(text, "-new\n+diffed\n") != NULL);
	CHECK(strstr(text, "--- /dev/null\n+++ b/etc/brand-new\n") != NULL);
	free(text);
	vb_changeset_free(cs);
}

int main(void)
{
	char cmd[PATH_MAX + 16];

	if (!mkdtemp(top))
		return 1;
	mkdir(at("etc"), 0755);
	mkdir(at("var"), 0755);
	mkdir(at("var/lib"), 0755);
	put("etc/conf", "old\n", 0600);
	put("etc/same", "same\n", 0644);
	CHECK(vb_root_init(&root, top) == 0);
	engine = (struct vb_engine){ &root, &hooks, false };

	check_apply();
	check_rollback();
	check_recover();
	check_link();
	check_unchanged_needs_no_undo();
	check_xattrs();
	check_diff();

	vb_root_fini(&root);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd) != 0)
		return 1;
	return unit_report("changeset");
}
