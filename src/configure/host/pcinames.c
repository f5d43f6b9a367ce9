// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pci/pci.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pcinames.h"

#define CACHE_SLOTS 256 /* names remembered; a machine has far fewer models */
#define IDS_MAX (64 << 20) /* a pci.ids larger than this is left to libpci whole */

/* One remembered answer: (flags, id1, id2) -> name. */
struct cached_name {
	int flags, id1, id2;
	char *name; /* NULL: slot unused */
};

struct vb_pcinames {
	struct pci_access *pacc;
	int ids_fd; /* the narrowed pci.ids libpci reads, or -1 */
	struct cached_name cache[CACHE_SLOTS];
};

static void __attribute__((noreturn)) pci_fatal(char *msg, ...)
{
	fprintf(stderr, "vfio-boot: libpci: %s\n", msg);
	exit(1);
}

static void pci_ignore(char *msg, ...)
{
	(void)msg;
}

/* The vendor and device IDs of a snapshot's functions, as vendor << 16 | device. */
struct wanted_ids {
	uint32_t *ids;
	size_t count;
};

static int id_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static bool wanted(const struct wanted_ids *w, uint32_t id, uint32_t mask)
{
	size_t lo = 0, hi = w->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if ((w->ids[mid] & mask) == id)
			return true;
		if ((w->ids[mid] & mask) < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Four hex digits at p followed by a blank, as libpci reads an ID; -1 otherwise. */
static long id4(const char *p, const char *end)
{
	long v = 0;

	if (end - p < 5 || (p[4] != ' ' && p[4] != '\t'))
		return -1;
	for (int i = 0; i < 4; i++) {
		int c = p[i], d = c >= '0' && c <= '9' ? c - '0' :
				  c >= 'a' && c <= 'f' ? c - 'a' + 10 :
				  c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}

/*
 * Copies from the pci.ids text what lookups of w's IDs and of classes can
 * reach: the lines of the wanted vendors and of their wanted devices (no
 * subsystems: never looked up), and the class blocks. Lines go as they are,
 * so libpci parses them as it would in the whole file; an ID left out is
 * one that libpci would not find there either (it asks the hwdb then, as before).
 */
static int narrow(const char *text, size_t len, const struct wanted_ids *w, FILE *out)
{
	enum { SKIP, VENDOR, CLASS } block = SKIP;
	long vendor = -1;

	for (const char *line = text, *end; line < text + len; line = end) {
		const char *nl = memchr(line, '\n', (size_t)(text + len - line));
		bool keep = false;
		long id;

		end = nl ? nl + 1 : text + len;
		/* line[1] only where there is one: the text is mapped, not a string. */
		if (line[0] == '\t') {
			if (block == CLASS)
				keep = true;
			else if (block == VENDOR && end - line > 1 && line[1] != '\t' &&
				 (id = id4(line + 1, end)) >= 0)
				keep = wanted(w, (uint32_t)(vendor << 16 | id), 0xffffffffu);
		} else if (line[0] == 'C' && end - line > 1 && line[1] == ' ') {
			block = CLASS;
			keep = true;
		} else if ((id = id4(line, end)) >= 0) {
			vendor = id;
			block = wanted(w, (uint32_t)id << 16, 0xffff0000u) ? VENDOR : SKIP;
			keep = block == VENDOR;
		} else if (line[0] != '#' && line[0] != '\n' && line[0] != ' ') {
			block = SKIP; /* another top-level block (S, or one yet unknown) */
		}
		if (keep && fwrite(line, 1, (size_t)(end - line), out) != (size_t)(end - line))
			return -EIO;
	}
	return fflush(out) == 0 ? 0 : -EIO;
}

/*
 * libpci reads all of pci.ids into a hash before its first answer: most of
 * what `vfio-boot list` costs. It is given instead, in a memfd, the few
 * lines that the snapshot's IDs and the classes need. Any trouble leaves it
 * the whole file.
 */
static void narrow_ids(struct vb_pcinames *names, const struct vb_snapshot *only)
{
	struct wanted_ids w = { calloc(only->count ? only->count : 1, sizeof(uint32_t)), 0 };
	const char *file = names->pacc->id_file_name;
	size_t len = strlen(file);
	char *text = MAP_FAILED, path[PATH_MAX];
	FILE *in = fopen(file, "re"), *out = NULL;
	struct stat st;
	int fd = -1;

	/* Where libpci looks: "pci.ids.gz", else the same name without ".gz". */
	if (!in && len > 3 && len < sizeof(path) && strcmp(file + len - 3, ".gz") == 0) {
		snprintf(path, sizeof(path), "%.*s", (int)(len - 3), file);
		in = fopen(path, "re");
	}
	if (!w.ids || !in || fstat(fileno(in), &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size < 2 || st.st_size > IDS_MAX)
		goto out;
	/* Mapped, not read: a copy of 1.3 MB costs more than the scan of it. */
	text = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fileno(in), 0);
	if (text == MAP_FAILED || (text[0] == '\x1f' && text[1] == '\x8b')) /* gzip: libpci unpacks it */
		goto out;
	for (size_t i = 0; i < only->count; i++)
		w.ids[w.count++] = (uint32_t)only->fns[i].vendor << 16 | only->fns[i].device;
	qsort(w.ids, w.count, sizeof(*w.ids), id_cmp);
	fd = memfd_create("pci.ids", MFD_CLOEXEC);
	out = fd >= 0 ? fdopen(dup(fd), "we") : NULL;
	if (!out || narrow(text, (size_t)st.st_size, &w, out) < 0)
		goto out;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (access(path, R_OK) == 0 && (file = strdup(path)) != NULL) {
		/* libpci keeps the name and frees it. */
		pci_set_name_list_path(names->pacc, (char *)file, 1);
		names->ids_fd = fd;
		fd = -1;
	}
out:
	if (out)
		fclose(out);
	if (fd >= 0)
		close(fd);
	if (text != MAP_FAILED)
		munmap(text, (size_t)st.st_size);
	if (in)
		fclose(in);
	free(w.ids);
}

/* Only pci.ids lookups are used: devices come from our own sysfs reader. */
struct vb_pcinames *vb_pcinames_new(const struct vb_snapshot *only)
{
	struct vb_pcinames *names = calloc(1, sizeof(*names));

	if (!names)
		return NULL;
	names->ids_fd = -1;
	names->pacc = pci_alloc();
	if (!names->pacc) {
		free(names);
		return NULL;
	}
	names->pacc->error = pci_fatal;
	names->pacc->warning = pci_ignore;
	names->pacc->debug = pci_ignore;
	if (only)
		narrow_ids(names, only);
	return names;
}

void vb_pcinames_free(struct vb_pcinames *names)
{
	if (!names)
		return;
	pci_cleanup(names->pacc);
	if (names->ids_fd >= 0)
		close(names->ids_fd);
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		free(names->cache[i].name);
	free(names);
}

/* Functions of one model repeat: each distinct ID is looked up once. */
static const char *lookup(struct vb_pcinames *names, char *buf, size_t size, int flags,
			  int id1, int id2)
{
	unsigned slot = ((unsigned)flags * 31u + (unsigned)id1 * 65599u + (unsigned)id2) %
			CACHE_SLOTS;
	struct cached_name *c = &names->cache[slot];
	const char *name;

	if (c->name && c->flags == flags && c->id1 == id1 && c->id2 == id2) {
		snprintf(buf, size, "%s", c->name);
		return c->name[0] ? buf : NULL;
	}
	name = pci_lookup_name(names->pacc, buf, (int)size, flags | PCI_LOOKUP_NO_NUMBERS, id1, id2);
	free(c->name);
	*c = (struct cached_name){ flags, id1, id2, strdup(name ? name : "") };
	return name;
}

const char *vb_pcinames_device(struct vb_pcinames *names, uint16_t vendor, uint16_t device,
			       char *buf, size_t size)
{
	if (names && lookup(names, buf, size, PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE, vendor, device))
		return buf;
	snprintf(buf, size, "Device %04x:%04x", vendor, device);
	return buf;
}

const char *vb_pcinames_class(struct vb_pcinames *names, uint32_t class, char *buf,
			      size_t size)
{
	if (names && lookup(names, buf, size, PCI_LOOKUP_CLASS, (int)(class >> 8), 0))
		return buf;
	snprintf(buf, size, "Class %04x", class >> 8);
	return buf;
}
