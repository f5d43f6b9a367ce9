// SPDX-License-Identifier: GPL-2.0-or-later
/* driver=, reset_method= and preload= of /etc/vfio-boot.conf (device_rules.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device_rules.h"
#include "text.h"

static bool key_is(const char *key, size_t keylen, const char *name)
{
	return keylen == strlen(name) && memcmp(key, name, keylen) == 0;
}

bool vb_module_name_valid(const char *name, size_t len)
{
	if (len == 0 || len >= VB_MODULE_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') &&
		    c != '_' && c != '-')
			return false;
	}
	return true;
}

bool vb_module_is_vfio_pci(const char *module)
{
	return strcmp(module, "vfio-pci") == 0 || strcmp(module, "vfio_pci") == 0;
}

/* True when the list of words (blanks between) holds len bytes of word. */
static bool listed(const char *list, const char *word, size_t len)
{
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, " \t\n");

		if (n == len && memcmp(p, word, len) == 0)
			return true;
		for (p += n; *p == ' ' || *p == '\t' || *p == '\n'; p++)
			;
	}
	return false;
}

/*
 * "a,b,c" into "a b c" in out; returns 0 or -EINVAL with why. A reset
 * method is spelt as the kernel names one: lowercase letters, digits and
 * '_' ("device_specific", the longest, "af_flr", "cxl_bus"). The binder
 * checks each against what the device lists; here only the spelling.
 */
static int parse_methods(const char *text, size_t len, char out[VB_RESET_TEXT_MAX],
			 const char **why)
{
	size_t start = 0, n = 0;

	*why = "not a method name (flr, bus, device_specific...)";
	for (size_t i = 0; i <= len && i < VB_RESET_TEXT_MAX; i++) {
		char c = i < len ? text[i] : ',';

		out[i] = c;
		if (c != ',') {
			if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '_')
				return -EINVAL;
			continue;
		}
		if (i == start || i - start > 15)
			return -EINVAL;
		out[i] = '\0';
		if (start) {
			out[start - 1] = '\0'; /* the methods before, as a list */
			if (listed(out, out + start, i - start)) {
				*why = "a method is named twice";
				return -EINVAL;
			}
			out[start - 1] = ' ';
		}
		if (++n > VB_RESET_METHODS_MAX)
			break;
		start = i + 1;
		if (i == len)
			return 0;
	}
	*why = "too many methods";
	return -EINVAL;
}

static int add_rule(struct vb_device_rules *rules, struct vb_strv *problems, const char *where,
		    enum vb_device_rule_kind kind, const struct vb_selector *sel, const char *value)
{
	struct vb_device_rule *grown;

	for (size_t i = 0; i < rules->count; i++)
		if (rules->items[i].kind == kind && vb_selector_equal(&rules->items[i].sel, sel))
			return vb_strv_add(problems, "%s: a second %s= for '%s' (first at %s), "
					   "ignored", where, kind == VB_DEVICE_DRIVER ? "driver" :
					   "reset_method", sel->text, rules->items[i].origin) < 0 ?
				       -ENOMEM : 1;
	grown = realloc(rules->items, (rules->count + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	rules->items = grown;
	grown += rules->count++;
	memset(grown, 0, sizeof(*grown));
	grown->kind = kind;
	grown->sel = *sel;
	snprintf(grown->value, sizeof(grown->value), "%s", value);
	snprintf(grown->origin, sizeof(grown->origin), "%s", where);
	return 1;
}

/* "WHAT@SELECTOR": splits at the first '@' and parses the selector. */
static int split_at(const char *value, size_t len, size_t *whatlen, struct vb_selector *sel,
		    const char **why)
{
	const char *at = memchr(value, '@', len);

	if (!at) {
		*whatlen = len;
		return 0;
	}
	*whatlen = (size_t)(at - value);
	return vb_selector_parse(at + 1, len - *whatlen - 1, sel, why) < 0 ? -EINVAL : 1;
}

/* driver=: 1 parsed, 0 with why, or -ENOMEM. */
static int parse_driver(struct vb_device_rules *rules, struct vb_strv *problems, const char *where,
			const char *value, size_t len, const char **why)
{
	struct vb_selector sel;
	char module[VB_MODULE_NAME_MAX];
	size_t modlen;
	int has_sel = split_at(value, len, &modlen, &sel, why);

	if (has_sel < 0)
		return 0;
	*why = "it takes MODULE[@SELECTOR]";
	if (!vb_module_name_valid(value, modlen))
		return 0;
	snprintf(module, sizeof(module), "%.*s", (int)modlen, value);
	if (has_sel)
		return add_rule(rules, problems, where, VB_DEVICE_DRIVER, &sel, module);
	*why = "only vfio-pci goes without @SELECTOR";
	if (!vb_module_is_vfio_pci(module))
		return 0;
	rules->generic = true;
	return 1;
}

/* reset_method=: 1 parsed, 0 with why, or -ENOMEM. */
static int parse_reset(struct vb_device_rules *rules, struct vb_strv *problems, const char *where,
		       const char *value, size_t len, const char **why)
{
	struct vb_selector sel;
	char methods[VB_RESET_TEXT_MAX];
	size_t mlen;
	int has_sel = split_at(value, len, &mlen, &sel, why);

	if (has_sel == 0)
		*why = "it takes METHOD[,METHOD...]@SELECTOR";
	if (has_sel > 0 && parse_methods(value, mlen, methods, why) == 0)
		return add_rule(rules, problems, where, VB_DEVICE_RESET, &sel, methods);
	return 0;
}

/* Adds each comma-separated name of value to into (NULL: only checks). */
static int each_module(const char *value, size_t len, struct vb_strv *into)
{
	for (size_t pos = 0; pos <= len;) {
		const char *comma = memchr(value + pos, ',', len - pos);
		size_t end = comma ? (size_t)(comma - value) : len;
		char module[VB_MODULE_NAME_MAX];
		int err;

		if (!vb_module_name_valid(value + pos, end - pos))
			return -EINVAL;
		snprintf(module, sizeof(module), "%.*s", (int)(end - pos), value + pos);
		err = into ? vb_strv_add_unique(into, module) : 0;
		if (err < 0)
			return err;
		pos = end + 1;
	}
	return 1;
}

int vb_device_rules_parse(struct vb_device_rules *rules, struct vb_strv *problems,
			  const char *where, const char *key, size_t keylen, const char *value,
			  size_t valuelen)
{
	const char *why = "";
	int err;

	if (key_is(key, keylen, "driver")) {
		err = parse_driver(rules, problems, where, value, valuelen, &why);
	} else if (key_is(key, keylen, "reset_method")) {
		err = parse_reset(rules, problems, where, value, valuelen, &why);
	} else if (key_is(key, keylen, "preload")) {
		/* Checked whole first: a bad line adds none of its modules. */
		why = "it takes MODULE[,MODULE...]";
		err = each_module(value, valuelen, NULL);
		if (err > 0)
			err = each_module(value, valuelen, &rules->preload);
		else
			err = 0;
	} else {
		return 0;
	}
	if (err == 0)
		err = vb_strv_add(problems, "%s: %.*s=%.*s: %s", where, (int)keylen, key,
				  (int)vb_utf8_cut(value, valuelen, 80), value, why);
	return err < 0 ? err : 1;
}

void vb_device_rules_fill(struct vb_device_rules *rules, struct vb_device_rules *saved)
{
	rules->fallback = saved;
	if (rules->preload.count == 0) {
		struct vb_strv swap = rules->preload;

		rules->preload = saved->preload;
		saved->preload = swap;
	}
}

void vb_device_rules_free(struct vb_device_rules *rules)
{
	free(rules->items);
	vb_strv_free(&rules->preload);
	memset(rules, 0, sizeof(*rules));
}

bool vb_device_rule_matches(const struct vb_device_rule *r, const struct vb_pci_fn *fn)
{
	return vb_selector_matches(&r->sel, fn) &&
	       (r->sel.kind != VB_SEL_ID_AT_ADDR || vb_selector_id_matches(&r->sel, fn));
}

/*
 * The value of the first rule of kind that names fn, or NULL; with
 * generic_wins, NULL too when any of them names vfio-pci.
 */
static const char *value_for(const struct vb_device_rules *rules, enum vb_device_rule_kind kind,
			     const struct vb_pci_fn *fn, bool generic_wins)
{
	const char *first = NULL;

	for (size_t i = 0; i < rules->count; i++) {
		const struct vb_device_rule *r = &rules->items[i];

		if (r->kind != kind || !vb_device_rule_matches(r, fn))
			continue;
		if (generic_wins && vb_module_is_vfio_pci(r->value))
			return NULL;
		if (!first)
			first = r->value;
	}
	return first;
}

bool vb_device_rules_name(const struct vb_device_rules *rules, enum vb_device_rule_kind kind,
			  const struct vb_pci_fn *fn)
{
	for (size_t i = 0; i < rules->count; i++)
		if (rules->items[i].kind == kind && vb_device_rule_matches(&rules->items[i], fn))
			return true;
	return false;
}

const char *vb_device_rules_driver(const struct vb_device_rules *rules,
				   const struct vb_pci_fn *fn)
{
	if (rules->generic)
		return NULL;
	if (rules->fallback && !vb_device_rules_name(rules, VB_DEVICE_DRIVER, fn))
		return vb_device_rules_driver(rules->fallback, fn);
	return value_for(rules, VB_DEVICE_DRIVER, fn, true);
}

const char *vb_device_rules_reset(const struct vb_device_rules *rules,
				  const struct vb_pci_fn *fn)
{
	if (rules->fallback && !vb_device_rules_name(rules, VB_DEVICE_RESET, fn))
		return vb_device_rules_reset(rules->fallback, fn);
	return value_for(rules, VB_DEVICE_RESET, fn, false);
}

const char *vb_reset_method_missing(const char *list, const char *methods, size_t *len)
{
	for (const char *p = methods; *p;) {
		*len = strcspn(p, " ");
		if (*len && !listed(list, p, *len))
			return p;
		for (p += *len; *p == ' '; p++)
			;
	}
	return NULL;
}
