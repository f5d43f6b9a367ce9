// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The cpio reader on archives in memory, and the image check on images
 * built here with GNU cpio and the real compressors: the layouts of
 * initramfs-tools, dracut and mkinitcpio, an early cpio in front, a unified
 * kernel image around one, and broken ones.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "cpio.h"
#include "decompress.h"
#include "image_modules.h"
#include "initramfs_image.h"
#include "pe.h"
#include "root.h"
#include "run.h"
#include "unit.h"

static char top[] = "/tmp/vfio-boot-test-image.XXXXXX";
static struct vb_root root;
static const char conf[] = "1234:1111\ncompanions=slot\n";

/* ---------------------------------------------------- cpio in memory */

struct mem {
	const unsigned char *p;
	size_t len, pos;
};

static ssize_t mem_read(void *ctx, void *buf, size_t len)
{
	struct mem *m = ctx;
	size_t n = m->len - m->pos < len ? m->len - m->pos : len;

	n = n > 7 ? 7 : n; /* short reads, to exercise the buffering */
	memcpy(buf, m->p + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

/* Appends one newc entry to buf at *len. */
static void put_entry(unsigned char *buf, size_t *len, const char *name, unsigned mode,
		      const char *data)
{
	size_t dlen = data ? strlen(data) : 0;

	*len += (size_t)sprintf((char *)buf + *len,
				"070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08zX%08X", 1u,
				mode, 0u, 0u, 1u, 0u, (unsigned)dlen, 0u, 0u, 0u, 0u,
				strlen(name) + 1, 0u);
	memcpy(buf + *len, name, strlen(name) + 1);
	*len += strlen(name) + 1;
	while (*len & 3)
		buf[(*len)++] = 0;
	memcpy(buf + *len, data ? data : "", dlen);
	*len += dlen;
	while (*len & 3)
		buf[(*len)++] = 0;
}

struct seen {
	char names[8][64];
	char data[8][64];
	int count;
};

static int seen_entry(void *ctx, const struct vb_cpio_entry *e)
{
	struct seen *s = ctx;

	if (s->count < 8)
		snprintf(s->names[s->count++], 64, "%s", e->name);
	return 1;
}

static int seen_data(void *ctx, const struct vb_cpio_entry *e, const unsigned char *d, size_t n)
{
	struct seen *s = ctx;

	(void)e;
	snprintf(s->data[s->count - 1], 64, "%.*s", (int)n, (const char *)d);
	return 0;
}

static int read_mem(const unsigned char *buf, size_t len, struct seen *s, struct vb_cpio_end *end)
{
	struct mem m = { buf, len, 0 };
	struct vb_cpio_source src = { mem_read, &m };
	struct vb_cpio_visitor v = { seen_entry, seen_data, s };

	memset(s, 0, sizeof(*s));
	return vb_cpio_read(&src, &v, end);
}

static void test_cpio(void)
{
	static unsigned char buf[4096];
	struct vb_cpio_end end;
	struct seen s;
	size_t len = 0, first;

	put_entry(buf, &len, ".", 040755, NULL);
	put_entry(buf, &len, "./etc/vfio-boot.conf", 0100644, "1234:1111\n");
	put_entry(buf, &len, "usr/sbin", 0120777, "bin");
	put_entry(buf, &len, "TRAILER!!!", 0, NULL);
	first = len;
	CHECK(read_mem(buf, len, &s, &end) == 0);
	CHECK(s.count == 3);
	CHECK_STR(s.names[0], "");
	CHECK_STR(s.names[1], "etc/vfio-boot.conf");
	CHECK_STR(s.data[1], "1234:1111\n");
	CHECK_STR(s.data[2], "bin");
	CHECK(end.offset == first);

	/* Zero padding, then a second archive: both are read. */
	memset(buf + len, 0, 512 - len);
	len = 512;
	put_entry(buf, &len, "init", 0100755, "#!/bin/sh\n");
	put_entry(buf, &len, "TRAILER!!!", 0, NULL);
	CHECK(read_mem(buf, len, &s, &end) == 0);
	CHECK(s.count == 4);
	CHECK_STR(s.names[3], "init");

	/* Something else after a complete archive: where it starts, its bytes. */
	memcpy(buf + len, "\x28\xb5\x2f\xfdzstd", 8);
	CHECK(read_mem(buf, len + 8, &s, &end) == 1);
	CHECK(end.offset == len);
	CHECK(end.tail_len == 8 && memcmp(end.tail, "\x28\xb5\x2f\xfd", 4) == 0);

	/* Cut anywhere after a magic: malformed, never a clean end. */
	for (size_t cut = 6; cut < first; cut += 3)
		CHECK(read_mem(buf, cut, &s, &end) == -EBADMSG);
	/* A bad hex digit, a name without its NUL, a huge name size. */
	memcpy(buf + 14, "0000x000", 8);
	CHECK(read_mem(buf, first, &s, &end) == -EBADMSG);
	len = 0;
	put_entry(buf, &len, "abc", 0100644, NULL);
	buf[110 + 3] = 'x';
	CHECK(read_mem(buf, len, &s, &end) == -EBADMSG);
	len = 0;
	put_entry(buf, &len, "abc", 0100644, NULL);
	memcpy(buf + 94, "7FFFFFFF", 8);
	CHECK(read_mem(buf, len, &s, &end) == -EBADMSG);
	/* Not cpio at all: stopped at offset 0. */
	CHECK(read_mem((const unsigned char *)"MZ\x90\0", 4, &s, &end) == 1 && end.offset == 0);
	CHECK(read_mem((const unsigned char *)"", 0, &s, &end) == 0);
}

/* ------------------------------------------------- images on disk */

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* Makes the tree DIR under top with the files of a generator's image. */
static void tree(const char *dir, const char *layout)
{
	CHECK(sh("set -e; d=%s/%s; rm -rf $d; mkdir -p $d/etc $d/usr/sbin; cd $d;"
		 "printf '%%s' '%s' >etc/vfio-boot.conf; printf '\\177ELF' >usr/sbin/vfio-boot-bind;"
		 "chmod 755 usr/sbin/vfio-boot-bind; %s",
		 top, dir, conf, layout) == 0);
}

static const char itools[] =
	"mkdir -p conf scripts/init-top; : >conf/initramfs.conf;"
	"printf '#!/bin/sh\\n' >scripts/init-top/00vfio-boot; chmod 755 scripts/init-top/00vfio-boot;"
	"printf '/scripts/init-top/00vfio-boot \"$@\"\\n/scripts/init-top/udev \"$@\"\\n'"
	" >scripts/init-top/ORDER";
static const char dracut[] =
	"mkdir -p usr/lib/dracut/hooks/pre-udev; ln -s usr/lib lib;"
	": >usr/lib/dracut-lib.sh; : >usr/lib/dracut/hooks/pre-udev/05-vfio-boot-pre-udev.sh";
/* mkinitcpio's layout: usr/sbin -> bin, the binder in usr/bin. */
static const char initcpio[] =
	"mkdir -p hooks usr/bin; mv usr/sbin/vfio-boot-bind usr/bin/; rmdir usr/sbin;"
	"ln -s bin usr/sbin; : >init_functions; : >hooks/vfio-boot;"
	"printf 'EARLYHOOKS=\"udev vfio-boot\"\\nHOOKS=\"udev\"\\n' >config";
static const char initcpio_systemd[] =
	"mkdir -p usr/lib/systemd/system/sysinit.target.wants; ln -s usr/lib/systemd/systemd init;"
	"printf 'EARLYHOOKS=\"\"\\n' >config; : >usr/lib/systemd/system/vfio-boot.service;"
	"ln -s ../vfio-boot.service usr/lib/systemd/system/sysinit.target.wants/; mkdir -p hooks";

/* Packs DIR into IMG with COMPRESS (a filter command), after an early cpio when early. */
static void pack(const char *dir, const char *img, const char *compress, bool early)
{
	CHECK(sh("set -e; cd %s; rm -f %s; mkdir -p early/kernel/x86/microcode;"
		 "if [ %d = 1 ]; then (cd early && find . | cpio -o -H newc --quiet) >%s;"
		 " truncate -s %%512 %s; fi;"
		 "(cd %s && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | %s >>%s",
		 top, img, early, img, img, dir, compress, img) == 0);
}

static int check_image(const char *img, const char *expected, struct vb_strv *missing)
{
	char rel[PATH_MAX];

	vb_strv_free(missing);
	snprintf(rel, sizeof(rel), "/%s", img);
	return vb_image_check(&root, rel, expected, strlen(expected), missing);
}

static bool mentions(const struct vb_strv *m, const char *what)
{
	for (size_t i = 0; i < m->count; i++)
		if (strstr(m->items[i], what))
			return true;
	return false;
}

static void test_layouts(void)
{
	static const struct {
		const char *layout, *compress;
		bool early;
		enum vb_image_generator gen;
	} cases[] = {
		{ itools, "gzip -9", false, VB_IMAGE_INITRAMFS_TOOLS },
		{ itools, "zstd -q", true, VB_IMAGE_INITRAMFS_TOOLS },
		{ dracut, "xz --check=crc32", true, VB_IMAGE_DRACUT },
		{ dracut, "lz4 -l -q", false, VB_IMAGE_DRACUT },
		{ initcpio, "zstd -q", true, VB_IMAGE_MKINITCPIO },
		{ initcpio, "cat", false, VB_IMAGE_MKINITCPIO },
		{ initcpio_systemd, "xz --format=lzma", false, VB_IMAGE_MKINITCPIO_SYSTEMD },
		{ itools, "bzip2", false, VB_IMAGE_INITRAMFS_TOOLS },
	};
	struct vb_strv missing = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vb_image_report r;
		char why[256];

		tree("t", cases[i].layout);
		pack("t", "img", cases[i].compress, cases[i].early);
		CHECK(vb_image_inspect(&root, "/img", conf, strlen(conf), &r, why, sizeof(why)) == 0);
		if (r.generator != cases[i].gen || !r.binder || !r.hook ||
		    r.conf != VB_IMAGE_CONF_SAME)
			fprintf(stderr, "case %zu (%s): %s binder %d hook %d (%s) conf %d: %s\n", i,
				cases[i].compress, vb_image_generator_name(r.generator), r.binder,
				r.hook, r.hook_path, r.conf, why);
		CHECK(r.generator == cases[i].gen);
		CHECK(r.binder && r.hook && r.conf == VB_IMAGE_CONF_SAME);
		CHECK(check_image("img", conf, &missing) == 0 && missing.count == 0);
		/* The same image against another configuration: stale. */
		CHECK(check_image("img", "10de:2504\n", &missing) == 0 && missing.count == 1);
		CHECK(mentions(&missing, "/etc/vfio-boot.conf as configured"));
	}
	vb_strv_free(&missing);
}

static void test_missing(void)
{
	struct vb_strv missing = { 0 };

	tree("t", itools);
	CHECK(sh("cd %s/t && rm scripts/init-top/00vfio-boot usr/sbin/vfio-boot-bind "
		 "etc/vfio-boot.conf", top) == 0);
	pack("t", "img", "zstd -q", false);
	CHECK(check_image("img", conf, &missing) == 0 && missing.count == 3);
	CHECK(mentions(&missing, "the binder (/usr/sbin/vfio-boot-bind)"));
	CHECK(mentions(&missing, "initramfs-tools hook that runs it (/scripts/init-top/00vfio-boot)"));
	CHECK(mentions(&missing, "/etc/vfio-boot.conf"));

	/* The script is there but mkinitramfs's ORDER does not run it. */
	tree("t", itools);
	CHECK(sh("cd %s/t && echo '/scripts/init-top/udev \"$@\"' >scripts/init-top/ORDER", top) == 0);
	pack("t", "img", "gzip", false);
	CHECK(check_image("img", conf, &missing) == 0 && missing.count == 1);
	CHECK(mentions(&missing, "00vfio-boot in ORDER"));

	/* mkinitcpio: the hook file without EARLYHOOKS naming it. */
	tree("t", initcpio);
	CHECK(sh("cd %s/t && printf 'EARLYHOOKS=\"udev vfio-boot-test\"\\n' >config", top) == 0);
	pack("t", "img", "zstd -q", false);
	CHECK(check_image("img", conf, &missing) == 0 && mentions(&missing, "EARLYHOOKS"));

	/* A binder that is not executable does not count. */
	tree("t", dracut);
	CHECK(sh("chmod 644 %s/t/usr/sbin/vfio-boot-bind", top) == 0);
	pack("t", "img", "gzip", false);
	CHECK(check_image("img", conf, &missing) == 0 && missing.count == 1);
	CHECK(mentions(&missing, "the binder"));
	vb_strv_free(&missing);
}

static void test_broken(void)
{
	struct vb_strv missing = { 0 };

	CHECK(sh("cd %s && head -c 5000 /dev/urandom >junk && printf '\\050\\265\\057\\375' >bad.zst"
		 " && head -c 300 /dev/urandom >>bad.zst", top) == 0);
	CHECK(check_image("junk", conf, &missing) == -EBADMSG);
	CHECK(missing.count == 1 && mentions(&missing, "cannot read the image"));
	CHECK(check_image("bad.zst", conf, &missing) < 0 && mentions(&missing, "zstd"));
	CHECK(check_image("absent", conf, &missing) == -ENOENT);
	/* A compressed part cut short. */
	tree("t", itools);
	pack("t", "img", "gzip", false);
	CHECK(sh("cd %s && truncate -s -200 img", top) == 0);
	CHECK(check_image("img", conf, &missing) == -EBADMSG);
	/* A FIFO is never opened for reading. */
	CHECK(sh("cd %s && mkfifo fifo", top) == 0);
	CHECK(check_image("fifo", conf, &missing) < 0);
	vb_strv_free(&missing);
}

/* Microseconds on the monotonic clock. */
static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Reads a decompressor to its end or an error; *total: what it gave. */
static ssize_t drain(struct vb_decompressor *d, uint64_t *total)
{
	static unsigned char buf[1 << 16];
	ssize_t n;

	*total = 0;
	while ((n = vb_decompress_read(d, buf, sizeof(buf))) > 0)
		*total += (uint64_t)n;
	return n;
}

/* The bounds on a compressed part: output bytes, time, and the reaping of a killed tool. */
static void test_decompress_bounds(void)
{
	struct vb_decompressor d;
	char path[PATH_MAX], *saved = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	uint64_t total;
	long long t0;
	int fd, status;

	CHECK(vb_decompress_budget(1000) == VB_DECOMPRESS_BASE + 16000);
	CHECK(vb_decompress_budget(1ULL << 40) == VB_DECOMPRESS_MAX);
	/* 64 MiB of zeros from 64 KB of gzip: cut off past the bound asked for. */
	CHECK(sh("cd %s && head -c 64M /dev/zero | gzip -c >zeros.gz", top) == 0);
	snprintf(path, sizeof(path), "%s/zeros.gz", top);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0 && vb_decompress_start(&d, VB_COMPRESSION_GZIP, fd, 1 << 20, 10000) == 0);
	close(fd);
	CHECK(drain(&d, &total) == -EFBIG);
	CHECK(total <= (1 << 20) + 1);
	status = vb_decompress_finish(&d); /* stopped while it still had output */
	CHECK(status == 128 + SIGKILL || status == 128 + SIGPIPE);
	/*
	 * A tool that has given all and exited before it is reaped (its SIGCHLD
	 * long gone) is reaped at once, not after the grace time of a killed one.
	 */
	CHECK(sh("cd %s && echo hello | gzip -c >small.gz", top) == 0);
	snprintf(path, sizeof(path), "%s/small.gz", top);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0 && vb_decompress_start(&d, VB_COMPRESSION_GZIP, fd, 1 << 20, 10000) == 0);
	close(fd);
	CHECK(drain(&d, &total) == 0 && total == 6);
	CHECK(waitid(P_PID, (id_t)d.pid, &(siginfo_t){ 0 }, WEXITED | WNOWAIT) == 0);
	t0 = now_us();
	CHECK(vb_decompress_finish(&d) == 0);
	CHECK(now_us() - t0 < VB_RUN_KILL_GRACE_MS * 1000 / 2);
	/* A tool that writes nothing, for ever: its time is up, it is killed and reaped. */
	CHECK(sh("mkdir -p %s/bin && printf '#!/bin/sh\nexec /bin/sleep 600\n' >%s/bin/gzip && "
		 "chmod +x %s/bin/gzip", top, top, top) == 0);
	snprintf(path, sizeof(path), "%s/bin", top);
	setenv("PATH", path, 1);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	t0 = now_us();
	CHECK(fd >= 0 && vb_decompress_start(&d, VB_COMPRESSION_GZIP, fd, 1 << 20, 300) == 0);
	close(fd);
	CHECK(drain(&d, &total) == -ETIMEDOUT);
	CHECK(vb_decompress_finish(&d) == 128 + SIGKILL);
	CHECK(now_us() - t0 < 3000000);
	if (saved)
		setenv("PATH", saved, 1);
	free(saved);
}

/* A unified kernel image: PE headers, a section before, .initrd, one after. */
static void test_uki(void)
{
	unsigned char head[0x400] = { 'M', 'Z' };
	const char *names[] = { ".linux", ".initrd", ".cmdline" };
	struct vb_strv missing = { 0 };
	struct stat st;
	char path[PATH_MAX];
	uint64_t off, len, initrd_size;
	FILE *f;

	tree("t", itools);
	pack("t", "img", "zstd -q", true);
	snprintf(path, sizeof(path), "%s/img", top);
	CHECK(stat(path, &st) == 0);
	initrd_size = (uint64_t)st.st_size;
	head[0x3c] = 0x40;
	memcpy(head + 0x40, "PE\0\0", 4);
	head[0x40 + 6] = 3; /* sections */
	for (int i = 0; i < 3; i++) {
		unsigned char *s = head + 0x40 + 24 + i * 40;
		uint32_t raw_off = i == 0 ? 0x400 : i == 1 ? 0x600 : 0x600 + ((uint32_t)initrd_size + 0x1ff) / 0x200 * 0x200;
		uint32_t size = i == 1 ? (uint32_t)initrd_size : 0x200;

		memcpy(s, names[i], strlen(names[i]));
		for (int b = 0; b < 4; b++) {
			s[8 + b] = (unsigned char)(size >> (8 * b));
			s[16 + b] = (unsigned char)(((size + 0x1ff) & ~0x1ffu) >> (8 * b));
			s[20 + b] = (unsigned char)(raw_off >> (8 * b));
		}
	}
	CHECK(vb_pe_section(head, sizeof(head), 1 << 30, ".initrd", &off, &len) == 0);
	CHECK(off == 0x600 && len == initrd_size);
	CHECK(vb_pe_section(head, sizeof(head), 1 << 30, ".osrel", &off, &len) == -ESRCH);
	CHECK(vb_pe_section(head, sizeof(head), 0x700, ".initrd", &off, &len) == -EBADMSG);
	CHECK(vb_pe_section((const unsigned char *)"MZ", 2, 10, ".initrd", &off, &len) == -ENOENT);

	snprintf(path, sizeof(path), "%s/uki.efi", top);
	f = fopen(path, "w");
	CHECK(f && fwrite(head, 1, sizeof(head), f) == sizeof(head));
	if (f)
		fclose(f);
	/* .linux: junk; .initrd: the image; .cmdline: junk after the padding. */
	CHECK(sh("cd %s && head -c 512 /dev/urandom >>uki.efi && cat img >>uki.efi && "
		 "truncate -s %%512 uki.efi && head -c 512 /dev/urandom >>uki.efi", top) == 0);
	CHECK(check_image("uki.efi", conf, &missing) == 0 && missing.count == 0);
	vb_strv_free(&missing);
}

/*
 * The modules needed that an image's files are: .ko with or without a
 * compressor's suffix, '-' as '_', each once; others are not kept.
 */
static void test_module_names(void)
{
	static const char *const paths[] = {
		"usr/lib/modules/6.1.0-50-amd64/kernel/sound/pci/hda/snd-hda-intel.ko.xz",
		"lib/modules/6.1.0/updates/vbtest_vfio_pci.ko",
		"lib/modules/6.1.0/kernel/drivers/vfio/pci/vfio-pci.ko.zst",
		"lib/modules/6.1.0/kernel/a.ko.gz",
		"snd-hda-intel.ko", /* the same module again */
		"lib/modules/6.1.0/kernel/b.ko.bz2", "lib/modules/6.1.0/kernel/c.kox",
		"lib/modules/6.1.0/.ko", "lib/modules/6.1.0/modules.dep", "ko",
		"lib/modules/6.1.0/kernel/not_needed.ko",
		"lib/modules/6.1.0/kernel/this-name-is-longer-than-the-kernel-allows-for-a-module-name.ko",
	};
	struct vb_strv needed = { 0 }, carried = { 0 };

	for (const char *const *n = (const char *const[]){ "a", "b", "c", "snd_hda_intel",
							   "vbtest_vfio_pci", "vfio_pci", NULL };
	     *n; n++)
		CHECK(vb_strv_add(&needed, "%s", *n) == 0);
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
		CHECK(vb_image_module_note(&carried, &needed, paths[i]) == 0);
	CHECK(carried.count == 4);
	if (carried.count == 4) {
		CHECK_STR(carried.items[0], "snd_hda_intel");
		CHECK_STR(carried.items[1], "vbtest_vfio_pci");
		CHECK_STR(carried.items[2], "vfio_pci");
		CHECK_STR(carried.items[3], "a");
	}
	vb_strv_free(&needed);
	vb_strv_free(&carried);
}

int main(void)
{
	test_module_names();
	CHECK(mkdtemp(top) != NULL);
	CHECK(vb_root_init(&root, top) == 0);
	test_cpio();
	test_layouts();
	test_missing();
	test_broken();
	test_uki();
	test_decompress_bounds();
	vb_root_fini(&root);
	sh("rm -rf %s", top);
	return unit_report("initramfs-image");
}
