/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "root.h"

#define VB_HOST_CMDLINE_MAX (1024 * 1024)

/*
 * Facts about a machine, read under a root (its proc/ and sys/). A file
 * that is not there makes a fact unknown; any other error reading one makes
 * it unknown too, and is kept for vb_host_read_error: never an "absent".
 */

/*
 * The first error other than "no such file" a function below met since the
 * last call: -errno, with where naming the file ("/proc/cpuinfo"), or 0.
 * Commands ask after reading the facts, and fail on one.
 */
int vb_host_read_error(char *where, size_t size);

enum vb_cpu_vendor { VB_CPU_UNKNOWN, VB_CPU_INTEL, VB_CPU_AMD };

/* The CPU vendor from proc/cpuinfo; VB_CPU_UNKNOWN when unreadable. */
enum vb_cpu_vendor vb_host_cpu_vendor(const struct vb_root *root);

/*
 * The flag that turns the IOMMU on: "intel_iommu=on" for Intel's VT-d; NULL
 * for AMD's, which the kernel turns on by default (amd_iommu= has no "on"
 * value), and for an unknown vendor.
 */
const char *vb_iommu_flag(enum vb_cpu_vendor vendor);

/*
 * What turns an IOMMU that is off on, as a sentence for list and check: VT-d
 * in the firmware setup and intel_iommu=on for Intel; for AMD the firmware's
 * IOMMU (and SVM) setting alone, since the kernel turns AMD-Vi on by default
 * and amd_iommu= has no "on"; both when the vendor is unknown.
 */
const char *vb_iommu_off_advice(enum vb_cpu_vendor vendor);

/*
 * Whose IOMMU the firmware describes: the ACPI DMAR (Intel) or IVRS (AMD)
 * table in sys/firmware/acpi/tables, else the units in sys/class/iommu
 * (dmar* or ivhd*). *source says which, for messages. VB_CPU_UNKNOWN when
 * the tree shows neither (an offline image).
 */
enum vb_cpu_vendor vb_host_iommu_vendor(const struct vb_root *root, const char **source);

/*
 * True when the tree's kernel kver turns Intel's IOMMU on by itself
 * (CONFIG_INTEL_IOMMU_DEFAULT_ON=y in boot/config-KVER); false when it does
 * not, or its config cannot be read.
 */
bool vb_kernel_intel_iommu_default_on(const struct vb_root *root, const char *kver);

/*
 * Whether the tree's kernel kver registers the firmware framebuffer through
 * sysfb (drivers/firmware/sysfb.c, its sysfb_init initcall; 5.15 and later):
 * CONFIG_SYSFB=y in boot/config-KVER, or, when that file cannot be read, a
 * version of 5.15 or later. Then initcall_blacklist=sysfb_init keeps the
 * kernel off the card; before it, video=efifb:off (and vesafb:off) do.
 */
bool vb_kernel_has_sysfb(const struct vb_root *root, const char *kver);

/* Parses "intel" or "amd". Returns 0 or -EINVAL. */
int vb_cpu_vendor_parse(const char *name, enum vb_cpu_vendor *vendor);

/* proc/cmdline of the tree, read whole, in a new string; NULL when unreadable. */
char *vb_host_cmdline(const struct vb_root *root);

/* Number of IOMMU groups under sys/kernel/iommu_groups; -1 when unreadable. */
long vb_host_iommu_groups(const struct vb_root *root);

/*
 * Interrupt remapping: 1 when proc/interrupts shows IR- vectors, 0 when it
 * shows none, -1 when it cannot be read.
 */
int vb_host_irq_remapping(const struct vb_root *root);

/*
 * Finds a firmware framebuffer (efifb, simpledrm, BOOTFB, vesafb,
 * simple-framebuffer in proc/iomem) that lies on one of the memory BARs
 * of PCI function name. Returns 1 and its name in fb, 0 when none, -1 when
 * iomem or the BARs cannot be read.
 */
int vb_host_framebuffer_on(const struct vb_root *root, const char *name, char *fb, size_t size);
