// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <libkmod.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "kmodconf.h"

#define CONF_FILE_MAX (1024 * 1024)

/*
 * kmod's modprobe.d directories in the order it searches them. /usr/lib is
 * kmod 34's; on a merged-/usr system it is /lib, and where it is not, kmod
 * 30 does not read it: a file there can only add lines to what is checked.
 */
static const char *const conf_dirs[] = {
	"etc/modprobe.d", "run/modprobe.d", "usr/local/lib/modprobe.d", "usr/lib/modprobe.d",
	"lib/modprobe.d",
};
#define ETC_DIR 0

static void kmod_quiet(void *data, int priority, const char *file, int line, const char *fn,
		       const char *format, va_list args)
{
	(void)data, (void)priority, (void)file, (void)line, (void)fn, (void)format, (void)args;
}

/* kmod's underscores(): '-' as '_' outside [...]; -EINVAL for brackets out of order. */
static int underscores(char *s)
{
	if (!s)
		return -EINVAL;
	for (size_t i = 0; s[i]; i++) {
		if (s[i] == '-') {
			s[i] = '_';
		} else if (s[i] == ']') {
			return -EINVAL;
		} else if (s[i] == '[') {
			i += strcspn(s + i, "]");
			if (!s[i])
				return -EINVAL;
		}
	}
	return 0;
}

/*
 * The next line of text (up to end) as kmod's freadline_wrapped() reads it,
 * in a new string; NULL at the end (or on ENOMEM, with *err set).
 */
static char *next_line(const char **p, const char *end, int *err)
{
	size_t cap = 128, n = 0;
	char *buf;

	if (*p >= end)
		return NULL;
	buf = malloc(cap);
	while (buf && *p < end) {
		char c = *(*p)++;

		if (c == '\n')
			break;
		if (c == '\\') {
			if (*p >= end) {
				c = (char)EOF; /* kmod stores getc()'s EOF */
			} else {
				c = *(*p)++;
				if (c == '\n')
					continue;
			}
		}
		if (n + 1 == cap) {
			char *grown = realloc(buf, cap *= 2);

			if (!grown) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = grown;
		}
		buf[n++] = c;
	}
	if (!buf) {
		*err = -ENOMEM;
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* Adds the line if kmod_config_parse() would take it as a softdep, install or alias line. */
static int parse_line(struct vb_kmodconf_file *f, char *line)
{
	char *save = NULL, *cmd, *key, *rest;
	struct vb_kmodconf_line *grown, *l;

	if (line[0] == '\0' || line[0] == '#')
		return 0;
	cmd = strtok_r(line, "\t ", &save);
	if (!cmd || (strcmp(cmd, "softdep") != 0 && strcmp(cmd, "install") != 0 &&
		     strcmp(cmd, "alias") != 0))
		return 0;
	key = strtok_r(NULL, "\t ", &save);
	/* As kmod splits them: an alias's module is one word, the rest of a line is all of it. */
	rest = strtok_r(NULL, strcmp(cmd, "alias") == 0 ? "\t " : "", &save);
	if (underscores(key) < 0 || !rest || (strcmp(cmd, "alias") == 0 && underscores(rest) < 0))
		return 0;
	grown = realloc(f->lines, (f->nlines + 1) * sizeof(*f->lines));
	if (!grown)
		return -ENOMEM;
	f->lines = grown;
	l = &f->lines[f->nlines];
	l->cmd = strdup(cmd);
	l->key = strdup(key);
	l->rest = strdup(rest);
	f->nlines++;
	return l->cmd && l->key && l->rest ? 0 : -ENOMEM;
}

static void free_lines(struct vb_kmodconf_file *f)
{
	for (size_t i = 0; i < f->nlines; i++) {
		free(f->lines[i].cmd);
		free(f->lines[i].key);
		free(f->lines[i].rest);
	}
	free(f->lines);
	f->lines = NULL;
	f->nlines = 0;
}

static int parse_text(struct vb_kmodconf_file *f, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	char *line;
	int err = 0;

	while (err == 0 && (line = next_line(&p, end, &err)) != NULL) {
		err = parse_line(f, line);
		free(line);
	}
	return err;
}

static int add_file(struct vb_kmodconf *conf, unsigned dir, const char *name, const char *text,
		    size_t len)
{
	struct vb_kmodconf_file *grown = realloc(conf->files, (conf->count + 1) * sizeof(*grown));
	struct vb_kmodconf_file *f;

	if (!grown)
		return -ENOMEM;
	conf->files = grown;
	f = &conf->files[conf->count++];
	memset(f, 0, sizeof(*f));
	f->dir = dir;
	f->name = strdup(name);
	if (!f->name || asprintf(&f->path, "/%s/%s", conf_dirs[dir], name) < 0) {
		f->path = NULL;
		return -ENOMEM;
	}
	return parse_text(f, text, len);
}

/* kmod's conf_files_filter_out() for a name: only *.conf and *.alias, no dot files. */
static bool conf_name(const char *name)
{
	size_t len = strlen(name);

	return name[0] != '.' && len >= 6 &&
	       (strcmp(name + len - 5, ".conf") == 0 || strcmp(name + len - 6, ".alias") == 0);
}

/* Reads rel (a modprobe.d entry) into conf; a directory or a dangling link is passed over. */
static int read_entry(struct vb_kmodconf *conf, const struct vb_root *root, unsigned dir,
		      const char *rel, const char *name)
{
	int fd = vb_root_open(root, rel, O_PATH, 0), err = fd < 0 ? fd : 0;
	char *text = NULL;
	struct stat st;
	size_t len = 0;

	if (err == 0 && fstat(fd, &st) < 0)
		err = -errno;
	if (fd >= 0)
		close(fd);
	if (err == -ENOENT || (err == 0 && S_ISDIR(st.st_mode)))
		return 0;
	if (err == 0)
		err = vb_root_read_file(root, rel, CONF_FILE_MAX, &text, &len, NULL);
	if (err == 0)
		err = add_file(conf, dir, name, text, len);
	free(text);
	return err;
}

static int read_dir(struct vb_kmodconf *conf, const struct vb_root *root, unsigned dir,
		    char *why, size_t size)
{
	int fd = vb_root_open(root, conf_dirs[dir], O_RDONLY | O_DIRECTORY, 0), err = 0;
	char rel[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (fd == -ENOENT)
		return 0;
	/* A file where the directory should be: kmod reads it as one config file. */
	if (fd == -ENOTDIR)
		err = read_entry(conf, root, dir, conf_dirs[dir], "modprobe.d");
	if (fd < 0) {
		err = fd == -ENOTDIR ? err : fd;
		if (err < 0)
			snprintf(why, size, "cannot read /%s: %s", conf_dirs[dir], vb_strerror(err));
		return err;
	}
	d = fdopendir(fd);
	if (!d) {
		err = -errno;
		close(fd);
		snprintf(why, size, "cannot read /%s: %s", conf_dirs[dir], vb_strerror(err));
		return err;
	}
	while (err == 0 && (de = readdir(d)) != NULL) {
		if (!conf_name(de->d_name))
			continue;
		if (snprintf(rel, sizeof(rel), "%s/%s", conf_dirs[dir], de->d_name) >=
		    (int)sizeof(rel))
			err = -ENAMETOOLONG;
		else
			err = read_entry(conf, root, dir, rel, de->d_name);
		if (err < 0)
			snprintf(why, size, "cannot read /%s/%s: %s", conf_dirs[dir], de->d_name,
				 vb_strerror(err));
	}
	closedir(d);
	return err;
}

int vb_kmodconf_read(struct vb_kmodconf *conf, const struct vb_root *root, char *why,
		     size_t size)
{
	int err = 0;

	memset(conf, 0, sizeof(*conf));
	for (unsigned d = 0; err == 0 && d < ARRAY_SIZE(conf_dirs); d++)
		err = read_dir(conf, root, d, why, size);
	if (err == -ENOMEM)
		snprintf(why, size, "out of memory");
	if (err < 0)
		vb_kmodconf_free(conf);
	return err;
}

int vb_kmodconf_set(struct vb_kmodconf *conf, const char *name, const char *text, size_t len)
{
	for (size_t i = 0; i < conf->count; i++) {
		struct vb_kmodconf_file *f = &conf->files[i];

		if (f->dir != ETC_DIR || strcmp(f->name, name) != 0)
			continue;
		free_lines(f);
		if (text)
			return parse_text(f, text, len);
		free(f->name);
		free(f->path);
		conf->files[i] = conf->files[--conf->count];
		return 0;
	}
	return text ? add_file(conf, ETC_DIR, name, text, len) : 0;
}

void vb_kmodconf_free(struct vb_kmodconf *conf)
{
	for (size_t i = 0; i < conf->count; i++) {
		free_lines(&conf->files[i]);
		free(conf->files[i].name);
		free(conf->files[i].path);
	}
	free(conf->files);
	memset(conf, 0, sizeof(*conf));
}

/* By name, then by directory: kmod reads the first of two files of one name. */
static int by_kmod_order(const void *a, const void *b)
{
	const struct vb_kmodconf_file *fa = *(const struct vb_kmodconf_file *const *)a;
	const struct vb_kmodconf_file *fb = *(const struct vb_kmodconf_file *const *)b;
	int cmp = strcmp(fa->name, fb->name);

	return cmp ? cmp : (fa->dir > fb->dir) - (fa->dir < fb->dir);
}

/* Writes a word of a line so that kmod reads it back as it is. */
static void put_word(FILE *out, const char *word)
{
	for (; *word; word++) {
		if (*word == '\\')
			fputc('\\', out);
		fputc(*word, out);
	}
}

/* The lines of files[0..count) as kmod_config_parse() reads them back. */
static void write_lines(FILE *out, const struct vb_kmodconf_file *const *files, size_t count)
{
	for (size_t i = 0; i < count; i++)
		for (size_t l = 0; l < files[i]->nlines; l++) {
			const struct vb_kmodconf_line *line = &files[i]->lines[l];

			fprintf(out, "%s ", line->cmd);
			put_word(out, line->key);
			fputc(' ', out);
			put_word(out, line->rest);
			fputc('\n', out);
		}
}

void vb_kmodconf_write(const struct vb_kmodconf_file *f, FILE *out)
{
	write_lines(out, &f, 1);
}

/* Kernel k's modules.softdep, read here as the view's files are (kmodinfo.c checked it is a file). */
static int read_kernel_softdep(const struct vb_kmodview *view, size_t k,
			       struct vb_kmodconf_file *f)
{
	int fd = openat(view->km->dirfd[k], "modules.softdep",
			O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	char *text = NULL;
	struct stat st;
	size_t len = 0;
	int err = fd < 0 ? -errno : 0;

	if (err == -ENOENT)
		return 0;
	if (err == 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)))
		err = -VB_EFILETYPE;
	if (err == 0) {
		err = vb_read_fd(fd, &st, CONF_FILE_MAX, &text, &len);
		fd = -1;
	}
	if (fd >= 0)
		close(fd);
	if (err == 0)
		err = parse_text(f, text, len);
	free(text);
	return err;
}

/*
 * A libkmod context for kernel k reading the view's lines. libkmod takes
 * config files by path: it gets one, an anonymous file in memory
 * (/proc/self/fd/N, which kmod names "N", a number: it sorts before
 * "modules.softdep"), holding every line in kmod's order, the kernel's own
 * modules.softdep lines in their place. libkmod then reads modules.softdep
 * again after them; those repeated lines never come first. Nothing is left
 * anywhere, whatever happens to this process.
 */
static int open_kernel_ctx(struct vb_kmodview *view, size_t k)
{
	const struct vb_kmodconf_file *const kernel[] = { &view->kernel[k] };
	char path[64], kdir[64];
	const char *paths[] = { path, NULL };
	int fd = memfd_create("vfio-boot-modprobe.d", MFD_CLOEXEC);
	int wfd = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1;
	FILE *out = wfd >= 0 ? fdopen(wfd, "w") : NULL;
	int err = out ? 0 : fd < 0 || wfd < 0 ? -errno : -ENOMEM;

	if (!out && wfd >= 0)
		close(wfd);

	if (err == 0) {
		write_lines(out, view->order, view->before);
		write_lines(out, kernel, 1);
		write_lines(out, view->order + view->before, view->count - view->before);
		err = fclose(out) == 0 ? 0 : -errno;
		out = NULL;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	/* The kernel's directory as opened in the tree (kmodinfo.c). */
	snprintf(kdir, sizeof(kdir), "/proc/self/fd/%d", view->km->dirfd[k]);
	if (err == 0) {
		view->ctx[k] = kmod_new(kdir, paths);
		err = view->ctx[k] ? 0 : -ENOMEM;
	}
	if (err == 0) {
		kmod_set_log_fn(view->ctx[k], kmod_quiet, NULL);
		kmod_load_resources(view->ctx[k]);
	}
	if (out)
		fclose(out);
	if (fd >= 0)
		close(fd);
	return err;
}

int vb_kmodview_open(struct vb_kmodview *view, const struct vb_kmodconf *conf,
		     const struct vb_kmod *km, char *why, size_t size)
{
	size_t nk = km->kernels.count;
	int err = 0;

	memset(view, 0, sizeof(*view));
	view->km = km;
	view->order = calloc(conf->count + 1, sizeof(*view->order));
	view->ctx = calloc(nk + 1, sizeof(*view->ctx));
	view->kernel = calloc(nk + 1, sizeof(*view->kernel));
	if (!view->order || !view->ctx || !view->kernel) {
		snprintf(why, size, "out of memory");
		vb_kmodview_close(view);
		return -ENOMEM;
	}
	for (size_t i = 0; i < conf->count; i++)
		view->order[i] = &conf->files[i];
	qsort(view->order, conf->count, sizeof(*view->order), by_kmod_order);
	for (size_t i = 0; i < conf->count; i++)
		if (view->count == 0 ||
		    strcmp(view->order[view->count - 1]->name, view->order[i]->name) != 0)
			view->order[view->count++] = view->order[i];
	while (view->before < view->count &&
	       strcmp(view->order[view->before]->name, "modules.softdep") < 0)
		view->before++;
	for (size_t k = 0; err == 0 && k < nk; k++) {
		err = read_kernel_softdep(view, k, &view->kernel[k]);
		if (err < 0)
			snprintf(why, size, "cannot read lib/modules/%s/modules.softdep: %s",
				 km->kernels.items[k], vb_strerror(err));
		else if ((err = open_kernel_ctx(view, k)) < 0)
			snprintf(why, size, "cannot hand the modprobe configuration to libkmod: %s",
				 vb_strerror(err));
	}
	if (err < 0)
		vb_kmodview_close(view);
	return err;
}

void vb_kmodview_close(struct vb_kmodview *view)
{
	for (size_t k = 0; view->ctx && k < view->km->kernels.count; k++)
		if (view->ctx[k])
			kmod_unref(view->ctx[k]);
	for (size_t k = 0; view->kernel && k < view->km->kernels.count; k++)
		free_lines(&view->kernel[k]);
	free(view->kernel);
	free(view->ctx);
	free(view->order);
	memset(view, 0, sizeof(*view));
}

/* The n-th cmd line of files[0..count), and its file (NULL past the last). */
static const struct vb_kmodconf_line *nth_line(const struct vb_kmodconf_file *const *files,
					       size_t count, const char *cmd, size_t n,
					       const struct vb_kmodconf_file **file)
{
	for (size_t i = 0; i < count; i++)
		for (size_t l = 0; l < files[i]->nlines; l++)
			if (strcmp(files[i]->lines[l].cmd, cmd) == 0 && n-- == 0) {
				*file = files[i];
				return &files[i]->lines[l];
			}
	return NULL;
}

/* How many cmd lines files[0..count) hold. */
static size_t count_lines(const struct vb_kmodconf_file *const *files, size_t count,
			  const char *cmd)
{
	size_t n = 0;

	for (size_t i = 0; i < count; i++)
		for (size_t l = 0; l < files[i]->nlines; l++)
			n += strcmp(files[i]->lines[l].cmd, cmd) == 0;
	return n;
}

/*
 * What libkmod's line at index (of its cmd lines, for kernel k) says, and
 * where it is: libkmod's list holds the view's lines before modules.softdep,
 * the kernel's, those after it (open_kernel_ctx), then the kernel's again.
 * The text comes from this file's reading of the line (libkmod's rendering
 * of a softdep runs its pre and post lists together), and only when it is
 * the line libkmod has (key).
 */
static int line_at(const struct vb_kmodview *view, size_t k, const char *cmd, size_t index,
		   const char *key, char **rest, char **from)
{
	const struct vb_kmodconf_file *file = NULL, *const kernel[] = { &view->kernel[k] };
	size_t before = count_lines(view->order, view->before, cmd);
	size_t own = count_lines(kernel, 1, cmd);
	const struct vb_kmodconf_line *line;

	if (index >= before && index < before + own) {
		line = nth_line(kernel, 1, cmd, index - before, &file);
		if (asprintf(from, "/lib/modules/%s/modules.softdep", view->km->kernels.items[k]) < 0) {
			*from = NULL;
			return -ENOMEM;
		}
	} else {
		line = nth_line(view->order, view->count, cmd, index < before ? index : index - own,
				&file);
		*from = line ? strdup(file->path) : NULL;
		if (line && !*from)
			return -ENOMEM;
	}
	if (line && strcmp(line->key, key) == 0) {
		*rest = strdup(line->rest);
		return *rest ? 0 : -ENOMEM;
	}
	return 0;
}

int vb_kmodview_first(const struct vb_kmodview *view, size_t k, const char *cmd,
		      const char *module, char **rest, char **from)
{
	bool softdep = strcmp(cmd, "softdep") == 0;
	struct kmod_config_iter *it;
	size_t index = 0, found = 0;
	char *key = NULL;
	int err = 0;

	*rest = *from = NULL;
	/* All of libkmod's lines: the first that matches, and how many there are. */
	it = softdep ? kmod_config_get_softdeps(view->ctx[k]) :
		       kmod_config_get_install_commands(view->ctx[k]);
	if (!it)
		return -ENOMEM;
	while (kmod_config_iter_next(it)) {
		if (!key && fnmatch(kmod_config_iter_get_key(it), module, 0) == 0) {
			key = strdup(kmod_config_iter_get_key(it));
			if (!key)
				err = -ENOMEM;
			found = index;
		}
		index++;
	}
	kmod_config_iter_free_iter(it);
	if (err == 0 && key)
		err = line_at(view, k, cmd, found, key, rest, from);
	/* A line found that this file cannot tell: libkmod's own words. */
	if (err == 0 && key && !*rest) {
		it = softdep ? kmod_config_get_softdeps(view->ctx[k]) :
			       kmod_config_get_install_commands(view->ctx[k]);
		for (index = 0; it && kmod_config_iter_next(it); index++)
			if (index == found) {
				const char *value = kmod_config_iter_get_value(it);

				*rest = strdup(value ? value : "");
				break;
			}
		if (it)
			kmod_config_iter_free_iter(it);
		err = *rest ? 0 : -ENOMEM;
	}
	free(key);
	if (err < 0) {
		free(*rest);
		free(*from);
		*rest = *from = NULL;
		return err;
	}
	return *rest ? 1 : 0;
}

/* libkmod's print_action takes no context: where vb_kmodview_show_depends collects. */
static struct vb_strv *show_steps;
static int show_err;

static void record_step(struct kmod_module *m, bool install, const char *options)
{
	(void)options;
	if (show_err == 0)
		show_err = vb_strv_add(show_steps, "%s %s",
				       install			   ? "install" :
				       kmod_module_get_path(m) ? "insmod" :
								 "builtin",
				       kmod_module_get_name(m));
}

int vb_kmodview_show_depends(const struct vb_kmodview *view, size_t k, const char *module,
			     struct vb_strv *steps)
{
	/* tools/modprobe.c: --show-depends is -D, a dry run that ignores what is loaded. */
	const unsigned flags = KMOD_PROBE_DRY_RUN | KMOD_PROBE_IGNORE_LOADED |
			       KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY;
	struct kmod_list *list = NULL, *it;
	int err = kmod_module_new_from_lookup(view->ctx[k], module, &list);

	if (err < 0)
		return err;
	if (!list)
		return -ENOENT;
	show_steps = steps;
	show_err = 0;
	kmod_list_foreach(it, list) {
		struct kmod_module *mod = kmod_module_get_module(it);

		if (show_err == 0) {
			err = kmod_module_probe_insert_module(mod, flags, NULL, NULL, NULL,
							      record_step);
			if (err < 0 && show_err == 0)
				show_err = err;
		}
		kmod_module_unref(mod);
	}
	kmod_module_unref_list(list);
	show_steps = NULL;
	return show_err;
}

static int add_names(struct kmod_list *list, struct vb_strv *names)
{
	struct kmod_list *it;
	int err = 0;

	kmod_list_foreach(it, list) {
		struct kmod_module *mod = kmod_module_get_module(it);

		if (err == 0)
			err = vb_strv_add_unique(names, kmod_module_get_name(mod));
		kmod_module_unref(mod);
	}
	return err;
}

int vb_kmodview_softdep_modules(const struct vb_kmodview *view, size_t k, const char *module,
				struct vb_strv *pre, struct vb_strv *post)
{
	struct kmod_list *list = NULL, *it;
	int err = kmod_module_new_from_lookup(view->ctx[k], module, &list);

	kmod_list_foreach(it, list) {
		struct kmod_module *mod = kmod_module_get_module(it);
		struct kmod_list *before = NULL, *after = NULL;

		if (err == 0)
			err = kmod_module_get_softdeps(mod, &before, &after);
		if (err == 0)
			err = add_names(before, pre);
		if (err == 0)
			err = add_names(after, post);
		kmod_module_unref_list(before);
		kmod_module_unref_list(after);
		kmod_module_unref(mod);
	}
	kmod_module_unref_list(list);
	return err;
}
