/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "strv.h"
#include "pci.h"
#include "selector.h"

/*
 * The per-device keys of /etc/vfio-boot.conf: which driver takes a function
 * (driver=), the reset methods written before it is bound (reset_method=) and
 * the modules loaded before vfio-pci (preload=). None of them selects
 * anything: they apply to the functions the selection takes.
 *
 *   driver=vfio-pci                     every function on generic vfio-pci
 *   driver=MODULE@SELECTOR              the functions SELECTOR names go to the
 *                                       driver MODULE registers (a vfio-pci
 *                                       variant; vfio-pci forces the generic one)
 *   reset_method=METHOD[,METHOD]@SELECTOR
 *   preload=MODULE[,MODULE]
 */

#define VB_MODULE_NAME_MAX 56   /* the kernel's MODULE_NAME_LEN, with its NUL */
#define VB_RESET_METHODS_MAX 8  /* methods on one reset_method= line */
#define VB_RESET_TEXT_MAX 128   /* the methods, as written to sysfs */

enum vb_device_rule_kind {
	VB_DEVICE_DRIVER, /* value: the module */
	VB_DEVICE_RESET,  /* value: the methods, space-separated as sysfs takes them */
};

struct vb_device_rule {
	enum vb_device_rule_kind kind;
	struct vb_selector sel;
	char value[VB_RESET_TEXT_MAX];
	char origin[96]; /* "/etc/vfio-boot.conf:7" */
};

struct vb_device_rules {
	struct vb_device_rule *items;
	size_t count;
	bool generic;          /* driver=vfio-pci without a selector: no variant anywhere */
	struct vb_strv preload; /* modules loaded before vfio-pci, in order, each once */
	/* Asked for a function no driver= (or reset_method=) line here names; not owned. */
	const struct vb_device_rules *fallback;
};

/*
 * Takes a driver=, reset_method= or preload= line (key and value trimmed).
 * Returns 1 when key is one of them (a malformed value is said in problems,
 * naming where, and skipped), 0 when it is another key, or -ENOMEM.
 */
int vb_device_rules_parse(struct vb_device_rules *rules, struct vb_strv *problems,
			  const char *where, const char *key, size_t keylen, const char *value,
			  size_t valuelen);

void vb_device_rules_free(struct vb_device_rules *rules);

/*
 * Completes rules (given on a command line) with saved ones, function by
 * function: a function no driver= line of rules names (and driver=vfio-pci
 * for all is not given) takes saved's driver; one no reset_method= line names
 * takes saved's methods; without preload= in rules, saved's preload list moves
 * over. saved must outlive rules (it is its fallback) and is freed by the
 * caller after rules.
 */
void vb_device_rules_fill(struct vb_device_rules *rules, struct vb_device_rules *saved);

/* True for vfio-pci or vfio_pci: the generic driver. */
bool vb_module_is_vfio_pci(const char *module);

/* True for a module name the kernel can have: 1 to 55 of [A-Za-z0-9_-]. */
bool vb_module_name_valid(const char *name, size_t len);

/*
 * The module whose driver takes fn: a variant's module, or NULL for generic
 * vfio-pci (driver=vfio-pci, for all or for a selector matching fn, wins over
 * any variant; no line for fn means vfio-pci). An ID@address selector matches
 * only where the address holds that ID.
 */
const char *vb_device_rules_driver(const struct vb_device_rules *rules,
				   const struct vb_pci_fn *fn);

/* True when rule r names fn (an ID@address only where the address holds that ID). */
bool vb_device_rule_matches(const struct vb_device_rule *r, const struct vb_pci_fn *fn);

/* True when a rule of kind in rules (not its fallback) names fn. */
bool vb_device_rules_name(const struct vb_device_rules *rules, enum vb_device_rule_kind kind,
			  const struct vb_pci_fn *fn);

/*
 * The first of the space-separated methods that the space-separated list
 * (a device's reset_method) lacks: its length in *len and a pointer to it,
 * or NULL when it lists every one.
 */
const char *vb_reset_method_missing(const char *list, const char *methods, size_t *len);

/* The reset methods for fn, space-separated ("device_specific bus"), or NULL. */
const char *vb_device_rules_reset(const struct vb_device_rules *rules,
				  const struct vb_pci_fn *fn);
