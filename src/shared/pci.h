/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VB_PCI_NAME_MAX 24 /* "ddddDDDD:bb:ss.f" plus room */
#define VB_DRIVER_MAX 48

/* A PCI function address: domain:bus:slot.function. */
struct vb_pci_addr {
	uint32_t domain;
	uint8_t bus;
	uint8_t slot; /* 0..0x1f */
	uint8_t func; /* 0..7 */
};

/* What the planner needs to know about one PCI function, read from sysfs. */
struct vb_pci_fn {
	struct vb_pci_addr addr;
	char name[VB_PCI_NAME_MAX]; /* sysfs name, "0000:01:00.0" */
	uint16_t vendor, device;
	uint16_t subvendor, subdevice;
	uint32_t class;             /* 24-bit class code, 0x030000 */
	int8_t header_type;         /* 0 endpoint, 1 bridge, -1 unknown */
	int8_t boot_vga;            /* 1 or 0; -1 when the attribute is absent */
	long iommu_group;           /* -1 when the function has none */
	char driver[VB_DRIVER_MAX]; /* bound driver, "" when unbound */
};

/* All functions of a machine, sorted by address. */
struct vb_snapshot {
	struct vb_pci_fn *fns;
	size_t count;
};

/*
 * Parses "[dddd:]bb:ss.f" (domain 4 to 8 hex digits, 0000 when left out) from
 * len bytes of text. Returns 0, or -EINVAL with *why set to a short reason.
 */
int vb_pci_addr_parse(const char *text, size_t len, struct vb_pci_addr *addr,
		      const char **why);

/*
 * Takes vendor, device, subsystem and class from the len bytes of a modalias
 * attribute, "pci:vVVVVVVVVdDDDDDDDDsvSSSSSSSSsdSSSSSSSSbcCCscSSiII" (what
 * follows is ignored). IDs wider than 16 bits are refused. Returns 0 or -EINVAL.
 */
int vb_pci_modalias_parse(const char *text, size_t len, struct vb_pci_fn *fn);

/* Formats an address the way sysfs names devices. Returns snprintf's count. */
int vb_pci_addr_format(const struct vb_pci_addr *addr, char *buf, size_t size);

/* Orders addresses as sysfs lists them; returns <0, 0 or >0. */
int vb_pci_addr_cmp(const struct vb_pci_addr *a, const struct vb_pci_addr *b);

/* True for functions of the same domain, bus and slot (one physical card). */
bool vb_pci_same_slot(const struct vb_pci_fn *a, const struct vb_pci_fn *b);

/* True for PCI bridges: header type 1 or base class 0x06. */
bool vb_pci_is_bridge(const struct vb_pci_fn *fn);

/* Finds the function at addr in a sorted snapshot; NULL when absent. */
const struct vb_pci_fn *vb_snapshot_find(const struct vb_snapshot *snap,
					 const struct vb_pci_addr *addr);

/* Sorts a snapshot's functions by address. */
void vb_snapshot_sort(struct vb_snapshot *snap);

/* Frees a snapshot's functions. */
void vb_snapshot_free(struct vb_snapshot *snap);
