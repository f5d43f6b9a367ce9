// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The journal format: what is written reads back the same, extended
 * attributes included; a journal cut short anywhere, with any one byte
 * changed, or with its records swapped, dropped or repeated, never reads; a
 * version 1 journal still reads.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "journal.h"
#include "unit.h"

static const char old_grub[] = "GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n\0binary\xff";

static void file_step(struct vb_step *s, const char *path, const char *old, size_t oldlen,
		      const char *now, enum vb_step_state state)
{
	memset(s, 0, sizeof(*s));
	s->kind = VB_STEP_FILE;
	s->state = state;
	s->path = strdup(path);
	CHECK(vb_file_state_set(&s->old, old, oldlen, 0644, 0, 0, true) == 0);
	CHECK(vb_file_state_set(&s->new, now, now ? strlen(now) : 0, 0600, 1000, 100, false) == 0);
}

static void make_journal(struct vb_journal *j)
{
	struct vb_step s;

	memset(j, 0, sizeof(*j));
	file_step(&s, "/etc/default/grub", old_grub, sizeof(old_grub) - 1, "new", VB_STEP_DONE);
	/* An SELinux label, a binary value with a NUL, an empty one. */
	CHECK(vb_xattrs_add(&s.old.xattrs, "security.selinux", "system_u:object_r:etc_t:s0", 27) == 0);
	CHECK(vb_xattrs_add(&s.old.xattrs, "user.bin", "\0\xff\n ", 4) == 0);
	CHECK(vb_xattrs_add(&s.old.xattrs, "user.empty", "", 0) == 0);
	s.old.xattrs_known = true;
	s.edit.kind = VB_EDIT_GRUB;
	vb_strv_add(&s.edit.added, "intel_iommu=on");
	vb_strv_add(&s.edit.replaced_old, "iommu=soft iommu=off");
	vb_strv_add(&s.edit.replaced_new, "iommu=pt");
	vb_strv_add(&s.edit.removed, "foo=\"a b\"");
	vb_strv_add(&s.edit.dropped, "vfio-pci.ids=10de:2504,10de:228e");
	vb_strv_add(&s.edit.dropped, "\"vfio_pci.ids=1234:5678\"");
	CHECK(vb_steps_append(&j->done, &j->ndone, &s) == 0);
	vb_step_free(&s);
	file_step(&s, "/etc/vfio-boot.conf", NULL, 0, "10de:2504\n", VB_STEP_DONE);
	CHECK(vb_steps_append(&j->done, &j->ndone, &s) == 0);
	vb_step_free(&s);
	s = (struct vb_step){ .kind = VB_STEP_MKDIR, .state = VB_STEP_DONE, .path = strdup("/etc/x") };
	CHECK(vb_steps_append(&j->done, &j->ndone, &s) == 0);
	vb_step_free(&s);
	s = (struct vb_step){ .kind = VB_STEP_COMMAND, .state = VB_STEP_DONE };
	vb_strv_add(&s.argv, "grubby");
	vb_strv_add(&s.argv, "--args");
	vb_strv_add(&s.argv, "intel_iommu=on iommu=pt");
	vb_strv_add(&s.undo_argv, "grubby");
	vb_strv_add(&s.undo_argv, "%s", "");
	CHECK(vb_steps_append(&j->done, &j->ndone, &s) == 0);
	vb_step_free(&s);

	j->open = true;
	j->op = VB_OP_UNCONFIGURE;
	j->undoing = true;
	j->started = 1700000000;
	file_step(&s, "/etc/vfio-boot.conf", "10de:2504\n", 10, NULL, VB_STEP_STARTED);
	s.old.xattrs_known = true; /* none */
	CHECK(vb_steps_append(&j->steps, &j->nsteps, &s) == 0);
	vb_step_free(&s);
	s = (struct vb_step){ .kind = VB_STEP_REGENERATE, .state = VB_STEP_FAILED };
	vb_strv_add(&s.argv, "update-initramfs");
	CHECK(vb_steps_append(&j->steps, &j->nsteps, &s) == 0);
	vb_step_free(&s);
	s = (struct vb_step){ .kind = VB_STEP_VERIFY, .state = VB_STEP_PENDING,
			      .name = strdup("image") };
	CHECK(vb_steps_append(&j->steps, &j->nsteps, &s) == 0);
	vb_step_free(&s);
}

static void check_round_trip(void)
{
	struct vb_journal j, back;
	struct vb_journal_damage d;
	char *text = NULL, *again = NULL;
	size_t len = 0, alen = 0;

	make_journal(&j);
	CHECK(vb_journal_format(&j, &text, &len) == 0);
	CHECK(vb_journal_parse(text, len, &back, &d) == 0);
	CHECK(back.ndone == 4 && back.nsteps == 3 && back.open && back.undoing);
	CHECK(back.op == VB_OP_UNCONFIGURE && back.started == 1700000000);
	if (back.ndone == 4 && back.nsteps == 3) {
		const struct vb_step *g = &back.done[0];

		CHECK_STR(g->path, "/etc/default/grub");
		CHECK(g->old.exists && g->old.len == sizeof(old_grub) - 1 &&
		      memcmp(g->old.data, old_grub, g->old.len) == 0);
		CHECK(g->old.mode == 0644 && g->new.mode == 0600 && g->new.uid == 1000 &&
		      g->new.gid == 100 && g->new.data == NULL);
		CHECK(g->edit.kind == VB_EDIT_GRUB);
		CHECK(g->old.xattrs_known && g->old.xattrs.count == 3 && !g->new.xattrs_known);
		if (g->old.xattrs.count == 3) {
			CHECK_STR(g->old.xattrs.items[0].name, "security.selinux");
			CHECK(g->old.xattrs.items[0].len == 27 &&
			      memcmp(g->old.xattrs.items[0].value, "system_u:object_r:etc_t:s0", 27) == 0);
			CHECK(g->old.xattrs.items[1].len == 4 &&
			      memcmp(g->old.xattrs.items[1].value, "\0\xff\n ", 4) == 0);
			CHECK_STR(g->old.xattrs.items[2].name, "user.empty");
			CHECK(g->old.xattrs.items[2].len == 0);
		}
		CHECK(!back.done[1].old.exists && !back.done[1].old.xattrs_known);
		CHECK(back.steps[0].old.xattrs_known && back.steps[0].old.xattrs.count == 0);
		CHECK_STR(g->edit.replaced_old.items[0], "iommu=soft iommu=off");
		CHECK_STR(g->edit.removed.items[0], "foo=\"a b\"");
		/* A guide's leftovers taken out: each word, in order. */
		CHECK(g->edit.dropped.count == 2);
		CHECK_STR(g->edit.dropped.items[0], "vfio-pci.ids=10de:2504,10de:228e");
		CHECK_STR(g->edit.dropped.items[1], "\"vfio_pci.ids=1234:5678\"");
		CHECK(!back.done[1].old.exists && back.done[1].new.exists);
		CHECK(back.done[2].kind == VB_STEP_MKDIR);
		CHECK_STR(back.done[3].argv.items[2], "intel_iommu=on iommu=pt");
		CHECK(back.done[3].undo_argv.count == 2 && back.done[3].undo_argv.items[1][0] == '\0');
		CHECK(back.steps[0].state == VB_STEP_STARTED && !back.steps[0].new.exists);
		CHECK(back.steps[1].state == VB_STEP_FAILED);
		CHECK_STR(back.steps[2].name, "image");
	}
	/* Written again, byte for byte the same. */
	CHECK(vb_journal_format(&back, &again, &alen) == 0);
	CHECK(alen == len && memcmp(again, text, len) == 0);
	free(text);
	free(again);
	vb_journal_free(&back);
	vb_journal_free(&j);
}

static void check_damage(void)
{
	struct vb_journal j, back;
	struct vb_journal_damage d;
	char *text = NULL;
	size_t len = 0, cut_ok = 0, flip_ok = 0;

	make_journal(&j);
	CHECK(vb_journal_format(&j, &text, &len) == 0);
	/* Cut short anywhere: never read. */
	for (size_t n = 0; n < len; n++) {
		int err = vb_journal_parse(text, n, &back, &d);

		cut_ok += err == -EBADMSG && d.record > 0 && d.why[0];
		if (err == 0)
			vb_journal_free(&back);
		vb_journal_damage_free(&d);
	}
	CHECK(cut_ok == len);
	/* Any one byte changed: never read. */
	for (size_t i = 0; i < len; i++) {
		int err;

		text[i] ^= 0x01;
		err = vb_journal_parse(text, len, &back, &d);
		flip_ok += err == -EBADMSG;
		if (err == 0)
			vb_journal_free(&back);
		vb_journal_damage_free(&d);
		text[i] ^= 0x01;
	}
	CHECK(flip_ok == len);
	/* The damage report names the files the intact records cover. */
	CHECK(vb_journal_parse(text, len - 3, &back, &d) == -EBADMSG);
	CHECK(d.paths.count == 2);
	if (d.paths.count == 2) {
		CHECK_STR(d.paths.items[0], "/etc/default/grub");
		CHECK_STR(d.paths.items[1], "/etc/vfio-boot.conf");
	}
	CHECK(strstr(d.why, "cut short") != NULL);
	vb_journal_damage_free(&d);
	/* Bytes after the end, and an empty file. */
	text = realloc(text, len + 2);
	memcpy(text + len, "x\n", 2);
	CHECK(vb_journal_parse(text, len + 2, &back, &d) == -EBADMSG);
	CHECK(strstr(d.why, "after the end") != NULL);
	vb_journal_damage_free(&d);
	CHECK(vb_journal_parse("", 0, &back, &d) == -EBADMSG);
	vb_journal_damage_free(&d);
	free(text);
	vb_journal_free(&j);
}

/* Where each record of text begins (at most max), and how many there are. */
static size_t split_records(const char *text, size_t len, size_t *at, size_t max)
{
	size_t n = 0, pos = 0;

	while (pos < len && n < max) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		unsigned long blen;

		if (!nl || sscanf(text + pos, "vfio-boot-journal %*s %lu", &blen) != 1)
			break;
		at[n++] = pos;
		pos = (size_t)(nl - text) + 1 + blen + 1;
	}
	return n;
}

/* text with its records in the order given (indexes into at; n of them) into out. */
static size_t reorder(const char *text, size_t len, const size_t *at, size_t count,
		      const size_t *order, size_t n, char *out)
{
	size_t olen = 0;

	for (size_t i = 0; i < n; i++) {
		size_t from = at[order[i]], to = order[i] + 1 < count ? at[order[i] + 1] : len;

		memcpy(out + olen, text + from, to - from);
		olen += to - from;
	}
	return olen;
}

/* Every record whole, in an order it was not written in: never read. */
static void check_order(void)
{
	/* Records: header, 4 done steps, changeset, 3 steps, end (0..9). */
	static const size_t swapped[] = { 0, 2, 1, 3, 4, 5, 6, 7, 8, 9 };
	static const size_t dropped[] = { 0, 1, 2, 3, 4, 5, 6, 8, 9 };
	static const size_t repeated[] = { 0, 1, 1, 3, 4, 5, 6, 7, 8, 9 }; /* the count holds */
	static const size_t moved[] = { 0, 1, 2, 3, 5, 4, 6, 7, 8, 9 };  /* a step into the run */
	static const struct {
		const size_t *order;
		size_t n;
	} cases[] = { { swapped, 10 }, { dropped, 9 }, { repeated, 10 }, { moved, 10 } };
	struct vb_journal j, back;
	struct vb_journal_damage d;
	size_t at[16], count;
	char *text = NULL, *out;
	size_t len = 0;

	make_journal(&j);
	CHECK(vb_journal_format(&j, &text, &len) == 0);
	count = split_records(text, len, at, 16);
	CHECK(count == 10);
	out = malloc(len * 2);
	for (size_t c = 0; count == 10 && out && c < ARRAY_SIZE(cases); c++) {
		size_t olen = reorder(text, len, at, count, cases[c].order, cases[c].n, out);
		int err = vb_journal_parse(out, olen, &back, &d);

		CHECK(err == -EBADMSG);
		if (err == 0)
			vb_journal_free(&back);
		CHECK(err != -EBADMSG || strstr(d.why, "out of order") || strstr(d.why, "missing"));
		vb_journal_damage_free(&d);
	}
	free(out);
	free(text);
	vb_journal_free(&j);
}

/* A version 1 journal (each checksum of its body alone) still reads. */
static void check_version_1(void)
{
	static const char *const bodies[][2] = {
		{ "header", "version 1\n" },
		{ "step", "kind file\nstate done\npath /etc/x\nold 0644 0 0 "
			  "01d09d19c2139a46aebfb577780d123d7396e97201bc7ead210a2ebff8239dee\n"
			  "new 0644 0 0 "
			  "01d09d19c2139a46aebfb577780d123d7396e97201bc7ead210a2ebff8239dee\n"
			  "edit none\ndata 4\nold\n" },
		{ "step", "kind mkdir\nstate done\npath /etc/d\n" },
		{ "end", "records 3\n" },
	};
	char text[2048], hex[VB_SHA256_HEX], *again = NULL;
	struct vb_journal j;
	struct vb_journal_damage d;
	size_t len = 0, alen = 0;
	int err;

	for (size_t i = 0; i < 4; i++) {
		vb_sha256_hex(bodies[i][1], strlen(bodies[i][1]), hex);
		len += (size_t)snprintf(text + len, sizeof(text) - len, "vfio-boot-journal %s %zu %s\n%s\n",
					bodies[i][0], strlen(bodies[i][1]), hex, bodies[i][1]);
	}
	err = vb_journal_parse(text, len, &j, &d);
	CHECK(err == 0);
	if (err != 0) {
		fprintf(stderr, "version 1: %s\n", d.why);
		vb_journal_damage_free(&d);
		return;
	}
	CHECK(j.ndone == 2 && j.done[0].old.exists && j.done[0].old.len == 4);
	CHECK(!j.done[0].old.xattrs_known); /* version 1 did not keep them */
	/* Written again as version 2, unknown attributes still unknown. */
	CHECK(vb_journal_format(&j, &again, &alen) == 0);
	CHECK(strstr(again, "version 2\n") != NULL && strstr(again, "xattrs") == NULL);
	vb_journal_free(&j);
	CHECK(vb_journal_parse(again, alen, &j, &d) == 0);
	CHECK(j.ndone == 2 && !j.done[0].old.xattrs_known);
	vb_journal_free(&j);
	free(again);
}

static void check_paths(void)
{
	CHECK(vb_journal_path_ok("/etc/default/grub"));
	CHECK(!vb_journal_path_ok("etc/default/grub"));
	CHECK(!vb_journal_path_ok("/etc/../x"));
	CHECK(!vb_journal_path_ok("/etc/./x"));
	CHECK(!vb_journal_path_ok("/etc//x"));
	CHECK(!vb_journal_path_ok("/etc/x\n"));
	CHECK(vb_journal_path_ok("/etc/..x"));
}

int main(void)
{
	check_round_trip();
	check_damage();
	check_order();
	check_version_1();
	check_paths();
	return unit_report("journal");
}
