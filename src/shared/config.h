/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "device_rules.h"
#include "strv.h"
#include "selector.h"

#define VB_CONFIG_LINE_MAX 1024 /* longer config lines are rejected */
#define VB_CONFIG_FILE_MAX (64 * 1024) /* larger config files are rejected whole */
#define VB_ORIGIN_MAX 96

/* Which functions come along with a selected one. */
enum vb_companions {
	VB_COMPANIONS_SLOT,  /* every function of the same bus:slot (default) */
	VB_COMPANIONS_GROUP, /* every endpoint of the same IOMMU group */
	VB_COMPANIONS_NONE,
};

enum vb_boot_vga_policy {
	VB_BOOT_VGA_REFUSE, /* never take the firmware console device (default) */
	VB_BOOT_VGA_ALLOW,
};

struct vb_selector_entry {
	struct vb_selector sel;
	char origin[VB_ORIGIN_MAX]; /* "/etc/vfio-boot.conf:3", "vfio_boot.devices" */
};

struct vb_selector_list {
	struct vb_selector_entry *items;
	size_t count;
};

#define VB_VFS_MAX 65535 /* the most VFs a function can offer (TotalVFs is 16 bits) */

/*
 * vfs=N@ADDRESS (or vfs=N@VENDOR:DEVICE@ADDRESS, the address guarded by the
 * ID of the physical function there): N SR-IOV virtual functions on that
 * physical function, made once its driver is bound, each for vfio-pci.
 */
struct vb_vfs_entry {
	struct vb_selector pf;      /* VB_SEL_ADDR or VB_SEL_ID_AT_ADDR */
	unsigned count;             /* 1 to VB_VFS_MAX */
	char text[VB_SELECTOR_MAX + 16]; /* "vfs=2@0000:01:00.0": what selects its VFs */
	char origin[VB_ORIGIN_MAX];
};

struct vb_vfs_list {
	struct vb_vfs_entry *items;
	size_t count;
};

/* The selection and policy, merged from the config file and the command line. */
struct vb_config {
	struct vb_selector_list select; /* what to bind */
	struct vb_selector_list skip;   /* vfio_boot.skip=: matches are left alone */
	enum vb_companions companions;
	enum vb_boot_vga_policy boot_vga;
	struct vb_vfs_list vfs;         /* vfs= lines: virtual functions to make and take */
	bool disabled;                  /* vfio_boot.disable, any value but an explicit false */
	char disabled_by[VB_ORIGIN_MAX]; /* the parameter that disabled binding, as read
					    ("vfio_boot.disable=Y"); "" when none did */
	unsigned modprobe_timeout;      /* vfio_boot.modprobe_timeout=, seconds; 0: not set */
	struct vb_device_rules devices; /* driver=, reset_method=, preload= */
	struct vb_strv problems;        /* malformed input, one line each, skipped */
};

void vb_config_init(struct vb_config *cfg);
void vb_config_free(struct vb_config *cfg);

/*
 * Adds the comma-separated selectors in len bytes of text to list.
 * Malformed and duplicate ones are recorded in cfg->problems, naming origin,
 * and skipped. Returns 0, or -ENOMEM.
 */
int vb_config_add_selectors(struct vb_config *cfg, struct vb_selector_list *list,
			    const char *origin, const char *text, size_t len);

/*
 * Adds vfs=TEXT (len bytes after the '=', "2@0000:01:00.0") to cfg->vfs.
 * A malformed one, or a second one for the same address, is recorded in
 * cfg->problems, naming origin, and skipped. Returns 0, or -ENOMEM.
 */
int vb_config_add_vfs(struct vb_config *cfg, const char *origin, const char *text, size_t len);

/*
 * The vfs= entry that names fn's address as its physical function; NULL when
 * none. The caller checks the ID guard (vb_selector_id_matches).
 */
const struct vb_vfs_entry *vb_config_vfs_of(const struct vb_config *cfg,
					    const struct vb_pci_fn *fn);

/*
 * Parses config file text (name is used in messages: "NAME:LINE: ...").
 * Returns 0, or -ENOMEM. Bad lines go to cfg->problems.
 */
int vb_config_parse_text(struct vb_config *cfg, const char *name, const char *text,
			 size_t len);

/*
 * Reads and parses the config file path: inside the tree root, or, when root
 * is NULL, a file named outside any tree (--config FILE). Messages name it as
 * name. Returns 0, -ENOENT, -VB_EFILETYPE (not a regular file: never waited
 * on), -EFBIG when it is VB_CONFIG_FILE_MAX bytes or more, -ENOMEM or -errno;
 * nothing is parsed unless it returns 0.
 */
struct vb_root;
int vb_config_load(struct vb_config *cfg, const struct vb_root *root, const char *path,
		   const char *name);

/*
 * Takes vfio_boot.devices=, vfio_boot.skip=, vfio_boot.disable and
 * vfio_boot.modprobe_timeout= from a kernel command line, up to a "--"
 * (what follows it is init's). vfio_boot.disable fails safe: the bare word
 * and every value but an explicit false (vb_disable_value_is_false) disable
 * binding, and a later explicit false does not undo that; the first
 * parameter that disabled it is kept in cfg->disabled_by. Returns 0, or
 * -ENOMEM.
 */
int vb_config_parse_cmdline(struct vb_config *cfg, const char *cmdline);

/*
 * One parameter of a kernel command line, split as the kernel's own parser
 * (next_arg() in lib/cmdline.c) splits it: words end at white space (the
 * kernel's isspace(), which includes 0xa0) outside double quotes; a quote may
 * open the whole parameter ("vfio_boot.disable=1") or its value
 * (vfio_boot.devices="a,b"), and such quotes are not part of the name or the
 * value. The name ends at the first '=' after its first character.
 */
struct vb_cmdline_param {
	size_t start, len;     /* the whole word, quotes included */
	size_t key, keylen;    /* the name */
	size_t value, valuelen;/* the value (valuelen 0 without '=') */
	bool has_value;        /* there was an '=' */
	bool unterminated;     /* a quote was still open at the end of the text */
};

/*
 * Finds the next parameter at or after *pos within len bytes of s. Returns
 * false at the end; else fills p and moves *pos past it.
 */
bool vb_cmdline_next_param(const char *s, size_t len, size_t *pos, struct vb_cmdline_param *p);

/* True for "--", after which the kernel hands every word to init. */
bool vb_cmdline_is_end(const char *s, const struct vb_cmdline_param *p);

/*
 * True when len bytes of value are an explicit false for vfio_boot.disable:
 * 0, n, no, f, false or off, in any case. Each is false for the kernel's
 * kstrtobool() too. Anything else (an empty value, y, 1, on, d or disable,
 * which kstrtobool reads as false but which in a parameter named "disable"
 * says the opposite, an unknown word) is not.
 */
bool vb_disable_value_is_false(const char *value, size_t len);

/* True when the parameter is named name, '-' and '_' alike (the kernel's parameq()). */
bool vb_cmdline_param_is(const char *s, const struct vb_cmdline_param *p, const char *name);

/*
 * Checks the text of a config file against the limits the binder reads it
 * with: under VB_CONFIG_FILE_MAX bytes, lines of at most VB_CONFIG_LINE_MAX
 * bytes, no NUL byte. Returns 0, or -EFBIG with the reason in why.
 */
int vb_config_text_check(const char *text, size_t len, char *why, size_t why_size);

#define VB_TIMEOUT_MAX 600 /* seconds: the longest time limit accepted */

/*
 * Parses a time limit in whole seconds, 1 to VB_TIMEOUT_MAX, from len bytes
 * of text. Returns 0 or -EINVAL.
 */
int vb_seconds_parse(const char *text, size_t len, unsigned *seconds);

/* Names for the policies, as written in the config file. */
const char *vb_companions_name(enum vb_companions c);
const char *vb_boot_vga_name(enum vb_boot_vga_policy p);

/* Parses an option value; returns 0 or -EINVAL. */
int vb_companions_parse(const char *value, enum vb_companions *out);
int vb_boot_vga_parse(const char *value, enum vb_boot_vga_policy *out);
