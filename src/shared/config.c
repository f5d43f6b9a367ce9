// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static const char *const companions_names[] = {
	[VB_COMPANIONS_SLOT] = "slot",
	[VB_COMPANIONS_GROUP] = "group",
	[VB_COMPANIONS_NONE] = "none",
};

static const char *const boot_vga_names[] = {
	[VB_BOOT_VGA_REFUSE] = "refuse",
	[VB_BOOT_VGA_ALLOW] = "allow",
};

const char *vb_companions_name(enum vb_companions c)
{
	return companions_names[c];
}

const char *vb_boot_vga_name(enum vb_boot_vga_policy p)
{
	return boot_vga_names[p];
}

static int name_index(const char *const *names, size_t count, const char *value)
{
	for (size_t i = 0; i < count; i++)
		if (strcmp(names[i], value) == 0)
			return (int)i;
	return -EINVAL;
}

int vb_companions_parse(const char *value, enum vb_companions *out)
{
	int i = name_index(companions_names, 3, value);

	if (i < 0)
		return i;
	*out = (enum vb_companions)i;
	return 0;
}

int vb_boot_vga_parse(const char *value, enum vb_boot_vga_policy *out)
{
	int i = name_index(boot_vga_names, 2, value);

	if (i < 0)
		return i;
	*out = (enum vb_boot_vga_policy)i;
	return 0;
}

void vb_config_init(struct vb_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->companions = VB_COMPANIONS_SLOT;
	cfg->boot_vga = VB_BOOT_VGA_REFUSE;
}

void vb_config_free(struct vb_config *cfg)
{
	free(cfg->select.items);
	free(cfg->skip.items);
	vb_msgs_free(&cfg->problems);
	vb_config_init(cfg);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}


/* Strips blanks on both ends of [*text, *text + *len). */
static void trim(const char **text, size_t *len)
{
	while (*len > 0 && is_blank(**text)) {
		(*text)++;
		(*len)--;
	}
	while (*len > 0 && is_blank((*text)[*len - 1]))
		(*len)--;
}

static int add_one(struct vb_config *cfg, struct vb_selector_list *list,
		   const char *origin, const char *text, size_t len)
{
	struct vb_selector_entry *grown;
	struct vb_selector sel;
	const char *why;

	if (vb_selector_parse(text, len, &sel, &why) < 0) {
		if (len > VB_SELECTOR_MAX)
			return vb_msgs_add(&cfg->problems, "%s: invalid selector '%.*s...': %s",
					   origin, 24, text, why);
		return vb_msgs_add(&cfg->problems, "%s: invalid selector '%.*s': %s", origin,
				   (int)len, text, why);
	}
	for (size_t i = 0; i < list->count; i++)
		if (vb_selector_equal(&list->items[i].sel, &sel))
			return vb_msgs_add(&cfg->problems,
					   "%s: duplicate selector '%s' (first at %s), ignored",
					   origin, sel.text, list->items[i].origin);

	grown = realloc(list->items, (list->count + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	list->items = grown;
	grown[list->count].sel = sel;
	snprintf(grown[list->count].origin, sizeof(grown[list->count].origin), "%s", origin);
	list->count++;
	return 0;
}

int vb_config_add_selectors(struct vb_config *cfg, struct vb_selector_list *list,
			    const char *origin, const char *text, size_t len)
{
	size_t pos = 0;
	bool any = false;

	while (pos < len) {
		size_t start, end;
		int err;

		while (pos < len && is_blank(text[pos]))
			pos++;
		start = pos;
		while (pos < len && text[pos] != ',')
			pos++;
		end = pos;
		while (end > start && is_blank(text[end - 1]))
			end--;
		if (start == end && pos >= len)
			break;
		err = add_one(cfg, list, origin, text + start, end - start);
		if (err < 0)
			return err;
		any = true;
		if (pos < len && text[pos] == ',')
			pos++;
		else if (pos >= len)
			break;
	}
	if (!any)
		return vb_msgs_add(&cfg->problems, "%s: empty selector list", origin);
	return 0;
}

static int parse_option(struct vb_config *cfg, const char *where, const char *line,
			size_t len, const char *eq)
{
	const char *key = line, *value = eq + 1;
	size_t keylen = (size_t)(eq - line), valuelen = len - keylen - 1;
	char buf[32];
	int err;

	trim(&key, &keylen);
	trim(&value, &valuelen);
	if (valuelen >= sizeof(buf))
		valuelen = sizeof(buf) - 1; /* too long for any valid value: fails below */
	memcpy(buf, value, valuelen);
	buf[valuelen] = '\0';

	if (keylen == 10 && memcmp(key, "companions", 10) == 0) {
		err = vb_companions_parse(buf, &cfg->companions);
		if (err < 0)
			return vb_msgs_add(&cfg->problems,
					   "%s: companions must be slot, group or none, not '%s'",
					   where, buf);
		return 0;
	}
	if (keylen == 8 && memcmp(key, "boot-vga", 8) == 0) {
		err = vb_boot_vga_parse(buf, &cfg->boot_vga);
		if (err < 0)
			return vb_msgs_add(&cfg->problems,
					   "%s: boot-vga must be refuse or allow, not '%s'", where,
					   buf);
		return 0;
	}
	return vb_msgs_add(&cfg->problems, "%s: unknown option '%.*s'", where,
			   (int)(keylen > 40 ? 40 : keylen), key);
}

static int parse_line(struct vb_config *cfg, const char *where, const char *line,
		      size_t len)
{
	const char *hash = memchr(line, '#', len);
	const char *eq;

	if (memchr(line, '\0', len))
		return vb_msgs_add(&cfg->problems, "%s: line contains a NUL byte", where);
	if (len > VB_CONFIG_LINE_MAX)
		return vb_msgs_add(&cfg->problems, "%s: line longer than %d bytes", where,
				   VB_CONFIG_LINE_MAX);
	if (hash)
		len = (size_t)(hash - line);
	trim(&line, &len);
	if (len == 0)
		return 0;
	eq = memchr(line, '=', len);
	if (eq)
		return parse_option(cfg, where, line, len, eq);
	return vb_config_add_selectors(cfg, &cfg->select, where, line, len);
}

int vb_config_parse_text(struct vb_config *cfg, const char *name, const char *text,
			 size_t len)
{
	size_t pos = 0;
	unsigned lineno = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t linelen = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char where[VB_ORIGIN_MAX];
		int err;

		lineno++;
		snprintf(where, sizeof(where), "%s:%u", name, lineno);
		err = parse_line(cfg, where, text + pos, linelen);
		if (err < 0)
			return err;
		pos += linelen + 1;
	}
	return 0;
}

/* Returns true when the parameter name matches, treating '-' and '_' alike. */
static bool param_is(const char *key, size_t keylen, const char *name)
{
	size_t i;

	for (i = 0; i < keylen && name[i]; i++) {
		char a = key[i] == '-' ? '_' : key[i];
		char b = name[i] == '-' ? '_' : name[i];
		if (a != b)
			return false;
	}
	return i == keylen && name[i] == '\0';
}

static int parse_bool(const char *value, size_t len, bool *out)
{
	static const char *const yes[] = { "1", "y", "yes", "true", "on" };
	static const char *const no[] = { "0", "n", "no", "false", "off" };

	for (size_t i = 0; i < 5; i++) {
		if (strlen(yes[i]) == len && memcmp(yes[i], value, len) == 0) {
			*out = true;
			return 0;
		}
		if (strlen(no[i]) == len && memcmp(no[i], value, len) == 0) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_param(struct vb_config *cfg, const char *param, size_t len)
{
	const char *eq = memchr(param, '=', len);
	size_t keylen = eq ? (size_t)(eq - param) : len;
	const char *value = eq ? eq + 1 : param + len;
	size_t valuelen = eq ? len - keylen - 1 : 0;

	/* The bootloader may quote the value: vfio_boot.devices="a,b" */
	if (valuelen >= 2 && value[0] == '"' && value[valuelen - 1] == '"') {
		value++;
		valuelen -= 2;
	}
	if (param_is(param, keylen, "vfio_boot.devices"))
		return vb_config_add_selectors(cfg, &cfg->select, "vfio_boot.devices", value,
					       valuelen);
	if (param_is(param, keylen, "vfio_boot.skip"))
		return vb_config_add_selectors(cfg, &cfg->skip, "vfio_boot.skip", value,
					       valuelen);
	if (param_is(param, keylen, "vfio_boot.disable")) {
		bool on = true;
		if (eq && parse_bool(value, valuelen, &on) < 0)
			return vb_msgs_add(&cfg->problems,
					   "vfio_boot.disable: '%.*s' is not 1 or 0, ignored",
					   (int)(valuelen > 16 ? 16 : valuelen), value);
		cfg->disabled = on;
	}
	return 0;
}

bool vb_cmdline_next_word(const char *s, size_t len, size_t *pos, size_t *start,
			  size_t *wlen)
{
	size_t p = *pos;
	bool quoted = false;

	while (p < len && is_blank(s[p]))
		p++;
	if (p >= len)
		return false;
	*start = p;
	for (; p < len && (quoted || !is_blank(s[p])); p++)
		if (s[p] == '"')
			quoted = !quoted;
	*wlen = p - *start;
	*pos = p;
	return true;
}

int vb_config_parse_cmdline(struct vb_config *cfg, const char *cmdline)
{
	size_t len = strlen(cmdline), pos = 0, start, wlen;

	while (vb_cmdline_next_word(cmdline, len, &pos, &start, &wlen)) {
		int err = parse_param(cfg, cmdline + start, wlen);
		if (err < 0)
			return err;
	}
	return 0;
}
