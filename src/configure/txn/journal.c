// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A step record's body is "key value" lines in a fixed order of kinds of
 * keys, then, for a file, "data LEN" and the old bytes:
 *
 *     kind file                    state done
 *     path /etc/default/grub
 *     old 0644 0 0 SHA256          (or "old absent"; "new" alike, without data)
 *     edit grub                    added WORD, replaced-old WORD, replaced-new WORD,
 *                                  removed WORD, dropped WORD (one per line)
 *     arg WORD / undo-arg WORD     a command's words, one per line
 *     name NAME                    a verification
 *     xattrs COUNT                 the old file's extended attributes (version 2),
 *     xattr NAME VALUE             then each, name and value in hex (any bytes);
 *                                  an empty value leaves out " VALUE"
 *     data LEN\n<LEN bytes>        the old bytes, last
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "journal.h"

#define MAGIC "vfio-boot-journal"
#define VERSION 2        /* what is written */
#define VERSION_UNCHAINED 1 /* each record's checksum of its body alone; still read */
#define XATTR_NAME_MAX 255
#define XATTR_VALUE_MAX 65536

static const char *const kind_names[] = {
	[VB_STEP_MKDIR] = "mkdir",	       [VB_STEP_RMDIR] = "rmdir",
	[VB_STEP_FILE] = "file",	       [VB_STEP_COMMAND] = "command",
	[VB_STEP_REGENERATE] = "regenerate", [VB_STEP_VERIFY] = "verify",
};
static const char *const state_names[] = {
	[VB_STEP_PENDING] = "pending", [VB_STEP_STARTED] = "started", [VB_STEP_DONE] = "done",
	[VB_STEP_FAILED] = "failed",   [VB_STEP_UNDONE] = "undone",   [VB_STEP_SKIPPED] = "skipped",
};
static const char *const edit_names[] = {
	[VB_EDIT_NONE] = "none",
	[VB_EDIT_GRUB] = "grub",
	[VB_EDIT_KERNEL_CMDLINE] = "kernel-cmdline",
	[VB_EDIT_BLOCK] = "block",
};

const char *vb_step_kind_name(enum vb_step_kind kind)
{
	return kind_names[kind];
}

const char *vb_step_state_name(enum vb_step_state state)
{
	return state_names[state];
}

static int lookup(const char *const *names, size_t count, const char *name)
{
	for (size_t i = 0; i < count; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

bool vb_journal_path_ok(const char *path)
{
	const char *p = path;

	if (path[0] != '/' || strchr(path, '\n') || strlen(path) >= 4096)
		return false;
	while (*p == '/') {
		size_t len = strcspn(++p, "/");

		if (len == 0 || (len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += len;
	}
	return true;
}

/* ---------------------------------------------------------------- steps */

void vb_edit_free(struct vb_edit *e)
{
	vb_strv_free(&e->added);
	vb_strv_free(&e->replaced_old);
	vb_strv_free(&e->replaced_new);
	vb_strv_free(&e->removed);
	vb_strv_free(&e->dropped);
	e->kind = VB_EDIT_NONE;
}

void vb_step_free(struct vb_step *s)
{
	free(s->path);
	free(s->old.data);
	free(s->new.data);
	vb_xattrs_free(&s->old.xattrs);
	vb_xattrs_free(&s->new.xattrs);
	vb_edit_free(&s->edit);
	vb_strv_free(&s->argv);
	vb_strv_free(&s->undo_argv);
	free(s->name);
	memset(s, 0, sizeof(*s));
}

static int copy_msgs(struct vb_strv *to, const struct vb_strv *from)
{
	for (size_t i = 0; i < from->count; i++)
		if (vb_strv_add(to, "%s", from->items[i]) < 0)
			return -ENOMEM;
	return 0;
}

static int copy_bytes(char **to, const char *from, size_t len)
{
	*to = NULL;
	if (!from)
		return 0;
	*to = malloc(len + 1);
	if (!*to)
		return -ENOMEM;
	memcpy(*to, from, len);
	(*to)[len] = '\0';
	return 0;
}

static int copy_string(char **to, const char *from)
{
	return copy_bytes(to, from, from ? strlen(from) : 0);
}

int vb_step_copy(struct vb_step *to, const struct vb_step *from)
{
	int err = 0;

	*to = *from;
	to->path = to->name = to->old.data = to->new.data = NULL;
	memset(&to->old.xattrs, 0, sizeof(to->old.xattrs));
	memset(&to->new.xattrs, 0, sizeof(to->new.xattrs));
	memset(&to->edit, 0, sizeof(to->edit));
	memset(&to->argv, 0, sizeof(to->argv));
	memset(&to->undo_argv, 0, sizeof(to->undo_argv));
	to->edit.kind = from->edit.kind;
	err |= copy_string(&to->path, from->path);
	err |= copy_string(&to->name, from->name);
	err |= copy_bytes(&to->old.data, from->old.data, from->old.len);
	err |= copy_bytes(&to->new.data, from->new.data, from->new.len);
	err |= vb_xattrs_copy(&to->old.xattrs, &from->old.xattrs);
	err |= vb_xattrs_copy(&to->new.xattrs, &from->new.xattrs);
	err |= copy_msgs(&to->edit.added, &from->edit.added);
	err |= copy_msgs(&to->edit.replaced_old, &from->edit.replaced_old);
	err |= copy_msgs(&to->edit.replaced_new, &from->edit.replaced_new);
	err |= copy_msgs(&to->edit.removed, &from->edit.removed);
	err |= copy_msgs(&to->edit.dropped, &from->edit.dropped);
	err |= copy_msgs(&to->argv, &from->argv);
	err |= copy_msgs(&to->undo_argv, &from->undo_argv);
	if (err) {
		vb_step_free(to);
		return -ENOMEM;
	}
	return 0;
}

int vb_steps_append(struct vb_step **steps, size_t *count, const struct vb_step *s)
{
	struct vb_step *grown = realloc(*steps, (*count + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	*steps = grown;
	if (vb_step_copy(&grown[*count], s) < 0)
		return -ENOMEM;
	(*count)++;
	return 0;
}

int vb_file_state_set(struct vb_file_state *st, const char *data, size_t len, mode_t mode,
		      uid_t uid, gid_t gid, bool keep_data)
{
	free(st->data);
	vb_xattrs_free(&st->xattrs);
	memset(st, 0, sizeof(*st));
	if (!data)
		return 0;
	st->exists = true;
	st->mode = mode & 07777;
	st->uid = uid;
	st->gid = gid;
	st->len = len;
	vb_sha256_hex(data, len, st->hash);
	return keep_data ? copy_bytes(&st->data, data, len) : 0;
}

int vb_file_state_set_xattrs(struct vb_file_state *st, const struct vb_xattrs *x)
{
	int err = vb_xattrs_copy(&st->xattrs, x);

	st->xattrs_known = err == 0;
	return err;
}

bool vb_file_state_same(const struct vb_file_state *a, const struct vb_file_state *b)
{
	if (a->exists != b->exists)
		return false;
	return !a->exists || (a->mode == b->mode && strcmp(a->hash, b->hash) == 0);
}

void vb_journal_free(struct vb_journal *j)
{
	for (size_t i = 0; i < j->ndone; i++)
		vb_step_free(&j->done[i]);
	for (size_t i = 0; i < j->nsteps; i++)
		vb_step_free(&j->steps[i]);
	free(j->done);
	free(j->steps);
	memset(j, 0, sizeof(*j));
}

void vb_journal_damage_free(struct vb_journal_damage *d)
{
	vb_strv_free(&d->paths);
}

/* ---------------------------------------------------------------- writing */

static void put_words(FILE *out, const char *key, const struct vb_strv *words)
{
	for (size_t i = 0; i < words->count; i++)
		fprintf(out, "%s %s\n", key, words->items[i]);
}

static void put_state(FILE *out, const char *key, const struct vb_file_state *st)
{
	if (!st->exists)
		fprintf(out, "%s absent\n", key);
	else
		fprintf(out, "%s %04o %lu %lu %s\n", key, (unsigned)st->mode,
			(unsigned long)st->uid, (unsigned long)st->gid, st->hash);
}

static void put_hex(FILE *out, const char *bytes, size_t len)
{
	for (size_t i = 0; i < len; i++)
		fprintf(out, "%02x", (unsigned char)bytes[i]);
}

static void put_xattrs(FILE *out, const struct vb_xattrs *x)
{
	fprintf(out, "xattrs %zu\n", x->count);
	for (size_t i = 0; i < x->count; i++) {
		fputs("xattr ", out);
		put_hex(out, x->items[i].name, strlen(x->items[i].name));
		if (x->items[i].len)
			fputc(' ', out);
		put_hex(out, x->items[i].value, x->items[i].len);
		fputc('\n', out);
	}
}

static void put_step_body(FILE *out, const struct vb_step *s)
{
	fprintf(out, "kind %s\nstate %s\n", kind_names[s->kind], state_names[s->state]);
	if (s->path)
		fprintf(out, "path %s\n", s->path);
	if (s->kind == VB_STEP_FILE) {
		put_state(out, "old", &s->old);
		put_state(out, "new", &s->new);
		fprintf(out, "edit %s\n", edit_names[s->edit.kind]);
		put_words(out, "added", &s->edit.added);
		put_words(out, "replaced-old", &s->edit.replaced_old);
		put_words(out, "replaced-new", &s->edit.replaced_new);
		put_words(out, "removed", &s->edit.removed);
		put_words(out, "dropped", &s->edit.dropped);
	}
	put_words(out, "arg", &s->argv);
	put_words(out, "undo-arg", &s->undo_argv);
	if (s->name)
		fprintf(out, "name %s\n", s->name);
	if (s->kind == VB_STEP_FILE && s->old.exists && s->old.xattrs_known)
		put_xattrs(out, &s->old.xattrs);
	if (s->kind == VB_STEP_FILE && s->old.exists) {
		fprintf(out, "data %zu\n", s->old.len);
		fwrite(s->old.data, 1, s->old.len, out);
	}
}

/*
 * A record's checksum in the given format version: of the previous record's
 * (prev, "" for the first), its type and its body; version 1, of the body.
 */
static void record_sum(int version, const char *prev, const char *type, const char *body,
		       size_t len, char hex[VB_SHA256_HEX])
{
	struct vb_sha256 ctx;

	vb_sha256_init(&ctx);
	if (version != VERSION_UNCHAINED) {
		vb_sha256_update(&ctx, prev, strlen(prev));
		vb_sha256_update(&ctx, type, strlen(type));
		vb_sha256_update(&ctx, "\n", 1);
	}
	vb_sha256_update(&ctx, body, len);
	vb_sha256_final_hex(&ctx, hex);
}

/* Appends one record: the body made by fill, framed, checksummed after sum (then its own). */
static int put_record(FILE *out, const char *type, void (*fill)(FILE *, const void *),
		      const void *arg, char sum[VB_SHA256_HEX])
{
	char *body = NULL;
	size_t len = 0;
	FILE *b = open_memstream(&body, &len);

	if (!b)
		return -ENOMEM;
	fill(b, arg);
	if (fclose(b) != 0) {
		free(body);
		return -ENOMEM;
	}
	record_sum(VERSION, sum, type, body, len, sum);
	fprintf(out, MAGIC " %s %zu %s\n", type, len, sum);
	fwrite(body, 1, len, out);
	fputc('\n', out);
	free(body);
	return 0;
}

static void fill_header(FILE *out, const void *arg)
{
	(void)arg;
	fprintf(out, "version %d\n", VERSION);
}

static void fill_step(FILE *out, const void *arg)
{
	put_step_body(out, arg);
}

static void fill_changeset(FILE *out, const void *arg)
{
	const struct vb_journal *j = arg;

	fprintf(out, "op %s\nphase %s\nstarted %lld\n",
		j->op == VB_OP_CONFIGURE ? "configure" : "unconfigure",
		j->undoing ? "undoing" : "doing", j->started);
}

static void fill_end(FILE *out, const void *arg)
{
	fprintf(out, "records %zu\n", *(const size_t *)arg);
}

int vb_journal_format(const struct vb_journal *j, char **data, size_t *len)
{
	FILE *out = open_memstream(data, len);
	char sum[VB_SHA256_HEX] = "";
	size_t records = 0;
	int err;

	if (!out)
		return -ENOMEM;
	err = put_record(out, "header", fill_header, NULL, sum);
	records++;
	for (size_t i = 0; err == 0 && i < j->ndone; i++, records++)
		err = put_record(out, "step", fill_step, &j->done[i], sum);
	if (err == 0 && j->open) {
		err = put_record(out, "changeset", fill_changeset, j, sum);
		records++;
		for (size_t i = 0; err == 0 && i < j->nsteps; i++, records++)
			err = put_record(out, "step", fill_step, &j->steps[i], sum);
	}
	if (err == 0)
		err = put_record(out, "end", fill_end, &records, sum);
	if (fclose(out) != 0 && err == 0)
		err = -ENOMEM;
	if (err < 0) {
		free(*data);
		*data = NULL;
	}
	return err;
}

/* ---------------------------------------------------------------- reading */

struct cursor {
	const char *p, *end;
};

/* The next line (without its newline) as a new string; NULL at the end or without one. */
static bool next_line(struct cursor *c, const char **line, size_t *len)
{
	const char *nl = c->p < c->end ? memchr(c->p, '\n', (size_t)(c->end - c->p)) : NULL;

	if (!nl)
		return false;
	*line = c->p;
	*len = (size_t)(nl - c->p);
	c->p = nl + 1;
	return true;
}

/* Parses a decimal number that fills the whole of s. */
static bool parse_number(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (max - (unsigned)(*s - '0')) / 10)
			return false;
		v = v * 10 + (unsigned)(*s - '0');
	}
	*out = v;
	return true;
}

static bool is_hash(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n == VB_SHA256_HEX - 1 && s[n] == '\0';
}

static int parse_state(const char *value, struct vb_file_state *st)
{
	unsigned long long uid, gid;
	unsigned long mode;
	char m[8], u[24], g[24], h[VB_SHA256_HEX + 1], *end, again[128];

	memset(st, 0, sizeof(*st));
	if (strcmp(value, "absent") == 0)
		return 0;
	if (sscanf(value, "%7s %23s %23s %65s", m, u, g, h) != 4 ||
	    !parse_number(u, (uid_t)-1 - 1, &uid) || !parse_number(g, (gid_t)-1 - 1, &gid) ||
	    !is_hash(h))
		return -EBADMSG;
	mode = strtoul(m, &end, 8);
	if (*end || mode > 07777)
		return -EBADMSG;
	st->exists = true;
	st->mode = (mode_t)mode;
	st->uid = (uid_t)uid;
	st->gid = (gid_t)gid;
	memcpy(st->hash, h, VB_SHA256_HEX);
	/* One spelling only: what put_state writes. */
	snprintf(again, sizeof(again), "%04o %llu %llu %s", (unsigned)mode, uid, gid, h);
	return strcmp(again, value) == 0 ? 0 : -EBADMSG;
}

/* Every key of a step body, in the one order they come in. */
enum key {
	K_KIND, K_STATE, K_PATH, K_OLD, K_NEW, K_EDIT, K_ADDED, K_REPLACED_OLD, K_REPLACED_NEW,
	K_REMOVED, K_DROPPED, K_ARG, K_UNDO_ARG, K_NAME, K_XATTRS, K_XATTR, K_DATA, K_COUNT
};
static const char *const key_names[K_COUNT] = {
	[K_KIND] = "kind",	     [K_STATE] = "state",	[K_PATH] = "path",
	[K_OLD] = "old",	     [K_NEW] = "new",		[K_EDIT] = "edit",
	[K_ADDED] = "added",	     [K_REPLACED_OLD] = "replaced-old",
	[K_REPLACED_NEW] = "replaced-new", [K_REMOVED] = "removed",
	[K_DROPPED] = "dropped",     [K_ARG] = "arg",		[K_UNDO_ARG] = "undo-arg",
	[K_NAME] = "name",	     [K_XATTRS] = "xattrs",	[K_XATTR] = "xattr",
	[K_DATA] = "data",
};

/* Keys that may repeat: the word lists and the attributes. */
static bool repeats(int key)
{
	return (key >= K_ADDED && key <= K_UNDO_ARG) || key == K_XATTR;
}

static int step_field(struct vb_step *s, int key, const char *value)
{
	int i;

	switch (key) {
	case K_KIND:
		i = lookup(kind_names, ARRAY_SIZE(kind_names), value);
		if (i < 0)
			return -EBADMSG;
		s->kind = (enum vb_step_kind)i;
		return 0;
	case K_STATE:
		i = lookup(state_names, ARRAY_SIZE(state_names), value);
		if (i < 0)
			return -EBADMSG;
		s->state = (enum vb_step_state)i;
		return 0;
	case K_PATH:
		if (!vb_journal_path_ok(value))
			return -EBADMSG;
		return copy_string(&s->path, value);
	case K_OLD:
		return parse_state(value, &s->old);
	case K_NEW:
		return parse_state(value, &s->new);
	case K_EDIT:
		i = lookup(edit_names, ARRAY_SIZE(edit_names), value);
		if (i < 0)
			return -EBADMSG;
		s->edit.kind = (enum vb_edit_kind)i;
		return 0;
	case K_ADDED:
		return vb_strv_add(&s->edit.added, "%s", value);
	case K_REPLACED_OLD:
		return vb_strv_add(&s->edit.replaced_old, "%s", value);
	case K_REPLACED_NEW:
		return vb_strv_add(&s->edit.replaced_new, "%s", value);
	case K_REMOVED:
		return vb_strv_add(&s->edit.removed, "%s", value);
	case K_DROPPED:
		return vb_strv_add(&s->edit.dropped, "%s", value);
	case K_ARG:
		return vb_strv_add(&s->argv, "%s", value);
	case K_UNDO_ARG:
		return vb_strv_add(&s->undo_argv, "%s", value);
	case K_NAME:
		return value[0] ? copy_string(&s->name, value) : -EBADMSG;
	}
	return -EBADMSG;
}

/* Decodes len lowercase hex digits into a new buffer of len / 2 bytes (and a NUL). */
static int parse_hex(const char *text, size_t len, size_t max, char **out)
{
	static const char digits[] = "0123456789abcdef";

	*out = NULL;
	if (len % 2 || len / 2 > max)
		return -EBADMSG;
	*out = malloc(len / 2 + 1);
	if (!*out)
		return -ENOMEM;
	for (size_t i = 0; i < len; i += 2) {
		const char *hi = text[i] ? strchr(digits, text[i]) : NULL;
		const char *lo = text[i + 1] ? strchr(digits, text[i + 1]) : NULL;

		if (!hi || !lo) {
			free(*out);
			*out = NULL;
			return -EBADMSG;
		}
		(*out)[i / 2] = (char)((hi - digits) << 4 | (lo - digits));
	}
	(*out)[len / 2] = '\0';
	return 0;
}

/* "NAME VALUE" (hex; " VALUE" left out when empty) added to x. */
static int parse_xattr(const char *text, size_t len, struct vb_xattrs *x)
{
	const char *space = memchr(text, ' ', len);
	size_t nlen = space ? (size_t)(space - text) : len;
	char *name = NULL, *value = NULL;
	int err = parse_hex(text, nlen, XATTR_NAME_MAX, &name);

	if (err == 0 && space && space + 1 == text + len)
		err = -EBADMSG; /* an empty value is written without the space */
	if (err == 0)
		err = space ? parse_hex(space + 1, len - nlen - 1, XATTR_VALUE_MAX, &value) : 0;
	if (err == 0 && (!name[0] || strlen(name) != nlen / 2))
		err = -EBADMSG; /* empty, or with a NUL inside */
	if (err == 0)
		err = vb_xattrs_add(x, name, value ? value : "", space ? (len - nlen - 1) / 2 : 0);
	free(name);
	free(value);
	return err;
}

/* What each kind needs, and nothing it must not have. */
static int step_check(const struct vb_step *s, const bool seen[K_COUNT], size_t xattrs)
{
	bool file = s->kind == VB_STEP_FILE, dir = s->kind == VB_STEP_MKDIR ||
						   s->kind == VB_STEP_RMDIR;
	bool cmd = s->kind == VB_STEP_COMMAND || s->kind == VB_STEP_REGENERATE;

	if (!seen[K_KIND] || !seen[K_STATE] || (file || dir) != seen[K_PATH] ||
	    file != seen[K_OLD] || file != seen[K_NEW] || file != seen[K_EDIT] ||
	    cmd != (s->argv.count > 0) || (s->kind != VB_STEP_COMMAND && seen[K_UNDO_ARG]) ||
	    (s->kind == VB_STEP_VERIFY) != seen[K_NAME] ||
	    s->edit.replaced_old.count != s->edit.replaced_new.count ||
	    (!file && (seen[K_ADDED] || seen[K_REPLACED_OLD] || seen[K_REPLACED_NEW] ||
		       seen[K_REMOVED] || seen[K_DROPPED])) ||
	    (s->kind == VB_STEP_COMMAND && s->undo_argv.count == 0) ||
	    (file && s->old.exists != seen[K_DATA]) || (!file && seen[K_DATA]) ||
	    (file && !s->old.exists && !s->new.exists) ||
	    (seen[K_XATTRS] && !(file && s->old.exists)) || s->old.xattrs.count != xattrs)
		return -EBADMSG;
	return 0;
}

/* The old bytes: "data LEN" is followed by exactly LEN bytes, the rest of the body. */
static int parse_data(struct vb_step *s, const char *value, struct cursor *c)
{
	unsigned long long dlen;
	char hex[VB_SHA256_HEX];
	int err;

	if (!parse_number(value, VB_JOURNAL_MAX, &dlen) ||
	    dlen != (unsigned long long)(c->end - c->p) || !s->old.exists)
		return -EBADMSG;
	s->old.len = (size_t)dlen;
	err = copy_bytes(&s->old.data, c->p, s->old.len);
	c->p = c->end;
	if (err < 0)
		return err;
	vb_sha256_hex(s->old.data, s->old.len, hex);
	return strcmp(hex, s->old.hash) == 0 ? 0 : -EBADMSG;
}

static int parse_step(const char *body, size_t len, int version, struct vb_step *s)
{
	struct cursor c = { body, body + len };
	bool seen[K_COUNT] = { false };
	unsigned long long xattrs = 0;
	int last = -1, err = 0;
	const char *line;
	size_t n;

	memset(s, 0, sizeof(*s));
	while (err == 0 && next_line(&c, &line, &n)) {
		char key[16], value[4200];
		const char *space = memchr(line, ' ', n);
		size_t klen = space ? (size_t)(space - line) : n, vlen = n - klen - 1;
		int k;

		if (!space || klen >= sizeof(key) || memchr(line, '\0', n)) {
			err = -EBADMSG;
			break;
		}
		memcpy(key, line, klen);
		key[klen] = '\0';
		k = lookup(key_names, K_COUNT, key);
		/* Keys in order; only lists repeat; attributes from version 2 on. */
		if (k < 0 || k < last || (k == last && !repeats(k)) ||
		    (version == VERSION_UNCHAINED && (k == K_XATTRS || k == K_XATTR)) ||
		    (k == K_XATTR && !seen[K_XATTRS])) {
			err = -EBADMSG;
			break;
		}
		last = k;
		seen[k] = true;
		if (k == K_XATTR) {
			err = parse_xattr(space + 1, vlen, &s->old.xattrs);
			continue;
		}
		if (vlen >= sizeof(value)) {
			err = -EBADMSG;
			break;
		}
		memcpy(value, space + 1, vlen);
		value[vlen] = '\0';
		if (k == K_DATA) {
			err = seen[K_OLD] ? parse_data(s, value, &c) : -EBADMSG;
			break;
		}
		if (k == K_XATTRS) {
			char again[32];

			err = parse_number(value, 4096, &xattrs) ? 0 : -EBADMSG;
			snprintf(again, sizeof(again), "%llu", xattrs);
			if (err == 0 && strcmp(again, value) != 0)
				err = -EBADMSG; /* one spelling: no leading zeros */
			s->old.xattrs_known = true;
			continue;
		}
		err = step_field(s, k, value);
	}
	if (err == 0 && c.p != c.end)
		err = -EBADMSG;
	if (err == 0)
		err = step_check(s, seen, (size_t)xattrs);
	if (err < 0)
		vb_step_free(s);
	return err;
}

static int parse_changeset(const char *body, size_t len, struct vb_journal *j)
{
	char op[16], phase[16], *text = strndup(body, len), *again = NULL;
	long long started;
	int err = -EBADMSG;

	if (!text)
		return -ENOMEM;
	if (strlen(text) == len &&
	    sscanf(text, "op %15[a-z] phase %15[a-z] started %lld", op, phase, &started) == 3 &&
	    started >= 0 && (strcmp(op, "configure") == 0 || strcmp(op, "unconfigure") == 0) &&
	    (strcmp(phase, "doing") == 0 || strcmp(phase, "undoing") == 0)) {
		j->open = true;
		j->op = op[0] == 'c' ? VB_OP_CONFIGURE : VB_OP_UNCONFIGURE;
		j->undoing = phase[0] == 'u';
		j->started = started;
		/* One spelling only: what fill_changeset writes. */
		if (asprintf(&again, "op %s\nphase %s\nstarted %lld\n", op, phase, started) < 0)
			again = NULL;
		err = !again ? -ENOMEM : strcmp(again, text) == 0 ? 0 : -EBADMSG;
	}
	free(again);
	free(text);
	if (err < 0)
		j->open = false;
	return err;
}

/* Splits off the next record and its checksum; the reason in why when it is not whole. */
static bool next_record(struct cursor *c, char *type, size_t tsize, const char **body,
			size_t *blen, char hash[VB_SHA256_HEX + 1], char *why, size_t wsize)
{
	char header[160], again[160];
	unsigned long long len;
	const char *line;
	size_t n;

	if (!next_line(c, &line, &n) || n >= sizeof(header)) {
		snprintf(why, wsize, "cut short in a record header");
		return false;
	}
	if (memchr(line, '\0', n)) {
		snprintf(why, wsize, "not a record header");
		return false;
	}
	memcpy(header, line, n);
	header[n] = '\0';
	if (tsize < 16 ||
	    sscanf(header, MAGIC " %15[a-z] %llu %65[0-9a-f]", type, &len, hash) != 3 ||
	    !is_hash(hash) || len > VB_JOURNAL_MAX ||
	    snprintf(again, sizeof(again), MAGIC " %s %llu %s", type, len, hash) < 0 ||
	    strcmp(again, header) != 0) {
		snprintf(why, wsize, "not a record header");
		return false;
	}
	if ((unsigned long long)(c->end - c->p) < len + 1 || c->p[len] != '\n') {
		snprintf(why, wsize, "cut short");
		return false;
	}
	*body = c->p;
	*blen = (size_t)len;
	c->p += len + 1;
	return true;
}

/* The format version the header record names; 0 for none this reads. */
static int header_version(const char *type, const char *body, size_t len)
{
	char text[32];

	for (int version = VERSION_UNCHAINED; version <= VERSION; version++) {
		int n = snprintf(text, sizeof(text), "version %d\n", version);

		if (strcmp(type, "header") == 0 && len == (size_t)n && memcmp(body, text, len) == 0)
			return version;
	}
	return 0;
}

int vb_journal_parse(const char *data, size_t len, struct vb_journal *j,
		     struct vb_journal_damage *d)
{
	struct cursor c = { data, data + len };
	char sum[VB_SHA256_HEX] = "";
	size_t records = 0;
	bool ended = false;
	int err = 0, version = 0;

	memset(j, 0, sizeof(*j));
	memset(d, 0, sizeof(*d));
	while (err == 0 && !ended) {
		char type[16], text[64], hash[VB_SHA256_HEX + 1];
		const char *body;
		size_t blen;
		struct vb_step s;

		records++;
		if (c.p == c.end) {
			snprintf(d->why, sizeof(d->why), "no end record: cut short");
			err = -EBADMSG;
			break;
		}
		if (!next_record(&c, type, sizeof(type), &body, &blen, hash, d->why,
				 sizeof(d->why))) {
			err = -EBADMSG;
			break;
		}
		if (records == 1 && !(version = header_version(type, body, blen))) {
			snprintf(d->why, sizeof(d->why), "not a version %d or %d journal",
				 VERSION_UNCHAINED, VERSION);
			err = -EBADMSG;
			break;
		}
		/* Version 2: each checksum chains the one before, so order counts too. */
		record_sum(version, sum, type, body, blen, sum);
		if (strcmp(sum, hash) != 0) {
			snprintf(d->why, sizeof(d->why), "%s",
				 version == VERSION_UNCHAINED ?
					 "checksum mismatch" :
					 "checksum mismatch: a record changed, or records out of "
					 "order, missing or repeated");
			err = -EBADMSG;
			break;
		}
		if (records == 1)
			continue; /* the header, read above */
		if (strcmp(type, "step") == 0) {
			err = parse_step(body, blen, version, &s);
			if (err == 0) {
				err = j->open ? vb_steps_append(&j->steps, &j->nsteps, &s) :
						vb_steps_append(&j->done, &j->ndone, &s);
				if (err == 0 && s.kind == VB_STEP_FILE)
					err = vb_strv_add_unique(&d->paths, s.path);
				vb_step_free(&s);
			} else if (err == -EBADMSG) {
				snprintf(d->why, sizeof(d->why), "a step that does not read");
			}
		} else if (strcmp(type, "changeset") == 0 && !j->open) {
			err = parse_changeset(body, blen, j);
			if (err == -EBADMSG)
				snprintf(d->why, sizeof(d->why), "a changeset that does not read");
		} else if (strcmp(type, "end") == 0) {
			snprintf(text, sizeof(text), "records %zu\n", records - 1);
			if (blen != strlen(text) || memcmp(body, text, blen) != 0) {
				snprintf(d->why, sizeof(d->why), "records missing");
				err = -EBADMSG;
			}
			ended = true;
		} else {
			snprintf(d->why, sizeof(d->why), "an unknown record '%s'", type);
			err = -EBADMSG;
		}
	}
	if (err == 0 && c.p != c.end) {
		snprintf(d->why, sizeof(d->why), "bytes after the end record");
		err = -EBADMSG;
	}
	if (err < 0) {
		d->record = records;
		vb_journal_free(j);
	}
	if (err != -EBADMSG)
		vb_journal_damage_free(d); /* only a damaged journal has a report */
	return err;
}
