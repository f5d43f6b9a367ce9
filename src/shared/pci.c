// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "hex.h"
#include "pci.h"

int vb_pci_addr_parse(const char *text, size_t len, struct vb_pci_addr *addr,
		      const char **why)
{
	uint32_t field[4];
	size_t nfield = 0, pos = 0;
	char sep[3];

	/* Split into up to four hex fields separated by ':' ':' '.' */
	for (;;) {
		int n = vb_hex_parse(text + pos, len - pos, 1, 8, &field[nfield]);
		if (n < 0) {
			*why = pos < len ? "address field is not hex" :
					   "address is cut short";
			return -EINVAL;
		}
		pos += (size_t)n;
		nfield++;
		if (pos == len || nfield == 4)
			break;
		if (text[pos] != ':' && text[pos] != '.') {
			*why = "address has a character that is neither hex, ':' nor '.'";
			return -EINVAL;
		}
		sep[nfield - 1] = text[pos++];
	}
	if (pos != len) {
		*why = "trailing characters after the address";
		return -EINVAL;
	}
	if (nfield == 3 && sep[0] == ':' && sep[1] == '.') {
		field[3] = field[2];
		field[2] = field[1];
		field[1] = field[0];
		field[0] = 0;
	} else if (!(nfield == 4 && sep[0] == ':' && sep[1] == ':' && sep[2] == '.')) {
		*why = "address must be [domain:]bus:slot.function";
		return -EINVAL;
	}
	if (field[1] > 0xff) {
		*why = "bus number above ff";
		return -EINVAL;
	}
	if (field[2] > 0x1f) {
		*why = "slot number above 1f";
		return -EINVAL;
	}
	if (field[3] > 7) {
		*why = "function number above 7";
		return -EINVAL;
	}
	addr->domain = field[0];
	addr->bus = (uint8_t)field[1];
	addr->slot = (uint8_t)field[2];
	addr->func = (uint8_t)field[3];
	return 0;
}

int vb_pci_name_parse(const char *name, struct vb_pci_addr *addr)
{
	size_t len = strlen(name);
	const char *why;

	/* The kernel's "%04x:%02x:%02x.%d": no zero leads a domain of more than four digits. */
	if (len < 12 || len > 16 || (len > 12 && name[0] == '0'))
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		char want = i == len - 8 || i == len - 5 ? ':' : i == len - 2 ? '.' : 0;

		if (want ? name[i] != want : !strchr("0123456789abcdef", name[i]))
			return -EINVAL;
	}
	return vb_pci_addr_parse(name, len, addr, &why);
}

int vb_pci_modalias_parse(const char *text, size_t len, struct vb_pci_fn *fn)
{
	static const char *const tags[] = { "pci:v", "d", "sv", "sd", "bc", "sc", "i" };
	static const size_t digits[] = { 8, 8, 8, 8, 2, 2, 2 };
	uint32_t v[7];
	size_t pos = 0;

	for (size_t f = 0; f < 7; f++) {
		size_t taglen = strlen(tags[f]);

		if (pos + taglen > len || memcmp(text + pos, tags[f], taglen) != 0)
			return -EINVAL;
		pos += taglen;
		/* Fixed width: the tag that follows ("d", "bc") may look like hex. */
		if (pos + digits[f] > len ||
		    vb_hex_parse(text + pos, digits[f], digits[f], digits[f], &v[f]) < 0)
			return -EINVAL;
		pos += digits[f];
	}
	/* PCI IDs are 16 bits: a wider one would be cut into another device's ID. */
	for (size_t f = 0; f < 4; f++)
		if (v[f] > 0xffff)
			return -EINVAL;
	fn->vendor = (uint16_t)v[0];
	fn->device = (uint16_t)v[1];
	fn->subvendor = (uint16_t)v[2];
	fn->subdevice = (uint16_t)v[3];
	fn->class = v[4] << 16 | v[5] << 8 | v[6];
	return 0;
}

int vb_pci_addr_format(const struct vb_pci_addr *addr, char *buf, size_t size)
{
	return snprintf(buf, size, "%04x:%02x:%02x.%x", addr->domain, addr->bus,
			addr->slot, addr->func);
}

int vb_pci_addr_cmp(const struct vb_pci_addr *a, const struct vb_pci_addr *b)
{
	uint64_t ka = ((uint64_t)a->domain << 16) | (uint32_t)(a->bus << 8) |
		      (uint32_t)(a->slot << 3) | a->func;
	uint64_t kb = ((uint64_t)b->domain << 16) | (uint32_t)(b->bus << 8) |
		      (uint32_t)(b->slot << 3) | b->func;

	return (ka > kb) - (ka < kb);
}

bool vb_pci_same_slot(const struct vb_pci_fn *a, const struct vb_pci_fn *b)
{
	return a->addr.domain == b->addr.domain && a->addr.bus == b->addr.bus &&
	       a->addr.slot == b->addr.slot;
}

bool vb_pci_is_bridge(const struct vb_pci_fn *fn)
{
	return fn->header_type == 1 || (fn->class >> 16) == 0x06;
}

bool vb_pci_may_be_boot_vga(const struct vb_pci_fn *fn)
{
	uint32_t sub = fn->class >> 8;

	if (fn->boot_vga >= 0)
		return fn->boot_vga == 1;
	return !fn->no_class && (sub == 0x0300 || sub == 0x0001);
}

bool vb_pci_on_root_bus(const struct vb_pci_fn *fn)
{
	return fn->root_bus < 0 ? fn->addr.bus == 0 : fn->root_bus == 1;
}

/* Class codes by value under a mask; the first match names a class. */
struct class_entry {
	uint32_t value, mask;
	bool card;          /* carried by graphics and accelerator cards */
	const char *words;
};

static const struct class_entry classes[] = {
	{ 0x030000, 0xff0000, true, "display controller" },
	{ 0x040100, 0xffff00, true, "audio device" },
	{ 0x040300, 0xffff00, true, "HD audio controller" },
	{ 0x0c0300, 0xffff00, true, "USB controller" },
	{ 0x0c8000, 0xffff00, true, "serial bus controller" },
	{ 0x120000, 0xff0000, true, "processing accelerator" },
	{ 0x010600, 0xffff00, false, "SATA controller" },
	{ 0x010800, 0xffff00, false, "NVMe controller" },
	{ 0x010000, 0xff0000, false, "storage controller" },
	{ 0x020000, 0xff0000, false, "network controller" },
	{ 0x040000, 0xff0000, false, "multimedia controller" },
	{ 0x050000, 0xff0000, false, "memory controller" },
	{ 0x060100, 0xffff00, false, "ISA bridge" },
	{ 0x060000, 0xff0000, false, "bridge" },
	{ 0x070000, 0xff0000, false, "communication controller" },
	{ 0x080000, 0xff0000, false, "system peripheral" },
	{ 0x0c0500, 0xffff00, false, "SMBus controller" },
	{ 0x0c0000, 0xff0000, false, "serial bus controller" },
	{ 0x0d0000, 0xff0000, false, "wireless controller" },
	{ 0x100000, 0xff0000, false, "encryption controller" },
	{ 0x110000, 0xff0000, false, "signal processing controller" },
};

static const struct class_entry *class_entry(uint32_t class)
{
	for (size_t i = 0; i < ARRAY_SIZE(classes); i++)
		if ((class & classes[i].mask) == classes[i].value)
			return &classes[i];
	return NULL;
}

bool vb_pci_is_card_class(uint32_t class)
{
	const struct class_entry *e = class_entry(class);

	return e && e->card;
}

const char *vb_pci_class_words(const struct vb_pci_fn *fn, char *buf, size_t size)
{
	const struct class_entry *e = fn->no_class ? NULL : class_entry(fn->class);

	if (fn->no_class)
		snprintf(buf, size, "function of unknown class");
	else if (e)
		snprintf(buf, size, "%s", e->words);
	else
		snprintf(buf, size, "class %04x function", fn->class >> 8);
	return buf;
}

static int fn_cmp(const void *a, const void *b)
{
	const struct vb_pci_fn *fa = a, *fb = b;

	return vb_pci_addr_cmp(&fa->addr, &fb->addr);
}

void vb_snapshot_sort(struct vb_snapshot *snap)
{
	if (snap->count > 1)
		qsort(snap->fns, snap->count, sizeof(*snap->fns), fn_cmp);
}

const struct vb_pci_fn *vb_snapshot_find(const struct vb_snapshot *snap,
					 const struct vb_pci_addr *addr)
{
	size_t lo = 0, hi = snap->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = vb_pci_addr_cmp(&snap->fns[mid].addr, addr);
		if (c == 0)
			return &snap->fns[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void vb_snapshot_free(struct vb_snapshot *snap)
{
	for (size_t i = 0; i < snap->count; i++)
		free(snap->fns[i].modalias);
	free(snap->fns);
	snap->fns = NULL;
	snap->count = 0;
}
