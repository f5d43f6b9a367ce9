// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Softdeps that take effect: configure's line for a module carries vfio-pci
 * and the module's own softdeps (softdep_merge), the text comes from the
 * modprobe.d/ folder (modprobe_text), and a tree's modprobe.d files are read
 * as kmod reads them (kmodconf).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmodconf.h"
#include "modprobe_text.h"
#include "softdep_merge.h"
#include "unit.h"

/* The line as configure writes it, in a new string. */
static char *written(const struct vb_softdep_line *line)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	CHECK(vb_softdep_line_write(line, f) == 0);
	fclose(f);
	return text;
}

static void merge(void)
{
	struct vb_softdep_line line;
	char *text;

	/* No softdep of its own, one kernel: vfio-pci alone, no comment. */
	CHECK(vb_softdep_line_init(&line, "nouveau") == 0);
	CHECK(vb_softdep_line_add(&line, "6.1.0-1", NULL, NULL) == 0);
	text = written(&line);
	CHECK_STR(text, "softdep nouveau pre: vfio-pci\n");
	free(text);
	vb_softdep_line_free(&line);

	/*
	 * Its own, in the words libkmod gives: kept after vfio-pci in their
	 * order; '-' and '_' are one name; vfio-pci among them (pre or post) and
	 * the module itself are dropped; words before pre:/post: are ignored.
	 */
	CHECK(vb_softdep_line_init(&line, "snd_hda_intel") == 0);
	CHECK(vb_softdep_line_add(&line, "6.1.0-1",
				  "stray pre: vfio_pci snd-hda-codec-hdmi snd-hda-intel post: "
				  "vfio-pci crc7",
				  "/lib/modules/6.1.0-1/modules.softdep") == 0);
	CHECK(vb_softdep_line_add(&line, "6.1.0-2", "pre: snd_hda_codec_hdmi crc8",
				  "/etc/modprobe.d/sound.conf") == 0);
	CHECK(vb_softdep_line_kernels_differ(&line));
	text = written(&line);
	CHECK_STR(text, "# snd_hda_intel's own softdeps differ between kernels (6.1.0-1: stray pre: "
			"vfio_pci snd-hda-codec-hdmi snd-hda-intel post: vfio-pci crc7; 6.1.0-2: pre: "
			"snd_hda_codec_hdmi crc8): this line loads them all.\n"
			"# snd_hda_intel keeps its own softdeps from "
			"/lib/modules/6.1.0-1/modules.softdep, /etc/modprobe.d/sound.conf.\n"
			"softdep snd_hda_intel pre: vfio-pci snd-hda-codec-hdmi crc8 post: crc7\n");
	free(text);
	vb_softdep_line_free(&line);

	/* The same softdeps on every kernel: no "differ" comment. */
	CHECK(vb_softdep_line_init(&line, "amdgpu") == 0);
	CHECK(vb_softdep_line_add(&line, "a", "pre: amdxcp", "F") == 0);
	CHECK(vb_softdep_line_add(&line, "b", "pre: amdxcp", "F") == 0);
	CHECK(!vb_softdep_line_kernels_differ(&line));
	text = written(&line);
	CHECK_STR(text, "# amdgpu keeps its own softdeps from F.\nsoftdep amdgpu pre: vfio-pci amdxcp\n");
	free(text);
	vb_softdep_line_free(&line);

	/* An install command that takes effect: no softdep (kmod would ignore the command). */
	CHECK(vb_softdep_line_init(&line, "nouveau") == 0);
	line.install_from = strdup("/etc/modprobe.d/no-nouveau.conf");
	text = written(&line);
	CHECK(text && strncmp(text, "# No softdep for nouveau: its install command in "
				    "/etc/modprobe.d/no-nouveau.conf runs", 77) == 0);
	CHECK(text && !strstr(text, "\nsoftdep"));
	free(text);
	vb_softdep_line_free(&line);

	CHECK(vb_module_name_eq("snd-hda-intel", "snd_hda_intel"));
	CHECK(!vb_module_name_eq("snd_hda", "snd_hda_intel"));
}

static void text_fill(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	/*
	 * A file name with a newline cannot start a line of its own, nor one
	 * ending in a backslash swallow the next: kmod joins such a line.
	 */
	vb_modprobe_text_fill(f, VB_MODPROBE_OWN_SOFTDEPS, "MODULE", "m", "FROM",
			      "/etc/modprobe.d/a\nsoftdep m pre: x\\", NULL);
	vb_modprobe_text_fill(f, VB_MODPROBE_BLACKLIST, NULL);
	fclose(f);
	CHECK_STR(text, "# m keeps its own softdeps from /etc/modprobe.d/a?softdep m pre: x\\\\.\n"
			"blacklist @MODULE@\n");
	free(text);
	/* The folder's text, without the template's own ## lines. */
	CHECK(strncmp(vb_modprobe_text(VB_MODPROBE_HEADER), "# Written by `vfio-boot configure`", 34) == 0);
	CHECK(!strstr(vb_modprobe_text(VB_MODPROBE_HEADER), "##"));
	CHECK_STR(vb_modprobe_text(VB_MODPROBE_SOFTDEP), "softdep @MODULE@ @DEPS@\n");
}

static const struct vb_kmodconf_line *line_of(const struct vb_kmodconf *conf, size_t f, size_t l)
{
	return f < conf->count && l < conf->files[f].nlines ? &conf->files[f].lines[l] : NULL;
}

static void check_line(const struct vb_kmodconf_line *l, const char *cmd, const char *key,
		       const char *rest)
{
	CHECK(l != NULL);
	if (!l)
		return;
	CHECK_STR(l->cmd, cmd);
	CHECK_STR(l->key, key);
	CHECK_STR(l->rest, rest);
}

/* Lines as kmod_config_parse() and freadline_wrapped() read them (kmod 30). */
static void parse(void)
{
	static const char text[] =
		"# a comment \\\nsoftdep hidden pre: x\n"   /* the comment goes on */
		"softdep snd-hda-intel pre: snd-hda-codec-hdmi\n" /* key read with '_' */
		"\tsoftdep  a-b   pre:\tc\n"                /* blanks before and between */
		"softdep wrapped pre: a \\\n  b\n"          /* continued */
		"softdep esc pre: a\\b\\\\c\n"              /* a backslash takes the next byte */
		"softdep lonely\n"                          /* no softdeps: a bad line */
		"softdep lonely \n"                         /* still none */
		"softdep bad] pre: x\n"                     /* brackets out of order */
		"softdep snd_[a-b]* pre: x\n"               /* '-' kept inside brackets */
		"install nouveau /bin/false\n"
		"alias my-alias some-module extra\n"
		"options nouveau modeset=0\n"               /* not what decides loading */
		"blacklist nouveau\n"
		"softdep last pre: y";                      /* no newline at the end */
	struct vb_kmodconf conf = { 0 };

	CHECK(vb_kmodconf_set(&conf, "x.conf", text, strlen(text)) == 0);
	CHECK(conf.count == 1 && conf.files[0].nlines == 8);
	CHECK_STR(conf.count ? conf.files[0].path : NULL, "/etc/modprobe.d/x.conf");
	check_line(line_of(&conf, 0, 0), "softdep", "snd_hda_intel", "pre: snd-hda-codec-hdmi");
	check_line(line_of(&conf, 0, 1), "softdep", "a_b", "  pre:\tc");
	check_line(line_of(&conf, 0, 2), "softdep", "wrapped", "pre: a   b");
	check_line(line_of(&conf, 0, 3), "softdep", "esc", "pre: ab\\c");
	check_line(line_of(&conf, 0, 4), "softdep", "snd_[a-b]*", "pre: x");
	check_line(line_of(&conf, 0, 5), "install", "nouveau", "/bin/false");
	check_line(line_of(&conf, 0, 6), "alias", "my_alias", "some_module");
	check_line(line_of(&conf, 0, 7), "softdep", "last", "pre: y");
	/* As if it held other text, or did not exist. */
	CHECK(vb_kmodconf_set(&conf, "x.conf", "softdep z pre: y\n", 17) == 0);
	check_line(line_of(&conf, 0, 0), "softdep", "z", "pre: y");
	CHECK(vb_kmodconf_set(&conf, "x.conf", NULL, 0) == 0);
	CHECK(conf.count == 0);
	vb_kmodconf_free(&conf);
}

/* Which files kmod reads, and in which order around modules.softdep. */
static void order(void)
{
	char top[] = "/tmp/test-softdep.XXXXXX", path[512], why[256] = "";
	struct vb_kmodconf conf = { 0 };
	struct vb_kmodview view;
	struct vb_kmod km = { 0 };
	struct vb_root root;

	CHECK(mkdtemp(top) != NULL);
	for (const char *d = "etc\0etc/modprobe.d\0etc/modprobe.d/dir.conf\0lib\0lib/modprobe.d\0";
	     *d; d += strlen(d) + 1) {
		snprintf(path, sizeof(path), "%s/%s", top, d);
		CHECK(mkdir(path, 0755) == 0);
	}
	unit_put(top, "etc/modprobe.d/zz.conf", "softdep a pre: etc\n");
	unit_put(top, "etc/modprobe.d/00-vfio-boot.conf", "softdep a pre: ours\n");
	unit_put(top, "etc/modprobe.d/.hidden.conf", "softdep a pre: hidden\n");
	unit_put(top, "etc/modprobe.d/notes.txt", "softdep a pre: txt\n");
	unit_put(top, "lib/modprobe.d/zz.conf", "softdep a pre: shadowed\n"); /* /etc's wins */
	unit_put(top, "lib/modprobe.d/0-early.conf", "softdep a pre: early\n");
	unit_put(top, "lib/modprobe.d/aliases.alias", "alias b c\n");
	snprintf(path, sizeof(path), "%s/etc/modprobe.d/dangling.conf", top);
	CHECK(symlink("/nowhere", path) == 0);
	CHECK(vb_root_init(&root, top) == 0);
	CHECK(vb_kmodconf_read(&conf, &root, why, sizeof(why)) == 0);
	CHECK(conf.count == 5);
	CHECK(vb_kmodview_open(&view, &conf, &km, why, sizeof(why)) == 0);
	CHECK(view.count == 4 && view.before == 3);
	if (view.count == 4) {
		CHECK_STR(view.order[0]->path, "/lib/modprobe.d/0-early.conf");
		CHECK_STR(view.order[1]->path, "/etc/modprobe.d/00-vfio-boot.conf");
		CHECK_STR(view.order[2]->path, "/lib/modprobe.d/aliases.alias");
		CHECK_STR(view.order[3]->path, "/etc/modprobe.d/zz.conf");
	}
	vb_kmodview_close(&view);
	vb_kmodconf_free(&conf);
	/* A FIFO would hold kmod for ever: an error that names it. */
	snprintf(path, sizeof(path), "%s/lib/modprobe.d/fifo.conf", top);
	CHECK(mkfifo(path, 0644) == 0);
	CHECK(vb_kmodconf_read(&conf, &root, why, sizeof(why)) == -VB_EFILETYPE);
	CHECK(strncmp(why, "cannot read /lib/modprobe.d/fifo.conf: not a regular file", 56) == 0);
	vb_root_fini(&root);
	snprintf(path, sizeof(path), "rm -rf '%s'", top);
	CHECK(system(path) == 0);
}

int main(void)
{
	merge();
	text_fill();
	parse();
	order();
	return unit_report("softdep");
}
