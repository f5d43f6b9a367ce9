// SPDX-License-Identifier: GPL-2.0-or-later
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "cpio.h"
#include "decompress.h"
#include "image_modules.h"
#include "initramfs_image.h"
#include "pe.h"

#define MAX_SYMLINKS 40
#define SMALL_FILE_MAX (64 * 1024) /* configuration files kept for comparison */

/* One entry of the unpacked image: the last one of that name wins. */
struct item {
	char *name;
	uint32_t mode;
	uint64_t size;
	unsigned char *data; /* symlink targets and the small files asked for */
	size_t len;
	size_t seq;          /* order in the image */
};

struct image {
	struct item *items;
	size_t count, cap;
};

/* ------------------------------------------------------------ reading */

static bool wanted_data(const char *name, uint32_t mode, uint64_t size)
{
	const char *base = strrchr(name, '/');

	base = base ? base + 1 : name;
	if (S_ISLNK(mode))
		return size < PATH_MAX;
	return S_ISREG(mode) && size <= SMALL_FILE_MAX &&
	       (strcmp(base, "vfio-boot.conf") == 0 || strcmp(name, "config") == 0 ||
		strcmp(base, "ORDER") == 0);
}

static int on_entry(void *ctx, const struct vb_cpio_entry *e)
{
	struct image *img = ctx;
	struct item *it;

	if (e->name[0] == '\0')
		return 0;
	if (img->count == img->cap) {
		size_t cap = img->cap ? img->cap * 2 : 1024;
		struct item *grown = realloc(img->items, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		img->items = grown;
		img->cap = cap;
	}
	it = &img->items[img->count];
	*it = (struct item){ .name = strdup(e->name), .mode = e->mode, .size = e->size,
			     .seq = img->count };
	if (!it->name)
		return -ENOMEM;
	img->count++;
	return wanted_data(e->name, e->mode, e->size);
}

static int on_data(void *ctx, const struct vb_cpio_entry *e, const unsigned char *data,
		   size_t len)
{
	struct image *img = ctx;
	struct item *it = &img->items[img->count - 1];

	(void)e;
	it->data = malloc(len + 1);
	if (!it->data)
		return -ENOMEM;
	memcpy(it->data, data, len);
	it->data[len] = '\0';
	it->len = len;
	return 0;
}

static void image_free(struct image *img)
{
	for (size_t i = 0; i < img->count; i++) {
		free(img->items[i].name);
		free(img->items[i].data);
	}
	free(img->items);
	memset(img, 0, sizeof(*img));
}

static int by_name_then_seq(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sorts by name and keeps the last entry of each name, as unpacking would. */
static void image_index(struct image *img)
{
	size_t out = 0;

	qsort(img->items, img->count, sizeof(*img->items), by_name_then_seq);
	for (size_t i = 0; i < img->count; i++) {
		if (i + 1 < img->count && strcmp(img->items[i].name, img->items[i + 1].name) == 0) {
			free(img->items[i].name);
			free(img->items[i].data);
			continue;
		}
		img->items[out++] = img->items[i];
	}
	img->count = out;
}

/* A byte source on a file descriptor, limited to a window of the file. */
struct fd_window {
	int fd;
	uint64_t left;
};

static ssize_t fd_window_read(void *ctx, void *buf, size_t len)
{
	struct fd_window *w = ctx;
	ssize_t n;

	if (len > w->left)
		len = (size_t)w->left;
	if (len == 0)
		return 0;
	do
		n = read(w->fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		w->left -= (uint64_t)n;
	return n < 0 ? -errno : n;
}

/*
 * A descriptor holding [off, off + len) of fd from its offset 0 on: fd
 * itself when the window runs to the end of the file, else a copy in memory.
 */
static int window_fd(int fd, uint64_t off, uint64_t len, uint64_t file_size)
{
	unsigned char buf[64 * 1024];
	int copy;

	if (off + len == file_size)
		return lseek(fd, (off_t)off, SEEK_SET) < 0 ? -errno : dup(fd);
	copy = memfd_create("vfio-boot-initrd", MFD_CLOEXEC);
	if (copy < 0)
		return -errno;
	while (len > 0) {
		size_t chunk = len < sizeof(buf) ? (size_t)len : sizeof(buf);
		ssize_t n = pread(fd, buf, chunk, (off_t)off);

		if (n <= 0 || write(copy, buf, (size_t)n) != n) {
			close(copy);
			return n < 0 ? -errno : -EIO;
		}
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	if (lseek(copy, 0, SEEK_SET) < 0) {
		close(copy);
		return -errno;
	}
	return copy;
}

/* Reads the compressed part that starts at off (len bytes) with its tool. */
static int read_compressed(int fd, uint64_t off, uint64_t len, uint64_t file_size,
			   enum vb_compression c, struct image *img, char *why, size_t why_size)
{
	struct vb_cpio_visitor visitor = { on_entry, on_data, img };
	struct vb_decompressor d;
	struct vb_cpio_source src = { vb_decompress_read, &d };
	struct vb_cpio_end end;
	int in = window_fd(fd, off, len, file_size), err, status;

	if (in < 0) {
		snprintf(why, why_size, "cannot read its %s part: %s", vb_compression_tool(c),
			 vb_strerror(in));
		return in;
	}
	err = vb_decompress_start(&d, c, in, vb_decompress_budget(len),
				  VB_DECOMPRESS_TIMEOUT_S * 1000u);
	close(in);
	if (err < 0) {
		snprintf(why, why_size, "cannot start %s: %s", vb_compression_tool(c), vb_strerror(err));
		return err;
	}
	err = vb_cpio_read(&src, &visitor, &end);
	if (err == 0 && end.offset == 0)
		err = -EBADMSG; /* nothing came out */
	status = vb_decompress_finish(&d);
	if (status == -ENOENT) {
		snprintf(why, why_size, "its %s part needs %s, which is not installed",
			 d.tool, d.tool);
		return -ENOENT;
	}
	if (err == 1) {
		snprintf(why, why_size, "the %s part holds something else after its cpio archive",
			 d.tool);
		return -EBADMSG;
	}
	if (err == -EFBIG)
		snprintf(why, why_size, "its %s part of %llu bytes decompresses to more than %llu "
			 "(an initramfs gives a few times its size): cut off", d.tool,
			 (unsigned long long)len, (unsigned long long)d.max);
	else if (err == -ETIMEDOUT)
		snprintf(why, why_size, "its %s part took more than %d s to decompress: cut off",
			 d.tool, VB_DECOMPRESS_TIMEOUT_S);
	else if (err == -EBADMSG && status > 0)
		snprintf(why, why_size, "%s could not decompress it (status %d)", d.tool, status);
	else if (err == -EBADMSG)
		snprintf(why, why_size, "the %s part is not a complete cpio archive", d.tool);
	else if (err < 0)
		snprintf(why, why_size, "reading its %s part: %s", d.tool, vb_strerror(err));
	return err;
}

/* Reads every archive of the image on fd into img. */
static int read_image(int fd, uint64_t file_size, struct image *img, char *why, size_t why_size)
{
	struct vb_cpio_visitor visitor = { on_entry, on_data, img };
	uint64_t start = 0, len = file_size;
	struct fd_window w;
	struct vb_cpio_source src = { fd_window_read, &w };
	struct vb_cpio_end end;
	enum vb_compression c;
	int err = vb_pe_find_initrd(fd, file_size, &start, &len);

	if (err < 0 && err != -ENOENT) {
		snprintf(why, why_size, "a unified kernel image without a usable .initrd section");
		return err;
	}
	if (lseek(fd, (off_t)start, SEEK_SET) < 0)
		return -errno;
	w = (struct fd_window){ fd, len };
	err = vb_cpio_read(&src, &visitor, &end);
	if (err == 0)
		return 0;
	if (err < 0) {
		snprintf(why, why_size, "%s", err == -EBADMSG ? "not a complete cpio archive" :
								 vb_strerror(err));
		return err;
	}
	c = vb_compression_detect(end.tail, end.tail_len);
	if (c == VB_COMPRESSION_NONE) {
		snprintf(why, why_size, "unknown data at byte %llu (not cpio, no known compression)",
			 (unsigned long long)end.offset);
		return -EBADMSG;
	}
	return read_compressed(fd, start + end.offset, len - end.offset, file_size, c, img, why,
			       why_size);
}

/* --------------------------------------------------------- looking up */

static const struct item *find(const struct image *img, const char *name)
{
	size_t lo = 0, hi = img->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(img->items[mid].name, name);

		if (c == 0)
			return &img->items[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * Resolves path inside the image as a lookup in the unpacked tree would:
 * symlinks in every component (and the last one) followed, ".." kept
 * inside. Writes the resolved path to canon. Returns the entry, or NULL
 * when it does not exist (canon still holds the resolved path then).
 */
static const struct item *resolve(const struct image *img, const char *path, char *canon,
				  size_t size)
{
	char todo[PATH_MAX * 2], cur[PATH_MAX] = "";
	int hops = 0;

	if (snprintf(todo, sizeof(todo), "%s", path) >= (int)sizeof(todo))
		return NULL;
	for (;;) {
		char *p = todo, comp[PATH_MAX], next[PATH_MAX];
		const struct item *it;
		size_t n;

		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		n = strcspn(p, "/");
		if (n >= sizeof(comp))
			return NULL;
		memcpy(comp, p, n);
		comp[n] = '\0';
		memmove(todo, p + n, strlen(p + n) + 1);
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			char *slash = strrchr(cur, '/');
			if (slash)
				*slash = '\0';
			else
				cur[0] = '\0';
			continue;
		}
		if (snprintf(next, sizeof(next), "%s%s%s", cur, cur[0] ? "/" : "", comp) >=
		    (int)sizeof(next))
			return NULL;
		it = find(img, next);
		if (it && S_ISLNK(it->mode) && it->data) {
			char rest[PATH_MAX * 2];

			if (++hops > MAX_SYMLINKS)
				return NULL;
			if (snprintf(rest, sizeof(rest), "%s%s", (char *)it->data, todo) >=
			    (int)sizeof(rest))
				return NULL;
			memcpy(todo, rest, strlen(rest) + 1);
			if (it->data[0] == '/')
				cur[0] = '\0';
			continue;
		}
		memcpy(cur, next, strlen(next) + 1);
	}
	snprintf(canon, size, "%s", cur);
	return find(img, cur);
}

static bool is_exec_file(const struct item *it)
{
	return it && S_ISREG(it->mode) && (it->mode & 0111) && it->size > 0;
}

/* True when text (a file's content) has word as a whole word. */
static bool has_word(const char *text, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = text; (p = strstr(p, word)) != NULL; p += len) {
		bool start = p == text || strchr(" \t\"'(=", p[-1]);
		bool finish = strchr(" \t\"')\n", p[len]) != NULL;

		if (start && finish)
			return true;
	}
	return false;
}

/* -------------------------------------------------------- the checks */

static enum vb_image_generator generator_of(const struct image *img)
{
	char canon[PATH_MAX];
	const struct item *init;

	if (resolve(img, "config", canon, sizeof(canon)) &&
	    (resolve(img, "init_functions", canon, sizeof(canon)) ||
	     resolve(img, "hooks", canon, sizeof(canon)) ||
	     resolve(img, "usr/lib/initcpio", canon, sizeof(canon)))) {
		init = find(img, "init");
		if (init && S_ISLNK(init->mode) && init->data &&
		    strstr((const char *)init->data, "systemd"))
			return VB_IMAGE_MKINITCPIO_SYSTEMD;
		return VB_IMAGE_MKINITCPIO;
	}
	if (resolve(img, "conf/initramfs.conf", canon, sizeof(canon)) &&
	    resolve(img, "scripts", canon, sizeof(canon)))
		return VB_IMAGE_INITRAMFS_TOOLS;
	if (resolve(img, "usr/lib/dracut", canon, sizeof(canon)) ||
	    resolve(img, "lib/dracut-lib.sh", canon, sizeof(canon)))
		return VB_IMAGE_DRACUT;
	return VB_IMAGE_UNKNOWN;
}

static bool itools_hook(const struct image *img, struct vb_image_report *r)
{
	char canon[PATH_MAX], line[64];
	const struct item *order;

	snprintf(r->hook_path, sizeof(r->hook_path), "/scripts/init-top/%s", VB_ITOOLS_SCRIPT);
	if (!is_exec_file(resolve(img, r->hook_path, canon, sizeof(canon))))
		return false;
	/* mkinitramfs lists the scripts to run, in order, at build time. */
	order = resolve(img, "scripts/init-top/ORDER", canon, sizeof(canon));
	snprintf(line, sizeof(line), "/scripts/init-top/%s ", VB_ITOOLS_SCRIPT);
	if (order && order->data && !strstr((const char *)order->data, line)) {
		snprintf(r->hook_path, sizeof(r->hook_path), "/scripts/init-top/%s in ORDER",
			 VB_ITOOLS_SCRIPT);
		return false;
	}
	return true;
}

static bool dracut_hook(const struct image *img, struct vb_image_report *r)
{
	static const char *const dirs[] = { "usr/lib/dracut/hooks/pre-udev",
					     "lib/dracut/hooks/pre-udev" };
	char canon[PATH_MAX];

	snprintf(r->hook_path, sizeof(r->hook_path), "/lib/dracut/hooks/pre-udev/NN-%s",
		 VB_DRACUT_HOOK);
	for (size_t d = 0; d < ARRAY_SIZE(dirs); d++) {
		size_t len;

		resolve(img, dirs[d], canon, sizeof(canon));
		len = strlen(canon);
		for (size_t i = 0; i < img->count; i++) {
			const char *name = img->items[i].name, *base;

			if (strncmp(name, canon, len) != 0 || name[len] != '/')
				continue;
			base = name + len + 1;
			if (!strchr(base, '/') && strlen(base) > strlen(VB_DRACUT_HOOK) &&
			    strcmp(base + strlen(base) - strlen(VB_DRACUT_HOOK), VB_DRACUT_HOOK) == 0)
				return true;
		}
	}
	return false;
}

static bool initcpio_hook(const struct image *img, struct vb_image_report *r)
{
	char canon[PATH_MAX];
	const struct item *config;

	snprintf(r->hook_path, sizeof(r->hook_path), "/hooks/%s", VB_INITCPIO_HOOK);
	if (!resolve(img, r->hook_path, canon, sizeof(canon)))
		return false;
	/* /init runs the early hooks /config names. */
	snprintf(r->hook_path, sizeof(r->hook_path), "%s in EARLYHOOKS of /config",
		 VB_INITCPIO_HOOK);
	config = resolve(img, "config", canon, sizeof(canon));
	if (!config || !config->data)
		return false;
	for (const char *l = (const char *)config->data; l; l = strchr(l, '\n')) {
		l += *l == '\n';
		if (strncmp(l, "EARLYHOOKS=", 11) == 0) {
			char value[1024];
			size_t n = strcspn(l, "\n");

			snprintf(value, sizeof(value), "%.*s", (int)(n < sizeof(value) ? n : sizeof(value) - 1), l);
			return has_word(value, VB_INITCPIO_HOOK);
		}
	}
	return false;
}

static bool initcpio_unit(const struct image *img, struct vb_image_report *r)
{
	char canon[PATH_MAX];

	snprintf(r->hook_path, sizeof(r->hook_path), "/usr/lib/systemd/system/%s",
		 VB_INITCPIO_UNIT);
	if (!resolve(img, r->hook_path, canon, sizeof(canon)))
		return false;
	snprintf(r->hook_path, sizeof(r->hook_path),
		 "/usr/lib/systemd/system/sysinit.target.wants/%s", VB_INITCPIO_UNIT);
	return find(img, r->hook_path + 1) || resolve(img, r->hook_path, canon, sizeof(canon));
}

const char *vb_image_generator_name(enum vb_image_generator g)
{
	switch (g) {
	case VB_IMAGE_INITRAMFS_TOOLS:
		return "initramfs-tools";
	case VB_IMAGE_DRACUT:
		return "dracut";
	case VB_IMAGE_MKINITCPIO:
		return "mkinitcpio";
	case VB_IMAGE_MKINITCPIO_SYSTEMD:
		return "mkinitcpio (systemd)";
	case VB_IMAGE_UNKNOWN:
		break;
	}
	return "unknown";
}

/* The image's kernel: the first lib/modules/KVER/ that holds a file. */
static void image_kernel(const struct image *img, char *kver, size_t size)
{
	for (size_t i = 0; i < img->count; i++) {
		const char *name = img->items[i].name, *m = strstr(name, "lib/modules/");
		size_t n;

		if (!m || !S_ISREG(img->items[i].mode) || (m != name && m[-1] != '/'))
			continue;
		m += strlen("lib/modules/");
		n = strcspn(m, "/");
		if (m[n] == '/' && n > 0 && n < size) {
			snprintf(kver, size, "%.*s", (int)n, m);
			return;
		}
	}
}

/*
 * The modules the binder loads for the configuration (and those they need)
 * that the image's kernel has as .ko files and the image lacks, into
 * report->lacking.
 */
static int modules_lacking(const struct vb_root *root, const struct image *img,
			   const char *conf, size_t len, struct vb_image_report *report,
			   char *why, size_t why_size)
{
	struct vb_strv needed = { 0 }, why_needed = { 0 }, carried = { 0 };
	char where[256];
	int err;

	image_kernel(img, report->kver, sizeof(report->kver));
	err = vb_image_modules_needed(root, conf, len, report->kver, &needed, &why_needed, where,
				      sizeof(where));
	for (size_t i = 0; err == 0 && needed.count && i < img->count; i++)
		if (S_ISREG(img->items[i].mode))
			err = vb_image_module_note(&carried, &needed, img->items[i].name);
	for (size_t i = 0; err == 0 && i < needed.count; i++)
		if (!vb_strv_contains(&carried, needed.items[i]) &&
		    vb_strv_add(&report->lacking, "the module %s (%s)", needed.items[i],
				why_needed.items[i]) < 0)
			err = -ENOMEM;
	if (err < 0 && where[0])
		snprintf(why, why_size, "cannot read %s: %s", where, vb_strerror(err));
	else if (err < 0)
		snprintf(why, why_size, "%s", vb_strerror(err));
	vb_strv_free(&needed);
	vb_strv_free(&why_needed);
	vb_strv_free(&carried);
	return err;
}

int vb_image_inspect(const struct vb_root *root, const char *path, const char *expected_conf,
		     size_t len, struct vb_image_report *report, char *why, size_t why_size)
{
	struct image img = { 0 };
	struct stat st;
	char canon[PATH_MAX];
	const struct item *it;
	int fd = vb_root_open_regular(root, path, &st), err;

	memset(report, 0, sizeof(*report));
	why[0] = '\0';
	if (fd < 0) {
		snprintf(why, why_size, "%s", vb_strerror(fd));
		return fd;
	}
	err = read_image(fd, (uint64_t)st.st_size, &img, why, why_size);
	close(fd);
	if (err < 0) {
		image_free(&img);
		return err;
	}
	image_index(&img);
	report->generator = generator_of(&img);
	report->binder = is_exec_file(resolve(&img, VB_IMAGE_BINDER, canon, sizeof(canon)));
	switch (report->generator) {
	case VB_IMAGE_INITRAMFS_TOOLS:
		report->hook = itools_hook(&img, report);
		break;
	case VB_IMAGE_DRACUT:
		report->hook = dracut_hook(&img, report);
		break;
	case VB_IMAGE_MKINITCPIO:
		report->hook = initcpio_hook(&img, report);
		break;
	case VB_IMAGE_MKINITCPIO_SYSTEMD:
		report->hook = initcpio_unit(&img, report);
		break;
	case VB_IMAGE_UNKNOWN:
		snprintf(report->hook_path, sizeof(report->hook_path),
			 "a hook of initramfs-tools, dracut or mkinitcpio");
		break;
	}
	it = resolve(&img, VB_IMAGE_CONF, canon, sizeof(canon));
	if (!it || !S_ISREG(it->mode))
		report->conf = VB_IMAGE_CONF_ABSENT;
	else if (it->data && it->len == len && memcmp(it->data, expected_conf, len) == 0)
		report->conf = VB_IMAGE_CONF_SAME;
	else
		report->conf = VB_IMAGE_CONF_DIFFERENT;
	err = modules_lacking(root, &img, expected_conf, len, report, why, why_size);
	image_free(&img);
	if (err < 0)
		vb_image_report_free(report);
	return err;
}

void vb_image_report_free(struct vb_image_report *report)
{
	vb_strv_free(&report->lacking);
}

/* One line per thing the image lacks. */
static void list_missing(const struct vb_image_report *r, struct vb_strv *missing)
{
	if (!r->binder)
		vb_strv_add(missing, "the binder (%s)", VB_IMAGE_BINDER);
	if (!r->hook)
		vb_strv_add(missing, "the %s hook that runs it (%s)",
			    vb_image_generator_name(r->generator), r->hook_path);
	if (r->conf == VB_IMAGE_CONF_ABSENT)
		vb_strv_add(missing, "%s", VB_IMAGE_CONF);
	else if (r->conf == VB_IMAGE_CONF_DIFFERENT)
		vb_strv_add(missing, "%s as configured (the image holds another one)",
			    VB_IMAGE_CONF);
	for (size_t i = 0; i < r->lacking.count; i++)
		vb_strv_add(missing, "%s", r->lacking.items[i]);
}

int vb_image_check(const struct vb_root *root, const char *path, const char *expected_conf,
		   size_t len, struct vb_strv *missing)
{
	struct vb_image_report r;
	char why[256];
	int err = vb_image_inspect(root, path, expected_conf, len, &r, why, sizeof(why));

	if (err < 0) {
		vb_strv_add(missing, "cannot read the image: %s", why);
		return err;
	}
	list_missing(&r, missing);
	vb_image_report_free(&r);
	return 0;
}

enum vb_image_state vb_image_verdict(const struct vb_root *root, const char *path,
				     const char *expected_conf, size_t len, char *line, size_t size)
{
	struct vb_strv missing = { 0 };
	struct vb_image_report r;
	char why[256];
	size_t used;

	if (vb_image_inspect(root, path, expected_conf, len, &r, why, sizeof(why)) < 0) {
		snprintf(line, size, "cannot read %s: %s", path, why);
		return VB_IMAGE_UNREADABLE;
	}
	if (r.binder && r.hook && r.conf == VB_IMAGE_CONF_SAME && r.lacking.count == 0) {
		snprintf(line, size, "%s (%s) carries the binder, its hook and %s as configured",
			 path, vb_image_generator_name(r.generator), VB_IMAGE_CONF);
		return VB_IMAGE_COMPLETE;
	}
	if (r.binder && r.hook && r.conf != VB_IMAGE_CONF_SAME) {
		vb_image_report_free(&r);
		snprintf(line, size, "%s: the image predates the configuration: "
				     "run vfio-boot configure again", path);
		return VB_IMAGE_STALE;
	}
	list_missing(&r, &missing);
	used = (size_t)snprintf(line, size, "%s (%s) lacks ", path,
				vb_image_generator_name(r.generator));
	for (size_t i = 0; i < missing.count && used < size; i++)
		used += (size_t)snprintf(line + used, size - used, "%s%s", i ? ", " : "",
					 missing.items[i]);
	if (used < size)
		snprintf(line + used, size - used, "%s",
			 !r.binder || !r.hook ? ": nothing will be bound at boot" :
			 r.lacking.count > 1 ? ": the binder cannot load them at boot" :
					       ": the binder cannot load it at boot");
	vb_image_report_free(&r);
	vb_strv_free(&missing);
	return VB_IMAGE_INCOMPLETE;
}
