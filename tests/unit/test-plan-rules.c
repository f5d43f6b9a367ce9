// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The safety rules (README "Safety rules") as properties of every plan:
 * random machines (functions on root and other buses, cards, chipset slots,
 * bridges, classes cards carry and others, unknown classes, shared IOMMU
 * groups, boot VGA devices, host disks and networks) and random selections,
 * each plan checked against the rules rather than against a hand-written
 * answer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "config.h"
#include "plan.h"
#include "unit.h"

static unsigned long long rng_state = 0x2545f4914f6cdd1dULL;

static unsigned rnd(unsigned n)
{
	return unit_rand(&rng_state, n);
}

/* Classes a machine is made of: card classes, host classes, bridges, unknown. */
static const uint32_t classes[] = { 0x030000, 0x030200, 0x038000, 0x040300, 0x040100,
				    0x0c0330, 0x0c8000, 0x120000, 0x020000, 0x010802,
				    0x010601, 0x0c0500, 0x080600, 0x060400, 0x060100,
				    0x108000, 0x000000 };
#define NCLASSES (ARRAY_SIZE(classes))
#define FNS_MAX 24

struct machine {
	struct vb_pci_fn fns[FNS_MAX];
	size_t count;
	struct vb_host_device host[3];
	size_t nhost;
};

/* A random machine: up to 6 slots of 1 to 4 functions on buses 0 to 3. */
static void make_machine(struct machine *m)
{
	unsigned slots = 1 + rnd(6);

	memset(m, 0, sizeof(*m));
	for (unsigned s = 0; s < slots && m->count < FNS_MAX - 4; s++) {
		unsigned bus = rnd(4), dev = rnd(3), nfn = 1 + rnd(4);
		long group = rnd(4) ? (long)rnd(5) : -1;

		for (unsigned f = 0; f < nfn; f++) {
			struct vb_pci_fn *fn = &m->fns[m->count];
			bool dup = false;

			for (size_t i = 0; i < m->count; i++)
				dup = dup || (m->fns[i].addr.bus == bus && m->fns[i].addr.slot == dev &&
					      m->fns[i].addr.func == f);
			if (dup)
				continue;
			fn->addr = (struct vb_pci_addr){ 0, (uint8_t)bus, (uint8_t)dev, (uint8_t)f };
			snprintf(fn->name, sizeof(fn->name), "0000:%02x:%02x.%x", bus, dev, f);
			fn->vendor = (uint16_t)(0x10de + rnd(3));
			fn->device = (uint16_t)(0x2500 + rnd(4));
			fn->class = classes[rnd(NCLASSES)];
			fn->no_class = fn->class == 0 && rnd(2);
			fn->header_type = (int8_t)((fn->class >> 8) == 0x0604 ? 1 : rnd(8) ? 0 : -1);
			fn->boot_vga = (int8_t)((fn->class >> 8) == 0x0300 ? (int)rnd(3) - 1 : -1);
			fn->root_bus = (int8_t)(rnd(5) ? bus == 0 : -1);
			fn->iommu_group = rnd(5) ? group : (long)rnd(5);
			snprintf(fn->driver, sizeof(fn->driver), "%s", rnd(6) ? "native" : "vfio-pci");
			m->count++;
		}
	}
	/* Sorted by address, as the reader leaves it. */
	for (size_t i = 1; i < m->count; i++)
		for (size_t j = i; j > 0 && vb_pci_addr_cmp(&m->fns[j].addr, &m->fns[j - 1].addr) < 0;
		     j--) {
			struct vb_pci_fn t = m->fns[j];

			m->fns[j] = m->fns[j - 1];
			m->fns[j - 1] = t;
		}
	for (unsigned h = rnd(3); h > 0 && m->count; h--) {
		struct vb_host_device *d = &m->host[m->nhost++];

		d->addr = m->fns[rnd((unsigned)m->count)].addr;
		d->role = rnd(2) ? VB_HOST_DISK : VB_HOST_NETWORK;
		snprintf(d->what, sizeof(d->what), "%s", d->role == VB_HOST_DISK ? "/" : "eno1");
	}
}

/* A random selection over m: addresses, IDs, ID@address, a policy, maybe a skip. */
static void make_config(const struct machine *m, char *conf, size_t size)
{
	static const char *const policies[] = { "slot", "group", "none" };
	size_t len = 0;

	for (unsigned n = 1 + rnd(3); n > 0; n--) {
		const struct vb_pci_fn *fn = &m->fns[rnd((unsigned)m->count)];

		switch (rnd(3)) {
		case 0:
			len += (size_t)snprintf(conf + len, size - len, "%s\n", fn->name);
			break;
		case 1:
			len += (size_t)snprintf(conf + len, size - len, "%04x:%04x\n", fn->vendor,
						fn->device);
			break;
		default: {
			/* Now and then a guard that fails: another function's ID. */
			const struct vb_pci_fn *id = rnd(4) ? fn : &m->fns[rnd((unsigned)m->count)];

			len += (size_t)snprintf(conf + len, size - len, "%04x:%04x@%s\n",
						id->vendor, id->device, fn->name);
		}
		}
	}
	snprintf(conf + len, size - len, "companions=%s\nboot-vga=%s\n", policies[rnd(3)],
		 rnd(4) ? "refuse" : "allow");
}

static unsigned shown;

static void violation(const struct machine *m, const char *conf, const struct vb_plan *plan,
		      const char *rule, const struct vb_target *t)
{
	unit_failed++;
	if (shown++ >= 6)
		return;
	fprintf(stderr, "rule broken: %s: %s taken (%s, '%s')\nconfig:\n%s", rule,
		m->fns[t->fn].name, t->selected_by, t->reason, conf);
	for (size_t i = 0; i < m->count; i++) {
		const struct vb_target *x = vb_plan_target_of(plan, i);

		fprintf(stderr, "  %s class %06x%s group %ld boot_vga %d root_bus %d%s%s\n",
			m->fns[i].name, m->fns[i].class, m->fns[i].no_class ? " (unknown)" : "",
			m->fns[i].iommu_group, m->fns[i].boot_vga, m->fns[i].root_bus,
			vb_host_facts_find(&(struct vb_host_facts){ m->host, m->nhost },
					   &m->fns[i].addr) ? " HOST" : "",
			x ? (vb_target_taken(x) ? " -> taken" : " -> refused") : "");
	}
}

/* Whether the rules keep fn from vfio-pci whoever selects it (a safety rule). */
static bool protected_fn(const struct machine *m, const struct vb_config *cfg,
			 const struct vb_host_facts *host, size_t fn)
{
	return (cfg->boot_vga == VB_BOOT_VGA_REFUSE && vb_pci_may_be_boot_vga(&m->fns[fn])) ||
	       vb_host_facts_find(host, &m->fns[fn].addr) != NULL;
}

/* Checks one plan against the rules; host may be NULL (the binder at boot). */
static void check_rules(const struct machine *m, const char *conf, const struct vb_config *cfg,
			const struct vb_host_facts *host, const struct vb_plan *plan)
{
	for (size_t t = 0; t < plan->count; t++) {
		const struct vb_target *tg = &plan->targets[t];
		const struct vb_pci_fn *fn = &m->fns[tg->fn];
		bool ok = true;

		if (!vb_target_taken(tg))
			continue;
		/* companions=none takes what was selected, nothing else. */
		if (tg->companion && cfg->companions == VB_COMPANIONS_NONE) {
			violation(m, conf, plan, "a companion with companions=none", tg);
			continue;
		}
		/* vfio_boot.skip= and the ID guard of ID@address always hold. */
		for (size_t k = 0; k < cfg->skip.count && ok; k++)
			if (vb_selector_matches(&cfg->skip.items[k].sel, fn)) {
				violation(m, conf, plan, "a skipped function", tg);
				ok = false;
			}
		for (size_t k = 0; k < cfg->select.count && ok && !tg->companion; k++) {
			const struct vb_selector *sel = &cfg->select.items[k].sel;

			if (strcmp(sel->text, tg->selected_by) == 0 && sel->kind == VB_SEL_ID_AT_ADDR &&
			    !vb_selector_id_matches(sel, fn)) {
				violation(m, conf, plan, "an ID guard overridden", tg);
				ok = false;
			}
		}
		if (!ok)
			continue;
		/* Bridges are never bound; a safety rule is never overridden. */
		if (vb_pci_is_bridge(fn) || protected_fn(m, cfg, host, tg->fn)) {
			violation(m, conf, plan, "a bridge or a protected function", tg);
			continue;
		}
		/* Implicit companions: only what cards carry, never the chipset. */
		if (tg->companion && (fn->no_class || !vb_pci_is_card_class(fn->class) ||
				      vb_pci_on_root_bus(fn))) {
			violation(m, conf, plan, "a companion of a class cards do not carry", tg);
			continue;
		}
		/* A card is never split by a safety rule, nor by a failed ID guard. */
		for (size_t i = 0; i < m->count && ok; i++) {
			const struct vb_target *mate = vb_plan_target_of(plan, i);

			if (i != tg->fn && vb_pci_same_slot(fn, &m->fns[i]) &&
			    (protected_fn(m, cfg, host, i) ||
			     (mate && !vb_target_taken(mate) &&
			      (vb_rule_is_safety(mate->rule) || mate->rule == VB_RULE_ID_GUARD)))) {
				violation(m, conf, plan, "a card split by a safety rule or an ID guard", tg);
				ok = false;
			}
		}
		/* Never in the IOMMU group of the host's disk or network. */
		for (size_t h = 0; host && h < host->count && ok; h++) {
			const struct vb_pci_fn *d = vb_snapshot_find(
				&(struct vb_snapshot){ (struct vb_pci_fn *)m->fns, m->count },
				&host->items[h].addr);

			if (d && fn->iommu_group >= 0 && d->iommu_group == fn->iommu_group) {
				violation(m, conf, plan, "in a host device's IOMMU group", tg);
				ok = false;
			}
		}
		/*
		 * A group is taken whole or not at all: a function that came along
		 * by companions=group means every endpoint of the group goes.
		 */
		if (ok && tg->companion && strstr(tg->reason, "same IOMMU group"))
			for (size_t i = 0; i < m->count && ok; i++) {
				const struct vb_target *mate = vb_plan_target_of(plan, i);

				if (m->fns[i].iommu_group != fn->iommu_group ||
				    vb_pci_is_bridge(&m->fns[i]) || (mate && vb_target_taken(mate)))
					continue;
				violation(m, conf, plan, "a group taken in part", tg);
				ok = false;
			}
	}
}

int main(int argc, char **argv)
{
	unsigned rounds = argc > 1 ? (unsigned)atoi(argv[1]) : 20000;

	for (unsigned r = 0; r < rounds; r++) {
		struct machine m;
		struct vb_config cfg;
		struct vb_plan plan;
		char conf[512];
		struct vb_snapshot snap;
		struct vb_host_facts host;

		make_machine(&m);
		if (!m.count)
			continue;
		snap = (struct vb_snapshot){ m.fns, m.count };
		host = (struct vb_host_facts){ m.host, m.nhost };
		make_config(&m, conf, sizeof(conf));
		vb_config_init(&cfg);
		CHECK(vb_config_parse_text(&cfg, "rules.conf", conf, strlen(conf)) == 0);
		if (rnd(4) == 0) {
			char cmdline[64];

			snprintf(cmdline, sizeof(cmdline), "quiet vfio_boot.skip=%s",
				 m.fns[rnd((unsigned)m.count)].name);
			CHECK(vb_config_parse_cmdline(&cfg, cmdline) == 0);
			snprintf(conf + strlen(conf), sizeof(conf) - strlen(conf), "(%s)\n", cmdline);
		}
		if (vb_plan_build(&cfg, &snap, &host, &plan) == 0) {
			check_rules(&m, conf, &cfg, &host, &plan);
			vb_plan_free(&plan);
		}
		if (vb_plan_build(&cfg, &snap, NULL, &plan) == 0) {
			check_rules(&m, conf, &cfg, NULL, &plan);
			vb_plan_free(&plan);
		}
		vb_config_free(&cfg);
		unit_passed++;
	}
	return unit_report("plan-rules");
}
