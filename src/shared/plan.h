/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "strv.h"
#include "pci.h"

#define VB_REASON_MAX 200
#define VB_NO_FN ((size_t)-1)
#define VB_CARDS_SHOWN 8 /* cards of one selector the plan remembers by name */

enum vb_verdict {
	VB_VERDICT_BIND,    /* take it from its driver (or none) to vfio-pci */
	VB_VERDICT_ALREADY, /* already on vfio-pci: keep it there */
	VB_VERDICT_REFUSE,  /* selected, but a rule or a skip says no */
};

/* The rule that refused a target (VB_RULE_NONE for one that is taken). */
enum vb_rule {
	VB_RULE_NONE,
	VB_RULE_SKIP,         /* vfio_boot.skip= names it: per function */
	VB_RULE_ID_GUARD,     /* ID@address found another ID at the address */
	VB_RULE_BRIDGE,       /* bridges are never bound */
	VB_RULE_KEPT,         /* no implicit companion: not a class cards carry, a
				 chipset function, or its group cannot go whole */
	/* The safety rules: one of them keeps every function of the slot. */
	VB_RULE_BOOT_VGA,     /* the boot VGA device (fail safe), or its card */
	VB_RULE_HOST_DISK,    /* holds a host mount, shares its group, or its card */
	VB_RULE_HOST_NETWORK, /* carries the default route, shares its group, or its card */
};

/* One function the selection touches, and what to do with it. */
struct vb_target {
	size_t fn;                              /* index into the snapshot */
	enum vb_verdict verdict;
	enum vb_rule rule;                      /* why it is refused */
	bool companion;                         /* came along with a selected function */
	bool by_group;                          /* came along by companions=group */
	char selected_by[VB_SELECTOR_MAX + 1];  /* selector text, or "companion" */
	char reason[VB_REASON_MAX];             /* why, in a few words */
};

/* What a function the running host needs is to it. */
enum vb_host_role {
	VB_HOST_DISK,    /* holds /, /boot or /boot/efi */
	VB_HOST_NETWORK, /* carries a default route */
};

/* A PCI function the running host needs (found by the configurator's reader). */
struct vb_host_device {
	struct vb_pci_addr addr;
	enum vb_host_role role;
	char what[64]; /* the mount point ("/boot/efi") or the interface ("eno1") */
};

struct vb_host_facts {
	const struct vb_host_device *items;
	size_t count;
};

/* What one selector of the configuration came to. */
struct vb_selector_result {
	size_t matched;                 /* functions it matches */
	size_t refused;                 /* of those, refused */
	size_t cards;                   /* distinct slots among the matches */
	size_t card_fn[VB_CARDS_SHOWN]; /* its first match in each of the first slots */
	size_t example_fn;              /* its first match that is taken, or VB_NO_FN */
};

/* An IOMMU group the plan leaves split between vfio-pci and the host. */
struct vb_group_split {
	long group;
	size_t taken_fn;  /* the first of its functions that goes to vfio-pci */
	size_t *left;     /* its endpoints that stay with the host, by address */
	size_t nleft;
	size_t kept_fn;   /* the first of those a safety rule keeps, or VB_NO_FN */
	char kept_reason[VB_REASON_MAX]; /* why, when kept_fn is one */
};

struct vb_plan {
	struct vb_target *targets;            /* sorted by address */
	size_t count;
	struct vb_strv notes;                 /* selectors that matched nothing */
	size_t unmatched;                     /* how many selectors matched nothing */
	struct vb_selector_result *selectors; /* one per cfg->select entry */
	size_t nselectors;
	struct vb_group_split *splits;        /* by group number */
	size_t nsplits;
};

/*
 * The pure core: resolves cfg's selection against snap into targets, adds
 * companion functions per policy and applies the rules (README "Safety
 * rules"). host lists the functions the running system needs (NULL at boot,
 * where nobody knows). The selector results and group splits are exact only
 * when every function's details were read. Does no I/O. Returns 0, or
 * -ENOMEM (plan is then empty).
 */
int vb_plan_build(const struct vb_config *cfg, const struct vb_snapshot *snap,
		  const struct vb_host_facts *host, struct vb_plan *plan);

/*
 * Marks in want (one flag per snapshot function) every function whose details
 * the plan needs, from the IDs and addresses alone: selector matches and their
 * slot mates, or every function with companions=group (groups are details).
 */
void vb_plan_candidates(const struct vb_config *cfg, const struct vb_snapshot *snap,
			bool *want);

void vb_plan_free(struct vb_plan *plan);

/* The target for snapshot function fn, or NULL. */
const struct vb_target *vb_plan_target_of(const struct vb_plan *plan, size_t fn);

/* True when the target goes to (or stays on) vfio-pci. */
static inline bool vb_target_taken(const struct vb_target *t)
{
	return t->verdict != VB_VERDICT_REFUSE;
}

/* True for the rules that keep every function of the slot (boot VGA, host disk, network). */
bool vb_rule_is_safety(enum vb_rule rule);

/* A rule in a word or two: "boot VGA", "host disk". */
const char *vb_rule_name(enum vb_rule rule);

/* The host device at addr, or NULL. */
const struct vb_host_device *vb_host_facts_find(const struct vb_host_facts *host,
						const struct vb_pci_addr *addr);

/* What the host needs it for: "holds the root filesystem (/)". */
const char *vb_host_device_words(const struct vb_host_device *d, char *buf, size_t size);

/*
 * Appends a clause to a reason ("same slot as X; already bound to vfio-pci"),
 * with "; " when the reason was not empty; cut to fit.
 */
void vb_reason_append(char reason[VB_REASON_MAX], const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Counts targets with a verdict. */
size_t vb_plan_count(const struct vb_plan *plan, enum vb_verdict verdict);
