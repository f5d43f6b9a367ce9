// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The manifest, ROOT/var/lib/vfio-boot/manifest, one line per file:
 *
 *     saved MODE FILE PATH    PATH held the bytes in FILE (next to the
 *                             manifest) with octal MODE before configure
 *     absent PATH             PATH did not exist before configure
 *
 * Lines starting with '#' are comments. PATH is the rest of the line.
 * Replacing the manifest (write, fsync, rename) is what records originals:
 * saved files it does not name yet are only leftovers.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "root.h"
#include "txn.h"
#include "udiff.h"

#define STATE_DIR "var/lib/vfio-boot"
#define MANIFEST STATE_DIR "/manifest"

struct change {
	char *path;     /* as seen from the root: "/etc/default/grub" */
	bool remove;    /* path should not exist */
	char *content;  /* what it should hold, unless remove */
	size_t len;
	mode_t mode;
	bool existed;   /* on disk when recorded */
	char *old;      /* its bytes then */
	size_t oldlen;
	mode_t oldmode;
	uid_t olduid;
	gid_t oldgid;
	bool changed;   /* differs from what was on disk */
	bool applied;   /* done by the commit in progress */
};

struct vb_txn {
	const struct vb_root *root; /* borrowed */
	struct change *items;
	size_t count;
};

struct saved {
	char *path;
	char *file;     /* NULL: path did not exist */
	mode_t mode;
};

struct manifest {
	struct saved *items;
	size_t count;
};

struct vb_txn *vb_txn_new(const struct vb_root *root)
{
	struct vb_txn *txn = calloc(1, sizeof(*txn));

	if (txn)
		txn->root = root;
	return txn;
}

static void change_free(struct change *c)
{
	free(c->path);
	free(c->content);
	free(c->old);
}

void vb_txn_free(struct vb_txn *txn)
{
	if (!txn)
		return;
	for (size_t i = 0; i < txn->count; i++)
		change_free(&txn->items[i]);
	free(txn->items);
	free(txn);
}

/* True for the files the transaction keeps for itself: the manifest, orig.N. */
static bool is_own_state(const char *path)
{
	const char *name = path + strlen(STATE_DIR) + 2;

	return strncmp(path, "/" STATE_DIR "/", strlen(STATE_DIR) + 2) == 0 &&
	       (strcmp(name, "manifest") == 0 || strncmp(name, "orig.", 5) == 0 ||
		strchr(name, '/'));
}

/* Accepts "/a/b": absolute, no empty, "." or ".." part, not our own state. */
static int check_path(const char *path)
{
	const char *p = path;

	if (path[0] != '/' || strchr(path, '\n') || is_own_state(path))
		return -EINVAL;
	while (*p == '/') {
		size_t len = strcspn(++p, "/");

		if (len == 0 || strncmp(p, ".", len) == 0 || strncmp(p, "..", len) == 0)
			return -EINVAL;
		p += len;
	}
	return 0;
}

static int record(struct vb_txn *txn, const char *path, bool remove, const char *content,
		  size_t len, mode_t mode)
{
	struct change c = { .remove = remove, .len = len, .mode = mode & 07777 };
	struct stat st;
	size_t i;
	int err;

	err = check_path(path);
	if (err < 0)
		return err;
	err = vb_read_file(txn->root, path, &c.old, &c.oldlen, &st);
	if (err < 0 && err != -ENOENT && err != -ENOTDIR)
		return err;
	c.existed = err == 0;
	if (c.existed) {
		c.oldmode = st.st_mode & 07777;
		c.olduid = st.st_uid;
		c.oldgid = st.st_gid;
	}
	c.path = strdup(path);
	c.content = remove ? NULL : malloc(len + 1);
	if (!c.path || (!remove && !c.content)) {
		change_free(&c);
		return -ENOMEM;
	}
	if (!remove && len > 0)
		memcpy(c.content, content, len);
	if (!remove)
		c.content[len] = '\0';
	if (remove)
		c.changed = c.existed;
	else
		c.changed = !c.existed || c.oldlen != len || memcmp(c.old, c.content, len) != 0 ||
			    c.oldmode != c.mode;

	for (i = 0; i < txn->count && strcmp(txn->items[i].path, path) != 0; i++)
		;
	if (i == txn->count) {
		struct change *grown = realloc(txn->items, (txn->count + 1) * sizeof(*grown));

		if (!grown) {
			change_free(&c);
			return -ENOMEM;
		}
		txn->items = grown;
		txn->count++;
	} else {
		change_free(&txn->items[i]);
	}
	txn->items[i] = c;
	return 0;
}

int vb_txn_put(struct vb_txn *txn, const char *path, const char *content, size_t len,
	       mode_t mode)
{
	return record(txn, path, false, content, len, mode);
}

int vb_txn_remove(struct vb_txn *txn, const char *path)
{
	return record(txn, path, true, NULL, 0, 0);
}

size_t vb_txn_changes(const struct vb_txn *txn)
{
	size_t n = 0;

	for (size_t i = 0; i < txn->count; i++)
		n += txn->items[i].changed;
	return n;
}

size_t vb_txn_count(const struct vb_txn *txn)
{
	return txn->count;
}

const char *vb_txn_entry(const struct vb_txn *txn, size_t i, enum vb_txn_action *action)
{
	const struct change *c = &txn->items[i];

	*action = !c->changed ? VB_TXN_UNCHANGED :
		  c->remove   ? VB_TXN_REMOVE :
		  c->existed  ? VB_TXN_MODIFY :
				VB_TXN_CREATE;
	return c->path;
}

const char *vb_txn_action_name(enum vb_txn_action action)
{
	static const char *const names[] = { "unchanged", "create", "modify", "remove" };

	return names[action];
}

int vb_txn_diff(const struct vb_txn *txn, FILE *out)
{
	for (size_t i = 0; i < txn->count; i++) {
		const struct change *c = &txn->items[i];
		const char *now = c->remove ? "" : c->content;
		size_t nowlen = c->remove ? 0 : c->len;
		char a[PATH_MAX + 2], b[PATH_MAX + 2];
		int err;

		if (!c->changed)
			continue;
		if (c->existed && !c->remove && c->oldmode != c->mode)
			fprintf(out, "mode change %04o => %04o %s\n", (unsigned)c->oldmode,
				(unsigned)c->mode, c->path + 1);
		if (c->existed && !c->remove && c->oldlen == nowlen &&
		    memcmp(c->old, now, nowlen) == 0)
			continue;
		snprintf(a, sizeof(a), "a%s", c->path);
		snprintf(b, sizeof(b), "b%s", c->path);
		err = vb_udiff(out, c->existed ? a : "/dev/null", c->existed ? c->old : "",
			       c->existed ? c->oldlen : 0, c->remove ? "/dev/null" : b, now,
			       nowlen);
		if (err < 0)
			return err;
	}
	return ferror(out) ? -EIO : 0;
}

static void manifest_free(struct manifest *m)
{
	for (size_t i = 0; i < m->count; i++) {
		free(m->items[i].path);
		free(m->items[i].file);
	}
	free(m->items);
	m->items = NULL;
	m->count = 0;
}

static int manifest_add(struct manifest *m, const char *path, const char *file, mode_t mode)
{
	struct saved *grown = realloc(m->items, (m->count + 1) * sizeof(*grown));
	struct saved s = { strdup(path), file ? strdup(file) : NULL, mode };

	if (grown)
		m->items = grown;
	if (!grown || !s.path || (file && !s.file)) {
		free(s.path);
		free(s.file);
		return -ENOMEM;
	}
	m->items[m->count++] = s;
	return 0;
}

static bool manifest_has(const struct manifest *m, const char *path)
{
	for (size_t i = 0; i < m->count; i++)
		if (strcmp(m->items[i].path, path) == 0)
			return true;
	return false;
}

/* A saved file's name: "orig.N", nothing that leaves the state dir. */
static bool valid_file_name(const char *name)
{
	return strncmp(name, "orig.", 5) == 0 && name[5] && !strchr(name, '/');
}

static int parse_line(struct manifest *m, char *line)
{
	char *mode_end, *file, *path;
	unsigned long mode;

	if (line[0] == '#' || line[0] == '\0')
		return 0;
	if (strncmp(line, "absent ", 7) == 0)
		return check_path(line + 7) < 0 ? -EBADMSG : manifest_add(m, line + 7, NULL, 0);
	if (strncmp(line, "saved ", 6) != 0)
		return -EBADMSG;
	mode = strtoul(line + 6, &mode_end, 8);
	if (mode_end == line + 6 || *mode_end != ' ' || mode > 07777)
		return -EBADMSG;
	file = mode_end + 1;
	path = strchr(file, ' ');
	if (!path)
		return -EBADMSG;
	*path++ = '\0';
	if (!valid_file_name(file) || check_path(path) < 0)
		return -EBADMSG;
	return manifest_add(m, path, file, (mode_t)mode);
}

/* Returns 0, -ENOENT when there is no manifest, -EBADMSG, or -errno. */
static int manifest_load(const struct vb_root *root, struct manifest *m)
{
	char *text = NULL, *line, *next;
	size_t len;
	int err = vb_read_file(root, MANIFEST, &text, &len, NULL);

	if (err < 0)
		return err;
	if (strlen(text) != len)
		err = -EBADMSG;
	for (line = text; err == 0 && *line; line = next) {
		next = strchrnul(line, '\n');
		if (*next)
			*next++ = '\0';
		err = parse_line(m, line);
	}
	free(text);
	if (err < 0)
		manifest_free(m);
	return err;
}

/* Writes the first count entries of m; none removes the manifest. */
static int manifest_store(const struct vb_root *root, const struct manifest *m, size_t count)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	int err;

	if (count == 0) {
		err = vb_remove_file(root, MANIFEST);
		return err > 0 ? vb_fsync_parent(root, MANIFEST) : err;
	}
	out = open_memstream(&text, &len);
	if (!out)
		return -ENOMEM;
	fputs("# vfio-boot: the files as they were before configure. Do not edit.\n", out);
	for (size_t i = 0; i < count; i++) {
		const struct saved *s = &m->items[i];

		if (s->file)
			fprintf(out, "saved %04o %s %s\n", (unsigned)s->mode, s->file, s->path);
		else
			fprintf(out, "absent %s\n", s->path);
	}
	if (fclose(out) != 0) {
		free(text);
		return -ENOMEM;
	}
	err = vb_replace_file(root, MANIFEST, text, len, 0600, (uid_t)-1, (gid_t)-1);
	free(text);
	return err < 0 ? err : vb_fsync_parent(root, MANIFEST);
}

static int state_path(const char *name, char *buf, size_t size)
{
	int n = snprintf(buf, size, STATE_DIR "/%s", name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Removes the state directory when it is empty. */
static void remove_state_dir(const struct vb_root *root)
{
	if (vb_remove_dir(root, STATE_DIR) > 0)
		vb_fsync_parent(root, STATE_DIR);
}

/* Unlinks the saved files of entries from..count; best effort. */
static void unlink_saved(const struct vb_root *root, const struct manifest *m, size_t from)
{
	char path[PATH_MAX];

	for (size_t i = from; i < m->count; i++)
		if (m->items[i].file && state_path(m->items[i].file, path, sizeof(path)) == 0)
			vb_remove_file(root, path);
}

static unsigned next_file_number(const struct manifest *m)
{
	unsigned long max = 0;

	for (size_t i = 0; i < m->count; i++) {
		unsigned long n = m->items[i].file ? strtoul(m->items[i].file + 5, NULL, 10) : 0;

		max = n > max ? n : max;
	}
	return (unsigned)max + 1;
}

/*
 * Records the originals of the changed files the manifest does not know yet.
 * Returns 0 or -errno, with what failed in err.
 */
static int save_originals(struct vb_txn *txn, struct manifest *m, char *err, size_t errsize)
{
	size_t known = m->count;
	unsigned number = next_file_number(m);
	char path[PATH_MAX], name[32];
	int e = 0;

	for (size_t i = 0; i < txn->count && e == 0; i++) {
		const struct change *c = &txn->items[i];

		if (!c->changed || manifest_has(m, c->path))
			continue;
		if (!c->existed) {
			e = manifest_add(m, c->path, NULL, 0);
			continue;
		}
		snprintf(name, sizeof(name), "orig.%u", number++);
		e = vb_root_mkdir_p(txn->root, STATE_DIR);
		if (e == 0)
			e = state_path(name, path, sizeof(path));
		if (e == 0)
			e = vb_replace_file(txn->root, path, c->old, c->oldlen, 0600, (uid_t)-1,
					    (gid_t)-1);
		if (e == 0)
			e = manifest_add(m, c->path, name, c->oldmode);
		if (e < 0)
			snprintf(err, errsize, "cannot save the original of %s in /%s: %s", c->path,
				 STATE_DIR, vb_strerror(e));
	}
	if (e == 0 && m->count > known) {
		e = vb_root_mkdir_p(txn->root, STATE_DIR);
		if (e == 0)
			e = manifest_store(txn->root, m, m->count);
		if (e < 0)
			snprintf(err, errsize, "cannot write /%s: %s", MANIFEST, vb_strerror(e));
	}
	if (e < 0)
		unlink_saved(txn->root, m, known);
	return e;
}

/*
 * Makes path hold the new content (or the old one when undo). Sets *touched
 * once path changed, even when the directory fsync then fails.
 */
static int write_change(const struct vb_txn *txn, const struct change *c, bool undo,
			bool *touched)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(c->path, '/');
	int err;

	if (undo ? !c->existed : c->remove) {
		err = vb_remove_file(txn->root, c->path);
		if (err <= 0)
			return err;
		*touched = true;
		return vb_fsync_parent(txn->root, c->path);
	}
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - c->path), c->path);
	err = vb_root_mkdir_p(txn->root, dir);
	if (err < 0)
		return err;
	if (undo)
		err = vb_replace_file(txn->root, c->path, c->old, c->oldlen, c->oldmode, c->olduid,
				      c->oldgid);
	else
		err = vb_replace_file(txn->root, c->path, c->content, c->len, c->mode,
				      c->existed ? c->olduid : (uid_t)-1,
				      c->existed ? c->oldgid : (gid_t)-1);
	if (err < 0)
		return err;
	*touched = true;
	return vb_fsync_parent(txn->root, c->path);
}

/* Puts back every applied change. Returns 0, or the first error with its path. */
static int undo_applied(struct vb_txn *txn, const char **failed_path)
{
	int first = 0;

	for (size_t i = txn->count; i-- > 0;) {
		struct change *c = &txn->items[i];
		bool touched = false;
		int err;

		if (!c->applied)
			continue;
		err = write_change(txn, c, true, &touched);
		if (err == 0)
			c->applied = false;
		else if (first == 0) {
			first = err;
			*failed_path = c->path;
		}
	}
	return first;
}

int vb_txn_commit(struct vb_txn *txn, char *err, size_t errsize)
{
	struct manifest m = { 0 };
	size_t known;
	int e;

	if (!err || errsize == 0) {
		static char ignored[1];

		err = ignored;
		errsize = sizeof(ignored);
	}
	err[0] = '\0';
	if (vb_txn_changes(txn) == 0)
		return 0;
	e = manifest_load(txn->root, &m);
	if (e < 0 && e != -ENOENT) {
		snprintf(err, errsize, "cannot read /%s: %s", MANIFEST, vb_strerror(e));
		return e;
	}
	known = m.count;
	e = save_originals(txn, &m, err, errsize);

	for (size_t i = 0; i < txn->count && e == 0; i++) {
		struct change *c = &txn->items[i];
		const char *undo_path = NULL;
		int undo_err;

		if (!c->changed)
			continue;
		e = write_change(txn, c, false, &c->applied);
		if (e == 0)
			continue;
		undo_err = undo_applied(txn, &undo_path);
		if (undo_err < 0) {
			snprintf(err, errsize, "cannot %s %s: %s; putting back %s failed too: %s",
				 c->remove ? "remove" : "write", c->path, vb_strerror(e), undo_path,
				 vb_strerror(undo_err));
			break;
		}
		snprintf(err, errsize, "cannot %s %s: %s (nothing was changed)",
			 c->remove ? "remove" : "write", c->path, vb_strerror(e));
		if (m.count > known && manifest_store(txn->root, &m, known) == 0) {
			unlink_saved(txn->root, &m, known);
			if (known == 0)
				remove_state_dir(txn->root);
		}
	}
	for (size_t i = 0; i < txn->count; i++)
		txn->items[i].applied = false;
	manifest_free(&m);
	return e;
}

int vb_txn_restore_all(struct vb_txn *txn)
{
	struct manifest m = { 0 };
	char path[PATH_MAX];
	int err = manifest_load(txn->root, &m);

	for (size_t i = 0; i < m.count && err == 0; i++) {
		const struct saved *s = &m.items[i];
		char *data = NULL;
		size_t len = 0;

		if (!s->file) {
			err = vb_txn_remove(txn, s->path);
			continue;
		}
		err = state_path(s->file, path, sizeof(path));
		if (err == 0)
			err = vb_read_file(txn->root, path, &data, &len, NULL);
		if (err == -ENOENT)
			err = -EBADMSG;
		if (err < 0)
			break;
		err = vb_txn_put(txn, s->path, data, len, s->mode);
		free(data);
	}
	manifest_free(&m);
	return err;
}

int vb_txn_forget_saved(struct vb_txn *txn)
{
	struct manifest m = { 0 };
	int err = manifest_load(txn->root, &m);

	if (err == -ENOENT)
		return 0;
	if (err == 0)
		err = manifest_store(txn->root, &m, 0);
	if (err == 0) {
		unlink_saved(txn->root, &m, 0);
		remove_state_dir(txn->root);
	}
	manifest_free(&m);
	return err;
}

bool vb_txn_is_configured(const struct vb_root *root)
{
	return vb_root_exists(root, MANIFEST);
}
