// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bootargs.h"
#include "changeset.h"
#include "config.h"
#include "kcmdline.h"
#include "run.h"

#define OUTPUT_MAX (1024 * 1024)
/* A question to grubby or kernelstub changes nothing: one that hangs is given up. */
#define QUERY_TIMEOUT_MS 60000u

/* Runs argv in the tree with its stdout and stderr caught in *out. Returns its status or -errno. */
static int run_caught(const struct vb_root *root, const char *const *argv, char **out)
{
	int fd = memfd_create("vfio-boot-output", MFD_CLOEXEC), saved_out, saved_err, rc;
	ssize_t n;
	size_t len = 0;

	*out = NULL;
	if (fd < 0)
		return -errno;
	fflush(NULL);
	saved_out = dup(STDOUT_FILENO);
	saved_err = dup(STDERR_FILENO);
	if (saved_out < 0 || saved_err < 0 || dup2(fd, STDOUT_FILENO) < 0 ||
	    dup2(fd, STDERR_FILENO) < 0)
		rc = -errno;
	else
		rc = vb_run(root, argv, QUERY_TIMEOUT_MS);
	if (saved_out >= 0)
		dup2(saved_out, STDOUT_FILENO), close(saved_out);
	if (saved_err >= 0)
		dup2(saved_err, STDERR_FILENO), close(saved_err);
	*out = malloc(OUTPUT_MAX + 1);
	if (!*out) {
		close(fd);
		return -ENOMEM;
	}
	while ((n = pread(fd, *out + len, OUTPUT_MAX - len, (off_t)len)) > 0)
		len += (size_t)n;
	(*out)[len] = '\0';
	close(fd);
	return rc;
}

void vb_bootargs_free(struct vb_boot_entries *e)
{
	for (size_t i = 0; i < e->count; i++) {
		free(e->items[i].kernel);
		free(e->items[i].args);
	}
	free(e->items);
	e->items = NULL;
	e->count = 0;
}

static int add_entry(struct vb_boot_entries *e, const char *kernel, const char *args)
{
	struct vb_boot_entry *grown = realloc(e->items, (e->count + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	e->items = grown;
	grown[e->count].kernel = kernel ? strdup(kernel) : NULL;
	grown[e->count].args = strdup(args);
	if ((kernel && !grown[e->count].kernel) || !grown[e->count].args) {
		free(grown[e->count].kernel);
		free(grown[e->count].args);
		return -ENOMEM;
	}
	e->count++;
	return 0;
}

/* A grubby value: the rest of the line, its surrounding quotes dropped. */
static char *value_of(const char *line, size_t prefix)
{
	const char *v = line + prefix;
	size_t len = strcspn(v, "\n");

	if (len >= 2 && v[0] == '"' && v[len - 1] == '"') {
		v++;
		len -= 2;
	}
	return strndup(v, len);
}

static const char *next_line(const char *line)
{
	line += strcspn(line, "\n");
	return *line ? line + 1 : line;
}

/* grubby --info=ALL: "index=N", then kernel= and args= lines for each entry. */
static int parse_grubby(const char *text, struct vb_boot_entries *e)
{
	char *kernel = NULL, *args = NULL;
	int err = 0;

	for (const char *line = text; err == 0 && *line; line = next_line(line)) {
		bool index = strncmp(line, "index=", 6) == 0;

		if (index && kernel && args)
			err = add_entry(e, kernel, args);
		if (index) {
			free(kernel);
			free(args);
			kernel = args = NULL;
		} else if (strncmp(line, "kernel=", 7) == 0 && !kernel) {
			kernel = value_of(line, 7);
			err = kernel ? 0 : -ENOMEM;
		} else if (strncmp(line, "args=", 5) == 0 && !args) {
			args = value_of(line, 5);
			err = args ? 0 : -ENOMEM;
		}
	}
	if (err == 0 && kernel && args)
		err = add_entry(e, kernel, args);
	free(kernel);
	free(args);
	return err;
}

/* kernelstub --print-config logs "Kernel Boot Options:.....FLAGS". */
static int parse_kernelstub(const char *text, struct vb_boot_entries *e)
{
	const char *p = strstr(text, "Kernel Boot Options:");
	char *args;
	int err;

	if (!p)
		return -EBADMSG;
	p += strlen("Kernel Boot Options:");
	p += strspn(p, ".");
	args = strndup(p, strcspn(p, "\n"));
	if (!args)
		return -ENOMEM;
	err = add_entry(e, NULL, args);
	free(args);
	return err;
}

int vb_bootargs_read(const struct vb_root *root, enum vb_bootloader bl,
		     struct vb_boot_entries *e, char *why, size_t size)
{
	static const char *const grubby[] = { "grubby", "--info=ALL", NULL };
	static const char *const kernelstub[] = { "kernelstub", "--print-config", NULL };
	const char *const *argv = bl == VB_BOOTLOADER_GRUBBY ? grubby : kernelstub;
	char *out = NULL;
	int rc;

	memset(e, 0, sizeof(*e));
	rc = run_caught(root, argv, &out);
	if (rc == 0)
		rc = bl == VB_BOOTLOADER_GRUBBY ? parse_grubby(out, e) : parse_kernelstub(out, e);
	else if (rc > 0)
		rc = -ECANCELED;
	if (rc < 0)
		snprintf(why, size, "cannot read the kernel flags with %s %s: %s", argv[0], argv[1],
			 rc == -ECANCELED ? "it failed" :
			 rc == -EBADMSG	  ? "its output was not understood" :
					    vb_strerror(rc));
	free(out);
	if (rc < 0)
		vb_bootargs_free(e);
	return rc;
}

int vb_bootargs_split(const char *list, struct vb_strv *words)
{
	size_t len = strlen(list), pos = 0;
	struct vb_cmdline_param p;

	while (vb_cmdline_next_param(list, len, &pos, &p))
		if (vb_strv_add(words, "%.*s", (int)p.len, list + p.start) < 0)
			return -ENOMEM;
	return 0;
}

static int add_argv(struct vb_strv *argv, const char *tool, const char *target, const char *opt1,
		    const struct vb_strv *list1, const char *opt2, const struct vb_strv *list2)
{
	char *a = list1 && list1->count ? vb_argv_line(list1) : NULL;
	char *b = list2 && list2->count ? vb_argv_line(list2) : NULL;
	int err = vb_strv_add(argv, "%s", tool);

	if (err == 0 && target)
		err = vb_strv_add(argv, "--update-kernel=%s", target);
	if (err == 0 && a)
		err = vb_strv_add(argv, "%s", opt1) < 0 || vb_strv_add(argv, "%s", a) < 0 ? -ENOMEM : 0;
	if (err == 0 && b)
		err = vb_strv_add(argv, "%s", opt2) < 0 || vb_strv_add(argv, "%s", b) < 0 ? -ENOMEM : 0;
	if ((list1 && list1->count && !a) || (list2 && list2->count && !b))
		err = -ENOMEM;
	free(a);
	free(b);
	return err;
}

static int push(struct vb_bootargs_command **cmds, size_t *n)
{
	struct vb_bootargs_command *grown = realloc(*cmds, (*n + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	memset(&grown[*n], 0, sizeof(grown[*n]));
	*cmds = grown;
	(*n)++;
	return 0;
}

void vb_bootargs_commands_free(struct vb_bootargs_command *cmds, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		vb_strv_free(&cmds[i].argv);
		vb_strv_free(&cmds[i].undo);
	}
	free(cmds);
}

/* The word with flag's key in args ("" for none): exact, or another value. */
static void word_with_key(const char *args, const char *flag, char *word, size_t size)
{
	size_t len = strlen(args), pos = 0;
	struct vb_cmdline_param p;

	word[0] = '\0';
	while (!word[0] && vb_cmdline_next_param(args, len, &pos, &p) &&
	       !vb_cmdline_is_end(args, &p)) {
		char w[512];

		snprintf(w, sizeof(w), "%.*s", (int)p.len, args + p.start);
		if (vb_cmdline_has_key(w, flag))
			snprintf(word, size, "%s", w);
	}
}

/* A command with its undo: tool [target] opt words, undone by tool [target] undo_opt words. */
static int push_pair(struct vb_bootargs_command **cmds, size_t *n, const char *tool,
		     const char *target, const char *opt, const char *undo_opt,
		     const struct vb_strv *words)
{
	int err = push(cmds, n);

	if (err == 0)
		err = add_argv(&(*cmds)[*n - 1].argv, tool, target, opt, words, NULL, NULL);
	if (err == 0)
		err = add_argv(&(*cmds)[*n - 1].undo, tool, target, undo_opt, words, NULL, NULL);
	return err;
}

/* A guide's leftovers (kcmdline.h) in an entry: taken out, put back by the undo. */
static int drop_leftovers(struct vb_bootargs_command **cmds, size_t *n, const char *tool,
			  const char *target, const char *args, const char *del, const char *put)
{
	struct vb_strv words = { 0 };
	int err = vb_cmdline_leftovers(args, &words);

	if (err == 0 && words.count)
		err = push_pair(cmds, n, tool, target, del, put, &words);
	vb_strv_free(&words);
	return err;
}

static int plan_grubby(const struct vb_boot_entries *e, const struct vb_strv *add,
		       const struct vb_strv *remove, struct vb_bootargs_command **cmds, size_t *n)
{
	struct vb_strv all = { 0 }, stale = { 0 };
	int err = 0;

	for (size_t i = 0; err == 0 && i < e->count; i++)
		err = drop_leftovers(cmds, n, "grubby", e->items[i].kernel, e->items[i].args,
				     "--remove-args", "--args");

	for (size_t f = 0; err == 0 && remove && f < remove->count; f++) {
		bool present = false;

		for (size_t i = 0; i < e->count; i++) {
			char w[512];

			word_with_key(e->items[i].args, remove->items[f], w, sizeof(w));
			present = present || strcmp(w, remove->items[f]) == 0;
		}
		if (present && !(add && vb_strv_contains(add, remove->items[f])))
			err = vb_strv_add(&stale, "%s", remove->items[f]);
	}
	/* A flag no entry has the key of goes to all; the others entry by entry. */
	for (size_t f = 0; err == 0 && f < add->count; f++) {
		bool any = false;

		for (size_t i = 0; i < e->count; i++) {
			char w[512];

			word_with_key(e->items[i].args, add->items[f], w, sizeof(w));
			any = any || w[0];
		}
		if (!any)
			err = vb_strv_add(&all, "%s", add->items[f]);
	}
	if (err == 0 && stale.count)
		err = push_pair(cmds, n, "grubby", "ALL", "--remove-args", "--args", &stale);
	if (err == 0 && all.count)
		err = push_pair(cmds, n, "grubby", "ALL", "--args", "--remove-args", &all);
	for (size_t i = 0; err == 0 && i < e->count; i++) {
		struct vb_strv put = { 0 }, added = { 0 }, replaced = { 0 };

		for (size_t f = 0; err == 0 && f < add->count; f++) {
			const char *flag = add->items[f];
			char w[512], *word;

			if (vb_strv_contains(&all, flag) || vb_cmdline_has_all(e->items[i].args, &flag, 1))
				continue;
			word_with_key(e->items[i].args, flag, w, sizeof(w));
			/* grubby puts a word in place of the key's: intel_iommu= keeps its options. */
			word = w[0] ? vb_cmdline_merged(w, flag) : strdup(flag);
			err = word ? vb_strv_add(&put, "%s", word) : -ENOMEM;
			if (err == 0)
				err = w[0] ? vb_strv_add(&replaced, "%s", w) :
					     vb_strv_add(&added, "%s", flag);
			free(word);
		}
		if (err == 0 && put.count && (err = push(cmds, n)) == 0) {
			const char *k = e->items[i].kernel;

			err = add_argv(&(*cmds)[*n - 1].argv, "grubby", k, "--args", &put, NULL, NULL);
			if (err == 0)
				err = add_argv(&(*cmds)[*n - 1].undo, "grubby", k, "--remove-args", &added,
					       "--args", &replaced);
		}
		vb_strv_free(&put);
		vb_strv_free(&added);
		vb_strv_free(&replaced);
	}
	vb_strv_free(&all);
	vb_strv_free(&stale);
	return err;
}

static int plan_kernelstub(const struct vb_boot_entries *e, const struct vb_strv *add,
			   const struct vb_strv *remove, struct vb_bootargs_command **cmds,
			   size_t *n)
{
	const char *args = e->count ? e->items[0].args : "";
	struct vb_strv put = { 0 }, stale = { 0 }, have = { 0 };
	int err = vb_bootargs_split(args, &have);

	if (err == 0)
		err = drop_leftovers(cmds, n, "kernelstub", NULL, args, "-d", "-a");
	for (size_t f = 0; err == 0 && remove && f < remove->count; f++)
		if (vb_strv_contains(&have, remove->items[f]) && !vb_strv_contains(add, remove->items[f]))
			err = vb_strv_add(&stale, "%s", remove->items[f]);
	/* kernelstub adds a word of its own: the kernel reads intel_iommu= words one by one. */
	for (size_t f = 0; err == 0 && f < add->count; f++)
		if (!vb_cmdline_has_all(args, (const char *const *)&add->items[f], 1))
			err = vb_strv_add(&put, "%s", add->items[f]);
	if (err == 0 && stale.count)
		err = push_pair(cmds, n, "kernelstub", NULL, "-d", "-a", &stale);
	if (err == 0 && put.count)
		err = push_pair(cmds, n, "kernelstub", NULL, "-a", "-d", &put);
	vb_strv_free(&put);
	vb_strv_free(&stale);
	vb_strv_free(&have);
	return err;
}

int vb_bootargs_plan(enum vb_bootloader bl, const struct vb_boot_entries *e,
		     const struct vb_strv *add, const struct vb_strv *remove,
		     struct vb_bootargs_command **cmds, size_t *n)
{
	int err;

	*cmds = NULL;
	*n = 0;
	err = bl == VB_BOOTLOADER_GRUBBY ? plan_grubby(e, add, remove, cmds, n) :
	      bl == VB_BOOTLOADER_KERNELSTUB ? plan_kernelstub(e, add, remove, cmds, n) :
					       0;
	if (err < 0) {
		vb_bootargs_commands_free(*cmds, *n);
		*cmds = NULL;
		*n = 0;
	}
	return err;
}

int vb_bootargs_ours(enum vb_bootloader bl, const struct vb_step *done, size_t n,
		     struct vb_strv *ours)
{
	const char *tool = bl == VB_BOOTLOADER_GRUBBY ? "grubby" : "kernelstub";
	const char *add = bl == VB_BOOTLOADER_GRUBBY ? "--args" : "-a";
	const char *del = bl == VB_BOOTLOADER_GRUBBY ? "--remove-args" : "-d";
	int err = 0;

	for (size_t i = 0; err == 0 && i < n; i++) {
		const struct vb_strv *argv = &done[i].argv;

		if (done[i].kind != VB_STEP_COMMAND || strcmp(argv->items[0], tool) != 0)
			continue;
		for (size_t a = 1; err == 0 && a + 1 < argv->count; a++) {
			struct vb_strv words = { 0 };

			if (strcmp(argv->items[a], add) != 0 && strcmp(argv->items[a], del) != 0)
				continue;
			err = vb_bootargs_split(argv->items[a + 1], &words);
			for (size_t w = 0; err == 0 && w < words.count; w++) {
				if (strcmp(argv->items[a], add) == 0) {
					err = vb_strv_add_unique(ours, vb_cmdline_own_flag(words.items[w]));
					continue;
				}
				for (size_t o = 0; o < ours->count; o++)
					if (strcmp(ours->items[o], words.items[w]) == 0) {
						free(ours->items[o]);
						ours->items[o] = ours->items[--ours->count];
						break;
					}
			}
			vb_strv_free(&words);
		}
	}
	return err;
}
