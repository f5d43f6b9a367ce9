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

/*
 * A reset method as the kernel names one: lowercase letters, digits and '_'
 * ("device_specific", "af_flr", "cxl_bus"). The binder checks each against
 * what the device lists; here only the spelling.
 */
static bool method_name_valid(const char *s, size_t len)
{
	/* "device_specific", the longest, is 15: eight fit VB_RESET_TEXT_MAX. */
	if (len == 0 || len > 15)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!(s[i] >= 'a' && s[i] <= 'z') && !(s[i] >= '0' && s[i] <= '9') && s[i] != '_')
			return false;
	return true;
}

/* "a,b,c" into "a b c" in out; returns 0 or -EINVAL with why. */
static int parse_methods(const char *text, size_t len, char out[VB_RESET_TEXT_MAX],
			 const char **why)
{
	size_t starts[VB_RESET_METHODS_MAX], lens[VB_RESET_METHODS_MAX], n = 0, pos = 0, used = 0;

	out[0] = '\0';
	while (pos <= len) {
		const char *comma = memchr(text + pos, ',', len - pos);
		size_t end = comma ? (size_t)(comma - text) : len;

		if (!method_name_valid(text + pos, end - pos)) {
			*why = "a method is a name such as flr, bus or device_specific";
			return -EINVAL;
		}
		for (size_t i = 0; i < n; i++)
			if (lens[i] == end - pos && memcmp(text + starts[i], text + pos, lens[i]) == 0) {
				*why = "a method is named twice";
				return -EINVAL;
			}
		if (n == VB_RESET_METHODS_MAX) {
			*why = "too many methods";
			return -EINVAL;
		}
		starts[n] = pos;
		lens[n++] = end - pos;
		used += (size_t)snprintf(out + used, VB_RESET_TEXT_MAX - used, "%s%.*s",
					 used ? " " : "", (int)(end - pos), text + pos);
		pos = end + 1;
	}
	return 0;
}

static int add_rule(struct vb_device_rules *rules, struct vb_strv *problems, const char *where,
		    enum vb_device_rule_kind kind, const struct vb_selector *sel, const char *value)
{
	struct vb_device_rule *grown;

	for (size_t i = 0; i < rules->count; i++)
		if (rules->items[i].kind == kind && vb_selector_equal(&rules->items[i].sel, sel))
			return vb_strv_add(problems, "%s: a second %s for '%s' (first at %s), ignored",
					   where, kind == VB_DEVICE_DRIVER ? "driver=" : "reset_method=",
					   sel->text, rules->items[i].origin);
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
	return 0;
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

static int parse_driver(struct vb_device_rules *rules, struct vb_strv *problems, const char *where,
			const char *value, size_t len)
{
	struct vb_selector sel;
	const char *why = "";
	char module[VB_MODULE_NAME_MAX];
	size_t modlen;
	int has_sel = split_at(value, len, &modlen, &sel, &why);

	if (has_sel < 0)
		return vb_strv_add(problems, "%s: driver=%.*s: bad selector: %s", where,
				   (int)vb_utf8_cut(value, len, 80), value, why);
	if (!vb_module_name_valid(value, modlen))
		return vb_strv_add(problems, "%s: driver= takes MODULE or MODULE@SELECTOR, a module "
				   "name of letters, digits, '_' and '-', not '%.*s'", where,
				   (int)vb_utf8_cut(value, modlen, 60), value);
	snprintf(module, sizeof(module), "%.*s", (int)modlen, value);
	if (!has_sel) {
		if (!vb_module_is_vfio_pci(module))
			return vb_strv_add(problems, "%s: driver=%s without @SELECTOR: only vfio-pci "
					   "applies to every function; a variant names its "
					   "functions (driver=%s@SELECTOR)", where, module, module);
		rules->generic = true;
		return 0;
	}
	return add_rule(rules, problems, where, VB_DEVICE_DRIVER, &sel, module);
}

static int parse_reset(struct vb_device_rules *rules, struct vb_strv *problems, const char *where,
		       const char *value, size_t len)
{
	struct vb_selector sel;
	char methods[VB_RESET_TEXT_MAX];
	const char *why = "";
	size_t mlen;
	int has_sel = split_at(value, len, &mlen, &sel, &why);

	if (has_sel == 0)
		why = "it takes METHOD[,METHOD...]@SELECTOR";
	if (has_sel > 0 && parse_methods(value, mlen, methods, &why) == 0)
		return add_rule(rules, problems, where, VB_DEVICE_RESET, &sel, methods);
	return vb_strv_add(problems, "%s: reset_method=%.*s: %s", where,
			   (int)vb_utf8_cut(value, len, 80), value, why);
}

/* Calls add for each comma-separated name of value; stops at an error. */
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
	return 0;
}

static int parse_preload(struct vb_device_rules *rules, struct vb_strv *problems,
			 const char *where, const char *value, size_t len)
{
	/* Checked whole first: a bad line adds none of its modules. */
	if (each_module(value, len, NULL) < 0)
		return vb_strv_add(problems, "%s: preload= takes module names separated by "
				   "commas, not '%.*s'", where, (int)vb_utf8_cut(value, len, 80),
				   value);
	return each_module(value, len, &rules->preload);
}

int vb_device_rules_parse(struct vb_device_rules *rules, struct vb_strv *problems,
			  const char *where, const char *key, size_t keylen, const char *value,
			  size_t valuelen)
{
	int err;

	if (key_is(key, keylen, "driver"))
		err = parse_driver(rules, problems, where, value, valuelen);
	else if (key_is(key, keylen, "reset_method"))
		err = parse_reset(rules, problems, where, value, valuelen);
	else if (key_is(key, keylen, "preload"))
		err = parse_preload(rules, problems, where, value, valuelen);
	else
		return 0;
	return err < 0 ? err : 1;
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

const char *vb_device_rules_driver(const struct vb_device_rules *rules,
				   const struct vb_pci_fn *fn)
{
	const char *variant = NULL;

	if (rules->generic)
		return NULL;
	for (size_t i = 0; i < rules->count; i++) {
		const struct vb_device_rule *r = &rules->items[i];

		if (r->kind != VB_DEVICE_DRIVER || !vb_device_rule_matches(r, fn))
			continue;
		if (vb_module_is_vfio_pci(r->value))
			return NULL; /* forcing the generic driver wins */
		if (!variant)
			variant = r->value;
	}
	return variant;
}

const char *vb_device_rules_reset(const struct vb_device_rules *rules,
				  const struct vb_pci_fn *fn)
{
	for (size_t i = 0; i < rules->count; i++)
		if (rules->items[i].kind == VB_DEVICE_RESET && vb_device_rule_matches(&rules->items[i], fn))
			return rules->items[i].value;
	return NULL;
}

/* True when the list of words (blanks between) holds len bytes of word. */
static bool listed(const char *list, const char *word, size_t len)
{
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, " \t\n");

		if (n == len && memcmp(p, word, len) == 0)
			return true;
		p += n;
		p += strspn(p, " \t\n");
	}
	return false;
}

const char *vb_reset_method_missing(const char *list, const char *methods, size_t *len)
{
	for (const char *p = methods; *p;) {
		*len = strcspn(p, " ");
		if (*len && !listed(list, p, *len))
			return p;
		p += *len;
		p += strspn(p, " ");
	}
	return NULL;
}
