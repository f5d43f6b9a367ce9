/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "root.h"

/*
 * Runs "MODPROBE MODULE" for at most timeout seconds, chrooted into run_root
 * (NULL: the running system's modprobe, as the binder runs it: its --root is
 * a test seam for sysfs). Returns 0, or -1 with a short reason in why.
 */
int vb_modprobe(const struct vb_root *run_root, const char *modprobe, const char *module,
		unsigned timeout, char *why, size_t size);

/* True when sys/module/MODULE exists ('-' and '_' alike, as the kernel names it). */
bool vb_module_loaded(const struct vb_root *root, const char *module);

/*
 * The name of the PCI driver that module registered, which driver_override
 * and sys/bus/pci/drivers use and which can differ from the module's name:
 * the "pci:NAME" entry of sys/module/MODULE/drivers (module_add_driver() in
 * drivers/base/module.c links each driver there as "BUS:NAME"). Returns 0,
 * or -1 with why (not loaded, no PCI driver, several).
 */
int vb_module_pci_driver(const struct vb_root *root, const char *module, char *name,
			 size_t size, char *why, size_t why_size);

struct vb_device_rules;
struct vb_pci_fn;

/*
 * True when fn is on vfio-pci, or on the PCI driver of the module its
 * driver= line names (where the binder puts it): a vfio-pci variant (it holds
 * vfio_pci_core), or any other driver where driver_override names it too. A
 * device that a host driver took by itself is not ours.
 */
bool vb_on_vfio_driver(const struct vb_root *root, const struct vb_device_rules *rules,
		       const struct vb_pci_fn *fn);

/*
 * Writes methods ("device_specific bus") to the device's reset_method, only
 * when the attribute lists every one of them: reset_method (kernel 5.15+,
 * reset_method_show/store in drivers/pci/pci.c; pci-sysfs.c later) shows the
 * methods in force, space-separated, and takes a space-separated subset.
 * Returns 0 when written, or -1 with why (no such attribute, a method it does
 * not list, the write refused).
 */
int vb_reset_method_set(const struct vb_root *root, const char *device, const char *methods,
			char *why, size_t size);
