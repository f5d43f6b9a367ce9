// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The journal format: what is written reads back the same, and a journal cut
 * short anywhere, or with any one byte changed, never reads.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
	s.edit.kind = VB_EDIT_GRUB;
	vb_msgs_add(&s.edit.added, "intel_iommu=on");
	vb_msgs_add(&s.edit.replaced_old, "iommu=soft iommu=off");
	vb_msgs_add(&s.edit.replaced_new, "iommu=pt");
	vb_msgs_add(&s.edit.removed, "foo=\"a b\"");
	vb_msgs_add(&s.edit.dropped, "vfio-pci.ids=10de:2504,10de:228e");
	vb_msgs_add(&s.edit.dropped, "\"vfio_pci.ids=1234:5678\"");
	CHECK(vb_steps_append(&j->done, &j->ndone, &s) == 0);
	vb_step_free(&s);
	file_step(&s, "/etc/vfio-boot.conf", NULL, 0, "10de:2504\n", VB_STEP_DONE);
	CHECK(vb_steps_append(&j->done, &j->ndone, &s) == 0);
	vb_step_free(&s);
	s = (struct vb_step){ .kind = VB_STEP_MKDIR, .state = VB_STEP_DONE, .path = strdup("/etc/x") };
	CHECK(vb_steps_append(&j->done, &j->ndone, &s) == 0);
	vb_step_free(&s);
	s = (struct vb_step){ .kind = VB_STEP_COMMAND, .state = VB_STEP_DONE };
	vb_msgs_add(&s.argv, "grubby");
	vb_msgs_add(&s.argv, "--args");
	vb_msgs_add(&s.argv, "intel_iommu=on iommu=pt");
	vb_msgs_add(&s.undo_argv, "grubby");
	vb_msgs_add(&s.undo_argv, "%s", "");
	CHECK(vb_steps_append(&j->done, &j->ndone, &s) == 0);
	vb_step_free(&s);

	j->open = true;
	j->op = VB_OP_UNCONFIGURE;
	j->undoing = true;
	j->started = 1700000000;
	file_step(&s, "/etc/vfio-boot.conf", "10de:2504\n", 10, NULL, VB_STEP_STARTED);
	CHECK(vb_steps_append(&j->steps, &j->nsteps, &s) == 0);
	vb_step_free(&s);
	s = (struct vb_step){ .kind = VB_STEP_REGENERATE, .state = VB_STEP_FAILED };
	vb_msgs_add(&s.argv, "update-initramfs");
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
	check_paths();
	return unit_report("journal");
}
