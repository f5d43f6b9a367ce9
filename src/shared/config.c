// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "macro.h"
#include "config.h"
#include "text.h"

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
	free(cfg->vfs.items);
	free(cfg->select.items);
	free(cfg->skip.items);
	vb_device_rules_free(&cfg->devices);
	vb_strv_free(&cfg->problems);
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
			return vb_strv_add(&cfg->problems, "%s: invalid selector '%.*s...': %s",
					   origin, (int)vb_utf8_cut(text, len, 24), text, why);
		return vb_strv_add(&cfg->problems, "%s: invalid selector '%.*s': %s", origin,
				   (int)len, text, why);
	}
	for (size_t i = 0; i < list->count; i++)
		if (vb_selector_equal(&list->items[i].sel, &sel))
			return vb_strv_add(&cfg->problems,
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
		return vb_strv_add(&cfg->problems, "%s: empty selector list", origin);
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
	err = vb_device_rules_parse(&cfg->devices, &cfg->problems, where, key, keylen, value,
				    valuelen);
	if (err != 0)
		return err < 0 ? err : 0;
	/* Too long for any valid value: fails below, shown cut. */
	valuelen = vb_utf8_cut(value, valuelen, sizeof(buf) - 1);
	memcpy(buf, value, valuelen);
	buf[valuelen] = '\0';

	if (keylen == 10 && memcmp(key, "companions", 10) == 0) {
		err = vb_companions_parse(buf, &cfg->companions);
		if (err < 0)
			return vb_strv_add(&cfg->problems,
					   "%s: companions must be slot, group or none, not '%s'",
					   where, buf);
		return 0;
	}
	if (keylen == 8 && memcmp(key, "boot-vga", 8) == 0) {
		err = vb_boot_vga_parse(buf, &cfg->boot_vga);
		if (err < 0)
			return vb_strv_add(&cfg->problems,
					   "%s: boot-vga must be refuse or allow, not '%s'", where,
					   buf);
		return 0;
	}
	return vb_strv_add(&cfg->problems, "%s: unknown option '%.*s'", where,
			   (int)vb_utf8_cut(key, keylen, 40), key);
}

int vb_config_add_vfs(struct vb_config *cfg, const char *origin, const char *text, size_t len)
{
	const char *at, *why = "it takes a count and an address";
	unsigned long count = 0;
	struct vb_vfs_entry entry = { 0 }, *grown;
	size_t digits;

	trim(&text, &len);
	at = memchr(text, '@', len);
	digits = at ? (size_t)(at - text) : 0;
	for (size_t i = 0; i < digits && count <= VB_VFS_MAX; i++)
		count = text[i] >= '0' && text[i] <= '9' ? count * 10 + (unsigned long)(text[i] - '0') :
							     VB_VFS_MAX + 1;
	if (digits == 0 || digits > 5 || count < 1 || count > VB_VFS_MAX)
		goto bad;
	if (vb_selector_parse(at + 1, len - digits - 1, &entry.pf, &why) < 0)
		goto bad;
	why = "the physical function is named by its address";
	if (entry.pf.kind != VB_SEL_ADDR && entry.pf.kind != VB_SEL_ID_AT_ADDR)
		goto bad;
	for (size_t i = 0; i < cfg->vfs.count; i++)
		if (vb_pci_addr_cmp(&cfg->vfs.items[i].pf.addr, &entry.pf.addr) == 0)
			return vb_strv_add(&cfg->problems, "%s: a second vfs= for %s (first at %s), ignored",
					   origin, entry.pf.text, cfg->vfs.items[i].origin);
	entry.count = (unsigned)count;
	snprintf(entry.text, sizeof(entry.text), "vfs=%u@%s", entry.count, entry.pf.text);
	snprintf(entry.origin, sizeof(entry.origin), "%s", origin);
	grown = realloc(cfg->vfs.items, (cfg->vfs.count + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	cfg->vfs.items = grown;
	grown[cfg->vfs.count++] = entry;
	return 0;
bad:
	return vb_strv_add(&cfg->problems,
			   "%s: vfs=%.*s: %s (vfs=N@ADDRESS or vfs=N@VENDOR:DEVICE@ADDRESS, "
			   "N from 1 to %d)", origin, (int)vb_utf8_cut(text, len, 48), text, why,
			   VB_VFS_MAX);
}

const struct vb_vfs_entry *vb_config_vfs_of(const struct vb_config *cfg,
					    const struct vb_pci_fn *fn)
{
	for (size_t i = 0; i < cfg->vfs.count; i++)
		if (vb_selector_matches(&cfg->vfs.items[i].pf, fn))
			return &cfg->vfs.items[i];
	return NULL;
}

/* True when the option line's key (before eq) is vfs. */
static bool is_vfs_key(const char *line, const char *eq)
{
	size_t keylen = (size_t)(eq - line);

	trim(&line, &keylen);
	return keylen == 3 && memcmp(line, "vfs", 3) == 0;
}

static int parse_line(struct vb_config *cfg, const char *where, const char *line,
		      size_t len)
{
	const char *hash = memchr(line, '#', len);
	const char *eq;

	if (memchr(line, '\0', len))
		return vb_strv_add(&cfg->problems, "%s: line contains a NUL byte", where);
	if (len > VB_CONFIG_LINE_MAX)
		return vb_strv_add(&cfg->problems, "%s: line longer than %d bytes", where,
				   VB_CONFIG_LINE_MAX);
	if (hash)
		len = (size_t)(hash - line);
	trim(&line, &len);
	if (len == 0)
		return 0;
	eq = memchr(line, '=', len);
	if (eq && is_vfs_key(line, eq))
		return vb_config_add_vfs(cfg, where, eq + 1, len - (size_t)(eq + 1 - line));
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
		/* A long name is cut, whole characters only, to leave room for the line. */
		snprintf(where, sizeof(where), "%.*s:%u",
			 (int)vb_utf8_cut(name, strlen(name), sizeof(where) - 12), name, lineno);
		err = parse_line(cfg, where, text + pos, linelen);
		if (err < 0)
			return err;
		pos += linelen + 1;
	}
	return 0;
}

/* The kernel's isspace(): its ctype table also counts 0xa0 as a space. */
static bool is_kernel_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (unsigned char)c == 0xa0;
}

/* The end of a span: the first of the kernel's cuts at or after from. */
static size_t first_cut(const size_t *cuts, size_t ncuts, size_t from, size_t end)
{
	for (size_t i = 0; i < ncuts; i++)
		if (cuts[i] >= from && cuts[i] < end)
			end = cuts[i];
	return end;
}

bool vb_cmdline_next_param(const char *s, size_t len, size_t *pos, struct vb_cmdline_param *p)
{
	size_t i = *pos, begin, end, equals = 0, cuts[3], ncuts = 0;
	bool in_quote = false, quoted = false;

	while (i < len && is_kernel_space(s[i]))
		i++;
	if (i >= len)
		return false;
	p->start = i;
	if (s[i] == '"') {
		in_quote = quoted = true;
		i++;
	}
	begin = i;
	for (; i < len && (in_quote || !is_kernel_space(s[i])); i++) {
		if (!equals && s[i] == '=' && i > begin)
			equals = i; /* an '=' in the first place names nothing */
		if (s[i] == '"')
			in_quote = !in_quote;
	}
	end = i;
	p->len = end - p->start;
	p->unterminated = in_quote;
	*pos = end;
	/*
	 * The kernel ends the name at '='; it drops the quote that opens the
	 * value and the one that ends the word, when the value or the whole
	 * word was opened by one.
	 */
	p->has_value = equals != 0;
	p->key = begin;
	p->value = equals ? equals + 1 : end;
	if (equals)
		cuts[ncuts++] = equals;
	if (equals && p->value < end && s[p->value] == '"') {
		p->value++;
		if (s[end - 1] == '"')
			cuts[ncuts++] = end - 1;
	}
	if (quoted && end > begin && s[end - 1] == '"')
		cuts[ncuts++] = end - 1;
	p->keylen = first_cut(cuts, ncuts, begin, end) - begin;
	p->valuelen = equals ? first_cut(cuts, ncuts, p->value, end) - p->value : 0;
	return true;
}

bool vb_cmdline_is_end(const char *s, const struct vb_cmdline_param *p)
{
	return !p->has_value && p->keylen == 2 && memcmp(s + p->key, "--", 2) == 0;
}

bool vb_cmdline_param_is(const char *s, const struct vb_cmdline_param *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->keylen && name[i]; i++) {
		char a = s[p->key + i] == '-' ? '_' : s[p->key + i];
		char b = name[i] == '-' ? '_' : name[i];

		if (a != b)
			return false;
	}
	return i == p->keylen && name[i] == '\0';
}

bool vb_disable_value_is_false(const char *value, size_t len)
{
	static const char *const explicit_false[] = { "0", "n", "no", "f", "false", "off" };

	for (size_t i = 0; i < ARRAY_SIZE(explicit_false); i++)
		if (strlen(explicit_false[i]) == len && strncasecmp(explicit_false[i], value, len) == 0)
			return true;
	return false;
}

/* vfio_boot.disable: disables binding unless its value is an explicit false. */
static void parse_disable(struct vb_config *cfg, const char *s, const struct vb_cmdline_param *p)
{
	const char *value = s + p->value;
	size_t cut = vb_utf8_cut(value, p->valuelen, 32);

	if (p->has_value && vb_disable_value_is_false(value, p->valuelen))
		return;
	if (!cfg->disabled) {
		if (!p->has_value)
			snprintf(cfg->disabled_by, sizeof(cfg->disabled_by), "vfio_boot.disable");
		else if (p->valuelen == 0)
			snprintf(cfg->disabled_by, sizeof(cfg->disabled_by),
				 "vfio_boot.disable= (an empty value)");
		else
			snprintf(cfg->disabled_by, sizeof(cfg->disabled_by), "vfio_boot.disable=%.*s%s",
				 (int)cut, value, cut < p->valuelen ? "..." : "");
	}
	cfg->disabled = true;
}

int vb_seconds_parse(const char *text, size_t len, unsigned *seconds)
{
	unsigned long value = 0;

	if (len == 0 || len > 6)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return -EINVAL;
		value = value * 10 + (unsigned long)(text[i] - '0');
	}
	if (value < 1 || value > VB_TIMEOUT_MAX)
		return -EINVAL;
	*seconds = (unsigned)value;
	return 0;
}

static int parse_param(struct vb_config *cfg, const char *s, const struct vb_cmdline_param *p)
{
	const char *value = s + p->value;
	size_t valuelen = p->valuelen;

	if (vb_cmdline_param_is(s, p, "vfio_boot.devices"))
		return vb_config_add_selectors(cfg, &cfg->select, "vfio_boot.devices", value,
					       valuelen);
	if (vb_cmdline_param_is(s, p, "vfio_boot.skip"))
		return vb_config_add_selectors(cfg, &cfg->skip, "vfio_boot.skip", value,
					       valuelen);
	if (vb_cmdline_param_is(s, p, "vfio_boot.disable"))
		parse_disable(cfg, s, p);
	if (vb_cmdline_param_is(s, p, "vfio_boot.modprobe_timeout") &&
	    vb_seconds_parse(value, valuelen, &cfg->modprobe_timeout) < 0)
		return vb_strv_add(&cfg->problems,
				   "vfio_boot.modprobe_timeout: '%.*s' is not 1 to %d seconds, ignored",
				   (int)vb_utf8_cut(value, valuelen, 16), value, VB_TIMEOUT_MAX);
	return 0;
}

int vb_config_parse_cmdline(struct vb_config *cfg, const char *cmdline)
{
	size_t len = strlen(cmdline), pos = 0;
	struct vb_cmdline_param p;

	while (vb_cmdline_next_param(cmdline, len, &pos, &p) && !vb_cmdline_is_end(cmdline, &p)) {
		int err = parse_param(cfg, cmdline, &p);

		if (err < 0)
			return err;
	}
	return 0;
}

int vb_config_text_check(const char *text, size_t len, char *why, size_t why_size)
{
	size_t pos = 0;

	if (len >= VB_CONFIG_FILE_MAX) {
		snprintf(why, why_size, "it would be %zu bytes; the limit is %d", len,
			 VB_CONFIG_FILE_MAX - 1);
		return -EFBIG;
	}
	if (memchr(text, '\0', len)) {
		snprintf(why, why_size, "it would hold a NUL byte");
		return -EFBIG;
	}
	for (unsigned lineno = 1; pos < len; lineno++) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t linelen = nl ? (size_t)(nl - text) - pos : len - pos;

		if (linelen > VB_CONFIG_LINE_MAX) {
			snprintf(why, why_size, "its line %u would be %zu bytes; the limit is %d",
				 lineno, linelen, VB_CONFIG_LINE_MAX);
			return -EFBIG;
		}
		pos += linelen + 1;
	}
	return 0;
}
