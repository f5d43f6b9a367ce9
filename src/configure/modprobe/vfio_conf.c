// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modprobe_ids.h"
#include "modprobe_text.h"
#include "ownblock.h"
#include "vfio_conf.h"

/* The first line of the whole-file format earlier versions wrote. */
static const char legacy_header[] =
	"# Written by `vfio-boot configure`; `vfio-boot unconfigure` restores what was here.\n";

static bool is_builtin(const char *module)
{
	return strstr(module, " (built-in)") != NULL;
}

int vb_render_claimants(const struct vb_render_input *in, struct vb_strv *modules)
{
	int err = 0;

	if (!in->snap || !in->claimants)
		return 0;
	for (size_t t = 0; t < in->plan->count && err == 0; t++) {
		const struct vb_strv *claims = &in->claimants[in->plan->targets[t].fn];

		if (!vb_target_taken(&in->plan->targets[t]))
			continue;
		for (size_t m = 0; m < claims->count && err == 0; m++)
			if (!is_builtin(claims->items[m]) && strcmp(claims->items[m], "vfio_pci") != 0)
				err = vb_strv_add_unique(modules, claims->items[m]);
	}
	vb_strv_sort(modules);
	return err;
}

/* The first function the host keeps that module would claim, or NULL. */
static const struct vb_pci_fn *kept_user(const struct vb_render_input *in, const char *module)
{
	for (size_t i = 0; i < in->snap->count; i++) {
		bool taken = false;

		for (size_t t = 0; t < in->plan->count; t++)
			if (in->plan->targets[t].fn == i && vb_target_taken(&in->plan->targets[t]))
				taken = true;
		if (!taken && vb_strv_contains(&in->claimants[i], module))
			return &in->snap->fns[i];
	}
	return NULL;
}

/* Where earlier versions, which wrote the whole file, kept the lines found there. */
static const char kept_marker[] =
	"# Kept from the file that was here before vfio-boot (unconfigure restores it):\n";

/* The other options of an ids= line (as modprobe reads it), as a line of their own, if any. */
static int options_without_ids(FILE *out, const char *line, size_t len)
{
	char *copy = vb_modprobe_line_joined(line, len), *save = NULL, *word;
	bool any = false;
	int n = 0;

	if (!copy)
		return -ENOMEM;
	for (word = strtok_r(copy, " \t", &save); word; word = strtok_r(NULL, " \t", &save), n++) {
		if (n < 2 || strncmp(word, "ids=", 4) == 0)
			continue;
		fprintf(out, "%s%s", any ? " " : "options vfio-pci ", word);
		any = true;
	}
	if (any)
		fputc('\n', out);
	free(copy);
	return 0;
}

/* Writes the len bytes at text (one or more lines) with '#' before each line. */
static void comment_out(FILE *out, const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (i == 0 || text[i - 1] == '\n')
			fputc('#', out);
		fputc(text[i], out);
	}
	fputc('\n', out);
}

/* The admin's lines, as they are but for ids= options (continuations and all), commented out. */
static int write_kept_lines(FILE *out, const char *text, struct vb_strv *notes)
{
	while (*text) {
		size_t len = vb_modprobe_line_len(text);

		if (vb_is_vfio_ids_option(text, len)) {
			char *joined = vb_modprobe_line_joined(text, len);

			fputs(vb_modprobe_text(VB_MODPROBE_IDS_COMMENTED), out);
			comment_out(out, text, len);
			if (!joined || options_without_ids(out, text, len) < 0 ||
			    vb_strv_add(notes, "commented out '%.200s' in /etc/modprobe.d/vfio.conf: "
					       "vfio-boot-bind binds the selected devices instead",
					joined) < 0) {
				free(joined);
				return -ENOMEM;
			}
			free(joined);
		} else {
			fwrite(text, 1, len, out);
			fputc('\n', out);
		}
		text += len + (text[len] == '\n');
	}
	return 0;
}

/*
 * Puts line back where write_kept_lines commented it out in *text: the
 * comment, "#LINE" and the line of its other options become LINE again.
 */
static int uncomment(char **text, size_t *len, const char *line, size_t llen)
{
	char *form = NULL, *rest = NULL, *found, *s;
	size_t flen = 0, rlen = 0, cut;
	FILE *f = open_memstream(&form, &flen), *r = open_memstream(&rest, &rlen);
	int err = f && r ? 0 : -ENOMEM;

	if (f) {
		fputs(vb_modprobe_text(VB_MODPROBE_IDS_COMMENTED), f);
		comment_out(f, line, llen);
		fclose(f);
	}
	if (r) {
		err = options_without_ids(r, line, llen);
		fclose(r);
	}
	found = err == 0 ? memmem(*text, *len, form, flen) : NULL;
	if (found) {
		cut = flen;
		if (rlen && (size_t)(*text + *len - (found + cut)) >= rlen &&
		    memcmp(found + cut, rest, rlen) == 0)
			cut += rlen;
		s = malloc(*len - cut + llen + 2);
		if (!s) {
			err = -ENOMEM;
		} else {
			size_t at = (size_t)(found - *text);

			memcpy(s, *text, at);
			memcpy(s + at, line, llen);
			s[at + llen] = '\n';
			memcpy(s + at + llen + 1, found + cut, *len - at - cut);
			*len = *len - cut + llen + 1;
			s[*len] = '\0';
			free(*text);
			*text = s;
		}
	}
	free(form);
	free(rest);
	return err;
}

/* The module's line of in->softdeps, written; else vfio-pci alone before it. */
static int write_softdep(const struct vb_render_input *in, const char *module, FILE *out)
{
	struct vb_softdep_line plain;
	int err;

	for (size_t i = 0; i < in->nsoftdeps; i++)
		if (strcmp(in->softdeps[i].module, module) == 0)
			return vb_softdep_line_write(&in->softdeps[i], out);
	err = vb_softdep_line_init(&plain, module);
	if (err == 0)
		err = vb_softdep_line_write(&plain, out);
	vb_softdep_line_free(&plain);
	return err;
}

char *vb_render_modprobe(const struct vb_render_input *in, struct vb_strv *notes)
{
	struct vb_strv modules = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	int err;

	err = vb_render_claimants(in, &modules);
	if (err < 0 || !(out = open_memstream(&text, &len))) {
		vb_strv_free(&modules);
		return NULL;
	}
	if (modules.count)
		vb_modprobe_text_fill(out, VB_MODPROBE_HEADER, NULL);
	for (size_t m = 0; m < modules.count && err == 0; m++)
		err = write_softdep(in, modules.items[m], out);
	for (size_t m = 0; in->blacklist && m < modules.count && err == 0; m++) {
		const struct vb_pci_fn *user = kept_user(in, modules.items[m]);
		if (user) {
			err = vb_strv_add(notes, "not blacklisting %s: the host keeps %s, which needs it",
					  modules.items[m], user->name);
			continue;
		}
		vb_modprobe_text_fill(out, VB_MODPROBE_BLACKLIST, "MODULE", modules.items[m], NULL);
	}
	vb_strv_free(&modules);
	if (fclose(out) != 0 || err < 0) {
		free(text);
		return NULL;
	}
	return text;
}

int vb_modprobe_admins_lines(const char *current, size_t len, char **out, size_t *outlen)
{
	const char *kept;

	if (len >= strlen(legacy_header) &&
	    strncmp(current, legacy_header, strlen(legacy_header)) == 0) {
		kept = strstr(current, kept_marker);
		kept = kept ? kept + strlen(kept_marker) : current + len;
		*out = strndup(kept, (size_t)(current + len - kept));
		*outlen = *out ? strlen(*out) : 0;
		return *out ? 0 : -ENOMEM;
	}
	return vb_ownblock_set(current, len, "", out, outlen);
}

int vb_modprobe_own_lines(const char *text, size_t len, char **out)
{
	if (len >= strlen(legacy_header) && strncmp(text, legacy_header, strlen(legacy_header)) == 0) {
		const char *kept = strstr(text, kept_marker);

		*out = strndup(text, kept ? (size_t)(kept - text) : len);
		return *out ? 0 : -ENOMEM;
	}
	return vb_ownblock_get(text, len, out);
}

int vb_render_modprobe_file(const char *current, size_t len, const char *body, bool first,
			    char **out, size_t *outlen, struct vb_strv *notes)
{
	char *admin = NULL, *text = NULL;
	size_t alen = 0, tlen = 0;
	FILE *f;
	int err = vb_modprobe_admins_lines(current, len, &admin, &alen);

	if (err < 0)
		return err;
	f = open_memstream(&text, &tlen);
	err = f ? write_kept_lines(f, admin, notes) : -ENOMEM;
	if (f && fclose(f) != 0 && err == 0)
		err = -ENOMEM;
	if (err == 0)
		err = (first ? vb_ownblock_set_first : vb_ownblock_set)(text ? text : "", tlen, body,
								       out, outlen);
	free(admin);
	free(text);
	return err;
}

int vb_render_modprobe_undo(const char *now, size_t nlen, const char *old, size_t olen,
			    char **out, size_t *outlen)
{
	char *body = NULL, *text = NULL;
	size_t tlen = 0;
	int err = vb_ownblock_get(old, olen, &body);

	if (err == 0)
		err = vb_ownblock_set(now, nlen, body, &text, &tlen);
	/* Each ids= line of old that this edit commented out gets its own form back. */
	for (const char *line = old; err == 0 && *line && line < old + olen;) {
		size_t llen = vb_modprobe_line_len(line);

		if (vb_is_vfio_ids_option(line, llen))
			err = uncomment(&text, &tlen, line, llen);
		line += llen + (line[llen] == '\n');
	}
	free(body);
	if (err < 0) {
		free(text);
		return err;
	}
	*out = text;
	*outlen = tlen;
	return 0;
}
