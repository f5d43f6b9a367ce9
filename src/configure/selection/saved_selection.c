// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-boot configure: the selection it saves, each function guarded by its ID. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "saved_selection.h"
#include "selection_file.h"

/* Adds one line to the saved selection, unless it is there already. */
static int add_line(struct vb_saved_selection *out, const char *text, bool open)
{
	struct vb_selector_list *list = &out->cfg.select;
	struct vb_selector sel;
	const char *why;
	bool *grown;

	if (vb_selector_parse(text, strlen(text), &sel, &why) < 0)
		return -EINVAL; /* made from a parsed selector or from sysfs: never */
	for (size_t i = 0; i < list->count; i++)
		if (vb_selector_equal(&list->items[i].sel, &sel))
			return 0;
	grown = realloc(out->open, (list->count + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	out->open = grown;
	grown[list->count] = open;
	return vb_config_add_selectors(&out->cfg, list, "saved", text, strlen(text));
}

/* "10de:2504@0000:01:00.0" for a function of the hardware. */
static int add_guarded(struct vb_saved_selection *out, const struct vb_pci_fn *fn)
{
	char addr[VB_PCI_NAME_MAX], text[VB_SELECTOR_MAX + 1];

	vb_pci_addr_format(&fn->addr, addr, sizeof(addr));
	snprintf(text, sizeof(text), "%04x:%04x@%s", fn->vendor, fn->device, addr);
	return add_line(out, text, false);
}

/* An ID@address as typed, in its one spelling. */
static int add_as_typed(struct vb_saved_selection *out, const struct vb_selector *sel)
{
	char addr[VB_PCI_NAME_MAX], text[VB_SELECTOR_MAX + 1];

	vb_pci_addr_format(&sel->addr, addr, sizeof(addr));
	snprintf(text, sizeof(text), "%04x:%04x@%s", sel->vendor, sel->device, addr);
	return add_line(out, text, false);
}

/* Why a selector cannot be saved guarded, and the fix, into refusals. */
static int refuse_unguarded(const struct vb_selector *sel, bool have_sys, struct vb_strv *refusals)
{
	char addr[VB_PCI_NAME_MAX];

	if (sel->kind == VB_SEL_ADDR) {
		vb_pci_addr_format(&sel->addr, addr, sizeof(addr));
		return vb_strv_add(refusals,
				   "%s: %s, so it cannot be saved guarded: write it as "
				   "VENDOR:DEVICE@%s, the IDs of the card that goes there",
				   sel->text,
				   have_sys ? "no device there to read its ID from" :
					      "without sys/ the ID there cannot be read",
				   addr);
	}
	return vb_strv_add(refusals,
			   "%s %s, so it cannot be saved guarded (ID@address): name the card as "
			   "%04x:%04x@ADDRESS, or pass --all-matching to take every card with "
			   "this ID, now and later",
			   sel->text,
			   have_sys ? "matches no PCI device" :
				      "names no card that can be seen without sys/",
			   sel->vendor, sel->device);
}

/* The functions a selector took (not those it matched that were refused). */
static int add_taken(struct vb_saved_selection *out, const struct vb_saved_input *in,
		     const struct vb_selector *sel)
{
	int err = 0;

	for (size_t i = 0; i < in->snap->count && err == 0; i++) {
		const struct vb_target *t;

		if (!vb_selector_matches(sel, &in->snap->fns[i]))
			continue;
		t = vb_plan_target_of(in->plan, i);
		if (t && vb_target_taken(t) && !t->companion)
			err = add_guarded(out, &in->snap->fns[i]);
	}
	return err;
}

/* companions=group, closed: what the groups brought along, listed. Returns how many, or -errno. */
static int add_group_members(struct vb_saved_selection *out, const struct vb_saved_input *in)
{
	int err = 0, n = 0;

	for (size_t t = 0; t < in->plan->count && err == 0; t++) {
		const struct vb_target *tg = &in->plan->targets[t];

		if (tg->by_group && vb_target_taken(tg)) {
			err = add_guarded(out, &in->snap->fns[tg->fn]);
			n++;
		}
	}
	return err < 0 ? err : n;
}

int vb_saved_selection_build(const struct vb_saved_input *in, struct vb_saved_selection *out,
			     struct vb_strv *notes, struct vb_strv *refusals)
{
	const struct vb_selector_list *given = &in->given->select;
	bool unlisted = in->snap == NULL; /* a line stands for functions not seen here */
	bool refused = false;
	int err = 0;

	memset(out, 0, sizeof(*out));
	vb_config_init(&out->cfg);
	out->cfg.companions = in->given->companions;
	out->cfg.boot_vga = in->given->boot_vga;
	for (size_t s = 0; s < given->count && err == 0; s++) {
		const struct vb_selector *sel = &given->items[s].sel;
		bool bare_id = sel->kind == VB_SEL_ID || sel->kind == VB_SEL_ID_SUBSYS;

		if (bare_id && in->all_matching) {
			err = add_line(out, sel->text, true);
			if (err == 0)
				err = vb_strv_add(notes, "%s is saved as it is (--all-matching): at every "
						  "boot vfio-pci gets every card with this ID, now "
						  "and later", sel->text);
			unlisted = true;
		} else if (in->snap && in->plan->selectors[s].matched) {
			err = add_taken(out, in, sel);
		} else if (sel->kind == VB_SEL_ID_AT_ADDR) {
			err = add_as_typed(out, sel);
			unlisted = true;
		} else {
			err = refuse_unguarded(sel, in->snap != NULL, refusals);
			refused = true;
		}
	}
	if (err == 0 && refused)
		err = -EINVAL;
	if (err == 0 && !unlisted && in->given->companions == VB_COMPANIONS_GROUP) {
		err = add_group_members(out, in);
		if (err > 0)
			err = vb_strv_add(notes, "--companions group: the functions the IOMMU groups "
					  "brought along are saved one by one, with companions=slot: "
					  "a function that joins a group later stays with the host");
		out->cfg.companions = VB_COMPANIONS_SLOT;
	}
	if (err < 0)
		vb_saved_selection_free(out);
	return err < 0 ? err : 0;
}

void vb_saved_selection_free(struct vb_saved_selection *saved)
{
	vb_config_free(&saved->cfg);
	free(saved->open);
	saved->open = NULL;
}

int vb_saved_selection_text(const struct vb_saved_input *in, char **text, struct vb_strv *notes,
			    struct vb_strv *refusals)
{
	struct vb_saved_selection saved;
	char why[128];
	int err = vb_saved_selection_build(in, &saved, notes, refusals);

	*text = NULL;
	if (err < 0)
		return err;
	*text = vb_render_selection(&saved.cfg, saved.open);
	vb_saved_selection_free(&saved);
	if (!*text)
		return -ENOMEM;
	if (vb_config_text_check(*text, strlen(*text), why, sizeof(why)) < 0) {
		free(*text);
		*text = NULL;
		err = vb_strv_add(refusals, "too many selectors for /etc/vfio-boot.conf: %s", why);
		return err < 0 ? err : -EINVAL;
	}
	return 0;
}
