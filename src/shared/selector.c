// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <string.h>

#include "hex.h"
#include "selector.h"

/* Parses "vvvv:dddd[:ssss:ssss]" exactly; nfields is 2 or 4 on success. */
static int parse_ids(const char *text, size_t len, uint32_t ids[4], size_t *nfields,
		     const char **why)
{
	size_t pos = 0, n = 0;

	for (;;) {
		int used = vb_hex_parse(text + pos, len - pos, 4, 4, &ids[n]);
		if (used < 0) {
			*why = "IDs are 4 hex digits each (vendor:device)";
			return -EINVAL;
		}
		pos += (size_t)used;
		n++;
		if (pos == len)
			break;
		if (text[pos] != ':' || n == 4) {
			*why = "IDs must be vendor:device or vendor:device:subvendor:subdevice";
			return -EINVAL;
		}
		pos++;
	}
	if (n != 2 && n != 4) {
		*why = "IDs must be vendor:device or vendor:device:subvendor:subdevice";
		return -EINVAL;
	}
	*nfields = n;
	return 0;
}

int vb_selector_parse(const char *text, size_t len, struct vb_selector *sel,
		      const char **why)
{
	const char *at = memchr(text, '@', len);
	uint32_t ids[4];
	size_t nfields;

	if (len == 0) {
		*why = "empty selector";
		return -EINVAL;
	}
	if (len > VB_SELECTOR_MAX) {
		*why = "selector too long";
		return -EINVAL;
	}
	memset(sel, 0, sizeof(*sel));
	memcpy(sel->text, text, len);
	sel->text[len] = '\0';

	if (at) {
		size_t idlen = (size_t)(at - text);
		if (parse_ids(text, idlen, ids, &nfields, why) < 0)
			return -EINVAL;
		if (nfields != 2) {
			*why = "the ID before '@' must be vendor:device";
			return -EINVAL;
		}
		if (vb_pci_addr_parse(at + 1, len - idlen - 1, &sel->addr, why) < 0)
			return -EINVAL;
		sel->kind = VB_SEL_ID_AT_ADDR;
	} else if (memchr(text, '.', len)) {
		if (vb_pci_addr_parse(text, len, &sel->addr, why) < 0)
			return -EINVAL;
		sel->kind = VB_SEL_ADDR;
		return 0;
	} else {
		if (parse_ids(text, len, ids, &nfields, why) < 0)
			return -EINVAL;
		sel->kind = nfields == 4 ? VB_SEL_ID_SUBSYS : VB_SEL_ID;
		if (nfields == 4) {
			sel->subvendor = (uint16_t)ids[2];
			sel->subdevice = (uint16_t)ids[3];
		}
	}
	sel->vendor = (uint16_t)ids[0];
	sel->device = (uint16_t)ids[1];
	return 0;
}

bool vb_selector_equal(const struct vb_selector *a, const struct vb_selector *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case VB_SEL_ID:
		return a->vendor == b->vendor && a->device == b->device;
	case VB_SEL_ID_SUBSYS:
		return a->vendor == b->vendor && a->device == b->device &&
		       a->subvendor == b->subvendor && a->subdevice == b->subdevice;
	case VB_SEL_ADDR:
		return vb_pci_addr_cmp(&a->addr, &b->addr) == 0;
	case VB_SEL_ID_AT_ADDR:
		return a->vendor == b->vendor && a->device == b->device &&
		       vb_pci_addr_cmp(&a->addr, &b->addr) == 0;
	}
	return false;
}

bool vb_selector_id_matches(const struct vb_selector *sel, const struct vb_pci_fn *fn)
{
	return fn->vendor == sel->vendor && fn->device == sel->device;
}

bool vb_selector_matches(const struct vb_selector *sel, const struct vb_pci_fn *fn)
{
	switch (sel->kind) {
	case VB_SEL_ID:
		return vb_selector_id_matches(sel, fn);
	case VB_SEL_ID_SUBSYS:
		return vb_selector_id_matches(sel, fn) && fn->subvendor == sel->subvendor &&
		       fn->subdevice == sel->subdevice;
	case VB_SEL_ADDR:
	case VB_SEL_ID_AT_ADDR:
		return vb_pci_addr_cmp(&sel->addr, &fn->addr) == 0;
	}
	return false;
}
