// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-boot check: does the saved selection still take what configure validated. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "saved_review.h"
#include "selection_file.h"

struct review {
	const struct vb_config *cfg;
	const struct vb_snapshot *snap;
	const struct vb_plan *plan;
	void (*say)(void *ctx, enum vb_review_state state, const char *text);
	void *ctx;
	char *again; /* "vfio-boot configure SEL,...": saves the selection guarded (whole) */
};

__attribute__((format(printf, 3, 4))) static void say(const struct review *r,
						      enum vb_review_state state,
						      const char *fmt, ...)
{
	char *text = NULL;
	va_list ap;

	/* Whole, never cut (a command may name many selectors); as cli_say does. */
	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	/* Out of memory, the finding still counts: its state is passed on. */
	r->say(r->ctx, state, text ? text : "(out of memory)");
	free(text);
}

/* True for a selector of vfio_boot.devices= on this boot's command line, not of the file. */
static bool from_cmdline(const struct vb_config *cfg, size_t s)
{
	return strncmp(cfg->select.items[s].origin, "vfio_boot.", 10) == 0;
}

/* The saved device lines as configure's flags, so that running it again keeps them. */
static void device_flags(FILE *out, const struct vb_config *cfg)
{
	const struct vb_device_rules *dev = &cfg->devices;

	if (dev->generic)
		fputs(" --driver vfio-pci", out);
	for (size_t i = 0; i < dev->count; i++) {
		const struct vb_device_rule *rule = &dev->items[i];

		fputs(rule->kind == VB_DEVICE_DRIVER ? " --driver " : " --reset-method ", out);
		for (const char *c = rule->value; *c; c++)
			fputc(*c == ' ' ? ',' : *c, out); /* "flr bus" is saved "flr,bus" */
		fprintf(out, "@%s", rule->sel.text);
	}
	for (size_t i = 0; i < dev->preload.count; i++)
		fprintf(out, "%s%s", i ? "," : " --preload ", dev->preload.items[i]);
	for (size_t i = 0; i < cfg->vfs.count; i++)
		fprintf(out, " --vfs %s", cfg->vfs.items[i].text + strlen("vfs="));
}

/*
 * The configure command that saves this selection again, now guarded, whole
 * (a cut one would save another selection): the file's selectors (not those
 * of the kernel command line, which configure would save into it) and its
 * other lines as flags (configure writes only what it is given).
 * Returns 0 or -ENOMEM.
 */
static int configure_again(struct review *r)
{
	const struct vb_config *cfg = r->cfg;
	size_t size = 0;
	FILE *out = open_memstream(&r->again, &size);
	bool first = true;
	int failed;

	if (!out)
		return -ENOMEM;
	fputs("vfio-boot configure", out);
	if (cfg->companions != VB_COMPANIONS_SLOT)
		fprintf(out, " --companions %s", vb_companions_name(cfg->companions));
	if (cfg->boot_vga == VB_BOOT_VGA_ALLOW)
		fputs(" --boot-vga allow", out);
	device_flags(out, cfg);
	for (size_t s = 0; s < cfg->select.count; s++) {
		if (from_cmdline(cfg, s))
			continue;
		fprintf(out, "%s%s", first ? " " : ",", cfg->select.items[s].sel.text);
		first = false;
	}
	failed = ferror(out);
	if (fclose(out) != 0 || failed) {
		free(r->again);
		r->again = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* The command, or words for it when it could not be built. */
static const char *again(const struct review *r)
{
	return r->again ? r->again : "vfio-boot configure with the saved selection";
}

/* ", NAME" for the first function of each card a selector matched. */
static void card_names(const struct review *r, const struct vb_selector_result *res, char *buf,
		       size_t size)
{
	size_t len = 0, shown = res->cards < VB_CARDS_SHOWN ? res->cards : VB_CARDS_SHOWN;

	buf[0] = '\0';
	for (size_t c = 0; c < shown && len < size; c++) {
		snprintf(buf + len, size - len, "%s%s", c ? ", " : "", r->snap->fns[res->card_fn[c]].name);
		len = strlen(buf);
	}
	if (res->cards > shown && len < size)
		snprintf(buf + len, size - len, ", ...");
}

/* A bare ID: unguarded unless saved with --all-matching. */
static void review_id(const struct review *r, const struct vb_selector *sel,
		      const struct vb_selector_result *res, bool open)
{
	const struct vb_pci_fn *first = &r->snap->fns[res->card_fn[0]];
	char cards[256];

	card_names(r, res, cards, sizeof(cards));
	if (open && res->cards > 1)
		say(r, VB_REVIEW_WARN,
		    "%s matches %zu cards, and vfio-pci gets every one, as configure --all-matching "
		    "chose (name one as %04x:%04x@%s to leave the others to the host)",
		    sel->text, res->cards, first->vendor, first->device, first->name);
	else if (!open && res->cards > 1)
		say(r, VB_REVIEW_FAIL,
		    "%s matches %zu cards: %s, and vfio-boot-bind takes every one at boot; "
		    "configure takes one card only when it is named: save the one for vfio-pci "
		    "(vfio-boot configure %04x:%04x@%s), or take every one with vfio-boot "
		    "configure --all-matching %s",
		    sel->text, res->cards, cards, first->vendor, first->device, first->name,
		    sel->text);
	else if (!open)
		say(r, VB_REVIEW_WARN,
		    "%s is saved without an address: a second card with this ID would go to "
		    "vfio-pci at boot too; run `%s` again to save it as %04x:%04x@%s",
		    sel->text, again(r), first->vendor, first->device, first->name);
}

/*
 * A selector of vfio_boot.devices= on this boot's command line: the binder
 * takes what it matches as it takes the file's, and configure neither wrote
 * nor guards it. One that reaches more than one card is what configure would
 * refuse.
 */
static void review_cmdline(const struct review *r, const struct vb_selector *sel,
			   const struct vb_selector_result *res)
{
	char cards[256];

	card_names(r, res, cards, sizeof(cards));
	if (sel->kind != VB_SEL_ID_AT_ADDR && res->cards > 1)
		say(r, VB_REVIEW_FAIL,
		    "vfio_boot.devices=%s on the kernel command line matches %zu cards: %s, and "
		    "vfio-boot-bind takes every one at boot; take it off the command line and "
		    "name the card in /etc/vfio-boot.conf (vfio-boot configure ID@ADDRESS)",
		    sel->text, res->cards, cards);
	else if (sel->kind != VB_SEL_ID_AT_ADDR)
		say(r, VB_REVIEW_WARN,
		    "vfio_boot.devices=%s on the kernel command line is not guarded: at boot "
		    "vfio-pci gets whatever it matches then (%s)", sel->text, cards);
}

/* The first function sel matches, or NULL. */
static const struct vb_pci_fn *first_match(const struct review *r, const struct vb_selector *sel)
{
	for (size_t i = 0; i < r->snap->count; i++)
		if (vb_selector_matches(sel, &r->snap->fns[i]))
			return &r->snap->fns[i];
	return NULL;
}

/* An ID@address: its guard now, and other functions with its ID, which stay. */
static void review_guarded(const struct review *r, const struct vb_selector *sel)
{
	const struct vb_pci_fn *fn = first_match(r, sel);

	if (!vb_selector_id_matches(sel, fn)) {
		say(r, VB_REVIEW_FAIL,
		    "%s: %s now holds %04x:%04x, not %04x:%04x: vfio-boot-bind leaves it to the "
		    "host; if the card moved, run vfio-boot configure again with its new address",
		    sel->text, fn->name, fn->vendor, fn->device, sel->vendor, sel->device);
		return;
	}
	for (size_t i = 0; i < r->snap->count; i++) {
		const struct vb_pci_fn *other = &r->snap->fns[i];
		const struct vb_target *t = vb_plan_target_of(r->plan, i);

		if (other != fn && vb_selector_id_matches(sel, other) && (!t || !vb_target_taken(t)))
			say(r, VB_REVIEW_OK, "%s: %s is a %04x:%04x too, and stays with the host "
			    "(the address guard)", sel->text, other->name, other->vendor, other->device);
	}
}

void vb_review_saved_selection(const struct vb_root *root, const struct vb_config *cfg,
			       const struct vb_snapshot *snap, const struct vb_plan *plan,
			       void (*say_fn)(void *ctx, enum vb_review_state state, const char *text),
			       void *ctx)
{
	struct review r = { cfg, snap, plan, say_fn, ctx, NULL };
	bool *open = calloc(cfg->select.count ? cfg->select.count : 1, sizeof(*open));
	char *text = NULL;
	size_t len = 0;

	/* Out of memory, the review still runs: its failures must not be lost. */
	if (configure_again(&r) < 0)
		r.again = NULL;
	if (open && vb_root_read_file(root, "etc/vfio-boot.conf", VB_CONFIG_FILE_MAX, &text, &len,
				      NULL) == 0)
		vb_selection_find_open(text, len, cfg, open);
	free(text);
	for (size_t s = 0; s < plan->nselectors; s++) {
		const struct vb_selector_result *res = &plan->selectors[s];
		const struct vb_selector *sel = &cfg->select.items[s].sel;
		const struct vb_pci_fn *fn;

		if (res->matched == 0)
			continue; /* the plan's notes say so */
		if (from_cmdline(cfg, s)) {
			review_cmdline(&r, sel, res);
			continue;
		}
		if (sel->kind == VB_SEL_ID_AT_ADDR) {
			review_guarded(&r, sel);
			if (!vb_selector_id_matches(sel, first_match(&r, sel)))
				continue; /* said why nothing is taken there */
		} else if (sel->kind == VB_SEL_ADDR) {
			fn = first_match(&r, sel);
			say(&r, VB_REVIEW_WARN,
			    "%s is saved without its ID: vfio-pci gets whatever sits there at boot, "
			    "now %04x:%04x (%s%s); if that is the device for vfio-pci, run `%s` again "
			    "to save its ID with it",
			    sel->text, fn->vendor, fn->device, fn->driver[0] ? "on " : "no driver",
			    fn->driver, again(&r));
		} else {
			review_id(&r, sel, res, open && open[s]);
		}
		if (res->refused == res->matched)
			say(&r, VB_REVIEW_FAIL, "%s selects nothing for vfio-pci: every match is refused",
			    sel->text);
	}
	free(r.again);
	free(open);
}
