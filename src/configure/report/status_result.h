/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "initramfs_image.h"
#include "json.h"
#include "strv.h"
#include "pci.h"

/*
 * The result of `vfio-boot status`: the configured selection against this
 * boot, function by function, and the running kernel's images against the
 * configuration. The command fills it; these render it.
 */
struct status_function {
	char address[VB_PCI_NAME_MAX];
	unsigned vendor, device;
	bool take;                  /* expected on vfio-pci; else left to the host */
	char expect[VB_DRIVER_MAX]; /* the driver it should have when taken: vfio-pci, or
				       the variant the boot report says the binder gave it */
	char driver[VB_DRIVER_MAX]; /* bound now; "" when none */
	char reset_method[128];     /* what the binder wrote to reset_method; "" when none */
	bool as_expected;
	char why[400];              /* "" when there is nothing to say */
};

struct status_image {
	char *path;                 /* NULL: the running kernel has no image (missing) */
	enum vb_image_state state;
	char *detail;               /* one line: what it lacks, or why it cannot be read */
};

struct status_result {
	bool configured;            /* /etc/vfio-boot.conf exists */
	bool selects;               /* the configuration selects something */
	bool disabled;              /* vfio_boot.disable on this boot's command line */
	char disabled_by[256];      /* the word that disabled it ("vfio_boot.disable=Y"), printable */
	struct status_function *functions;
	size_t nfunctions;
	struct vb_strv notes;       /* the selection's notes */
	struct status_image *images;
	size_t nimages;
	bool as_expected;           /* every function and image as it should be */
};

/* Appends an image. Returns 0 or -ENOMEM. */
int status_result_add_image(struct status_result *r, const char *path,
			    enum vb_image_state state, const char *detail);

void status_result_free(struct status_result *r);

/* As text: a table of the functions, the notes, one line per image. */
void status_result_text(FILE *out, const struct status_result *r);

/*
 * As the members of status's --json answer: "configured", "disabled",
 * "functions", "images", "as_expected".
 */
void status_result_json(struct vb_json *w, const struct status_result *r);
