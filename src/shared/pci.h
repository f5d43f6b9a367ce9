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
	bool no_class;              /* the class could not be read (class is 0) */
	int8_t header_type;         /* 0 endpoint, 1 bridge, -1 unknown */
	int8_t boot_vga;            /* 1 or 0; -1 when absent or unreadable */
	int8_t root_bus;            /* 1 on a root bus (part of the chipset), 0 behind a
				       bridge, -1 unknown */
	long iommu_group;           /* -1 when the function has none */
	bool is_vf;                 /* an SR-IOV virtual function (it has a physfn link) */
	struct vb_pci_addr physfn;  /* its physical function, when is_vf */
	char driver[VB_DRIVER_MAX]; /* bound driver, "" when unbound */
	char *modalias;             /* the modalias text without its newline, when
				       vb_sysfs_read kept it; else NULL */
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
 * Parses the name of a function in sys/bus/pci/devices: only as the kernel
 * writes it, "DDDD:BB:SS.F" in lowercase hex (a domain above ffff takes more
 * digits, never leading zeros beyond four). "0:1:0.0" is not 0000:01:00.0
 * there. Returns 0 or -EINVAL.
 */
int vb_pci_name_parse(const char *name, struct vb_pci_addr *addr);

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

/*
 * True for two functions of one card: the same slot, neither of them an
 * SR-IOV virtual function. A VF is a function of its own, whatever slot its
 * routing ID puts it in: it never comes along with its physical function or
 * another VF, and no rule on them keeps it.
 */
bool vb_pci_same_card(const struct vb_pci_fn *a, const struct vb_pci_fn *b);

/* True for PCI bridges: header type 1 or base class 0x06. */
bool vb_pci_is_bridge(const struct vb_pci_fn *fn);

/*
 * True for a function that may be the boot VGA device, failing safe: boot_vga
 * says 1, or the function is of VGA class (0x0300, or 0x0001 from before
 * class codes), where the kernel always shows boot_vga, and it cannot be
 * read. Other display classes (0x0302 3D, 0x0380) have no boot_vga and never
 * are.
 */
bool vb_pci_may_be_boot_vga(const struct vb_pci_fn *fn);

/*
 * True for a function on a root bus: a chipset function of the root complex,
 * not a card in a slot. Without the sysfs path to tell, bus 00 is the root bus.
 */
bool vb_pci_on_root_bus(const struct vb_pci_fn *fn);

/*
 * True when the class is one a graphics or accelerator card carries: display
 * (0x03), audio (0x0401) and HD audio (0x0403), USB (0x0c03), serial bus
 * (0x0c80: the UCSI controller of USB-C ports) and processing accelerators
 * (0x12). Only these come along with a selected function implicitly.
 */
bool vb_pci_is_card_class(uint32_t class);

/* A few words for a function's class: "network controller", "SMBus controller". */
const char *vb_pci_class_words(const struct vb_pci_fn *fn, char *buf, size_t size);

/* Finds the function at addr in a sorted snapshot; NULL when absent. */
const struct vb_pci_fn *vb_snapshot_find(const struct vb_snapshot *snap,
					 const struct vb_pci_addr *addr);

/* Sorts a snapshot's functions by address. */
void vb_snapshot_sort(struct vb_snapshot *snap);

/* Frees a snapshot's functions (and the modalias texts they keep). */
void vb_snapshot_free(struct vb_snapshot *snap);
