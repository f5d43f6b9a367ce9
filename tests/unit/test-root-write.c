// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The write half of the root context: a file is found through the root's one
 * walk (links followed inside the tree, or not), replaced atomically with its
 * owner, mode and extended attributes (an ACL among them), removed; a
 * directory made or removed, through a link too.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "root_write.h"
#include "unit.h"

static char top[] = "/tmp/vfio-boot-test-root-write.XXXXXX";
static char tree[PATH_MAX], outside[PATH_MAX];
static struct vb_root root;

static const char *at(const char *rel)
{
	static char buf[2][PATH_MAX * 2];
	static int turn;

	turn ^= 1;
	snprintf(buf[turn], sizeof(buf[turn]), "%s/%s", tree, rel);
	return buf[turn];
}

/* The name f stands for, as "DIR-INODE/NAME" with DIR its directory's path in the tree. */
static bool located_at(const struct vb_root_file *f, const char *dir, const char *name)
{
	struct stat a, b;

	return f->dirfd >= 0 && fstat(f->dirfd, &a) == 0 && stat(at(dir), &b) == 0 &&
	       a.st_ino == b.st_ino && a.st_dev == b.st_dev && strcmp(f->name, name) == 0;
}

static void locating(void)
{
	struct vb_root_file f;

	unit_put(tree, "etc/real", "real\n");
	CHECK(symlink("real", at("etc/rel")) == 0);
	CHECK(symlink("/etc/rel", at("etc/abs")) == 0);
	CHECK(symlink("/etc/missing", at("etc/dangling")) == 0);
	CHECK(symlink(outside, at("etc/out")) == 0);
	CHECK(symlink("loop", at("etc/loop")) == 0);
	CHECK(symlink("../../../../etc", at("etc/up")) == 0);

	/* Followed, link by link, to the file they name. */
	CHECK(vb_root_locate(&root, "/etc/abs", true, &f) == 0);
	CHECK(located_at(&f, "etc", "real"));
	vb_root_file_release(&f);
	/* Not followed: the link itself. */
	CHECK(vb_root_locate(&root, "/etc/abs", false, &f) == 0);
	CHECK(located_at(&f, "etc", "abs"));
	vb_root_file_release(&f);
	/* A dangling link: where its target would be. */
	CHECK(vb_root_locate(&root, "/etc/dangling", true, &f) == 0);
	CHECK(located_at(&f, "etc", "missing"));
	vb_root_file_release(&f);
	/* A link out of the tree lands inside it; ".." stops at the top. */
	CHECK(vb_root_locate(&root, "/etc/out", true, &f) == -ENOENT);
	vb_root_file_release(&f);
	CHECK(vb_root_locate(&root, "/etc/up/real", true, &f) == 0);
	CHECK(located_at(&f, "etc", "real"));
	vb_root_file_release(&f);
	CHECK(vb_root_locate(&root, "/etc/loop", true, &f) == -ELOOP);
	CHECK(vb_root_locate(&root, "/", true, &f) == -EISDIR);
	CHECK(vb_root_locate(&root, "/etc/..", true, &f) == -EISDIR);
	CHECK(vb_root_locate(&root, "/nodir/file", true, &f) == -ENOENT);
	CHECK(f.dirfd == -1);
}

/* An ACL as the kernel stores it: user::rw- user:65534:r-- group::r-- mask::r-- other::r--. */
static size_t acl_value(char *buf)
{
	static const unsigned short tags[] = { 0x01, 0x02, 0x04, 0x10, 0x20 };
	static const unsigned short perms[] = { 6, 4, 4, 4, 4 };
	size_t len = 0;

	memcpy(buf, "\x02\0\0\0", 4); /* version 2, little-endian */
	len = 4;
	for (size_t i = 0; i < 5; i++) {
		unsigned id = tags[i] == 0x02 ? 65534 : 0xffffffffu;

		buf[len++] = (char)tags[i];
		buf[len++] = 0;
		buf[len++] = (char)perms[i];
		buf[len++] = 0;
		for (int b = 0; b < 4; b++)
			buf[len++] = (char)(id >> (8 * b));
	}
	return len;
}

static void replacing(bool xattrs_work)
{
	struct vb_xattrs x = { 0 }, back = { 0 };
	struct vb_root_meta meta;
	struct vb_root_file f;
	struct stat st;
	char acl[64], *data = NULL;
	size_t acl_len = acl_value(acl), len = 0;
	int err;

	unit_put(tree, "etc/real", "old\n");
	chmod(at("etc/real"), 0600);
	CHECK(vb_root_locate(&root, "/etc/abs", true, &f) == 0);
	/* What a crash left, even a FIFO, is replaced, never opened. */
	CHECK(mkfifo(at("etc/.real.vfio-boot-new"), 0600) == 0);
	CHECK(vb_xattrs_add(&x, "user.kept", "value", 5) == 0);
	CHECK(vb_xattrs_add(&x, "system.posix_acl_access", acl, acl_len) == 0);
	/* The mode as the ACL has it (a chmod sets the ACL's mask and other entries). */
	meta = (struct vb_root_meta){ 0644, (uid_t)-1, (gid_t)-1, xattrs_work ? &x : NULL };
	err = vb_root_replace(&f, "new\n", 4, &meta, vb_root_set_meta);
	CHECK(err == 0);
	CHECK_STR(unit_file_text(at("etc/real")), "new\n");
	CHECK(lstat(at("etc/abs"), &st) == 0 && S_ISLNK(st.st_mode)); /* the links stay */
	CHECK(lstat(at("etc/.real.vfio-boot-new"), &st) < 0 && errno == ENOENT);
	CHECK(stat(at("etc/real"), &st) == 0 && (st.st_mode & 07777) == 0644);
	if (xattrs_work) {
		char value[64];
		ssize_t n = getxattr(at("etc/real"), "user.kept", value, sizeof(value));

		CHECK(n == 5 && memcmp(value, "value", 5) == 0);
		n = getxattr(at("etc/real"), "system.posix_acl_access", value, sizeof(value));
		CHECK(n == (ssize_t)acl_len && memcmp(value, acl, acl_len) == 0);
		/* Read back with the bytes. */
		CHECK(vb_root_file_read(&f, 1024, &data, &len, NULL, &back) == 0);
		CHECK(len == 4 && back.count == 2);
		for (size_t i = 0; i < back.count; i++)
			CHECK(strcmp(back.items[i].name, "user.kept") == 0 ?
				      back.items[i].len == 5 :
				      back.items[i].len == acl_len);
		free(data);
		vb_xattrs_free(&back);
		/* An attribute that cannot be set: the file untouched, no temporary file. */
		CHECK(vb_xattrs_add(&x, "nonamespace", "x", 1) == 0);
		meta.mode = 0640;
		err = vb_root_replace(&f, "newer\n", 6, &meta, vb_root_set_meta);
		CHECK(err < 0);
		CHECK_STR(unit_file_text(at("etc/real")), "new\n");
		CHECK(lstat(at("etc/.real.vfio-boot-new"), &st) < 0 && errno == ENOENT);
	}
	vb_xattrs_free(&x);
	/* Not a regular file: not read. */
	vb_root_file_release(&f);
	CHECK(mkfifo(at("etc/fifo"), 0600) == 0);
	CHECK(vb_root_locate(&root, "/etc/fifo", true, &f) == 0);
	CHECK(vb_root_file_read(&f, 1024, &data, &len, NULL, NULL) == -VB_EFILETYPE);
	vb_root_file_release(&f);
	/* Removed once; then absent. */
	CHECK(vb_root_locate(&root, "/etc/rel", true, &f) == 0);
	CHECK(vb_root_remove(&f) == 1);
	CHECK(vb_root_remove(&f) == 0);
	CHECK(vb_root_file_read(&f, 1024, &data, &len, NULL, NULL) == -ENOENT);
	vb_root_file_release(&f);
	/* Not followed: the link is replaced, its target left alone. */
	unit_put(tree, "etc/real", "target\n");
	CHECK(symlink("real", at("etc/status")) == 0);
	CHECK(vb_root_locate(&root, "/etc/status", false, &f) == 0);
	/* Without set_meta, made with the mode as the umask leaves it. */
	umask(027);
	meta = (struct vb_root_meta){ 0644, (uid_t)-1, (gid_t)-1, NULL };
	CHECK(vb_root_replace(&f, "{}\n", 3, &meta, NULL) == 0);
	umask(022);
	CHECK(lstat(at("etc/status"), &st) == 0 && S_ISREG(st.st_mode) &&
	      (st.st_mode & 07777) == 0640);
	CHECK_STR(unit_file_text(at("etc/real")), "target\n");
	vb_root_file_release(&f);
}

static void directories(void)
{
	struct stat st;

	CHECK(vb_root_mkdir(&root, "/etc/made", 0755) == 1);
	CHECK(vb_root_mkdir(&root, "/etc/made", 0755) == 0);
	CHECK(vb_root_mkdir(&root, "/etc/real", 0755) == -EEXIST);
	CHECK(vb_root_mkdir(&root, "/nodir/x", 0755) == -ENOENT);
	CHECK(vb_root_rmdir(&root, "/etc/made") == 1);
	CHECK(vb_root_rmdir(&root, "/etc/made") == 0);
	CHECK(vb_root_rmdir(&root, "/etc/real") == 0); /* not a directory: left */
	/* Through a dangling link: its target is made, and removed, the link stays. */
	CHECK(mkdir(at("srv"), 0755) == 0);
	CHECK(symlink("/srv/modprobe.d", at("etc/modprobe.d")) == 0);
	CHECK(vb_root_mkdir(&root, "/etc/modprobe.d", 0755) == 1);
	CHECK(stat(at("srv/modprobe.d"), &st) == 0 && S_ISDIR(st.st_mode));
	unit_put(tree, "srv/modprobe.d/x.conf", "x\n");
	CHECK(vb_root_rmdir(&root, "/etc/modprobe.d") == 0); /* not empty */
	unlink(at("srv/modprobe.d/x.conf"));
	CHECK(vb_root_rmdir(&root, "/etc/modprobe.d") == 1);
	CHECK(lstat(at("srv/modprobe.d"), &st) < 0 && errno == ENOENT);
	CHECK(lstat(at("etc/modprobe.d"), &st) == 0 && S_ISLNK(st.st_mode));
	/* A link whose target's directory is missing: nothing to make it in. */
	CHECK(symlink("/nowhere/modprobe.d", at("etc/nowhere.d")) == 0);
	CHECK(vb_root_mkdir(&root, "/etc/nowhere.d", 0755) == -ENOENT);
	CHECK(vb_root_rmdir(&root, "/etc/nowhere.d") == 0);
}

int main(void)
{
	char cmd[PATH_MAX + 16];
	bool xattrs_work;

	if (!mkdtemp(top))
		return 1;
	snprintf(tree, sizeof(tree), "%s/tree", top);
	snprintf(outside, sizeof(outside), "%s/outside", top);
	mkdir(tree, 0755);
	mkdir(outside, 0755);
	mkdir(at("etc"), 0755);
	unit_put(tree, "etc/probe", "");
	xattrs_work = setxattr(at("etc/probe"), "user.probe", "1", 1, 0) == 0;
	if (!xattrs_work)
		printf("root-write: %s refuses user extended attributes (%s): those checks skipped\n",
		       top, strerror(errno));
	CHECK(vb_root_init(&root, tree) == 0);

	locating();
	replacing(xattrs_work);
	directories();

	vb_root_fini(&root);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd) != 0)
		return 1;
	return unit_report("root-write");
}
