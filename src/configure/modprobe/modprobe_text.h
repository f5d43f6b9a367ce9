/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdio.h>

/*
 * The text configure writes to /etc/modprobe.d, from the files of the
 * source tree's modprobe.d/ folder (NAME.conf.in), which the build embeds.
 */
enum vb_modprobe_text {
	VB_MODPROBE_HEADER,         /* header.conf.in: the top of configure's block */
	VB_MODPROBE_SOFTDEP,        /* softdep.conf.in: @MODULE@ @DEPS@ */
	VB_MODPROBE_OWN_SOFTDEPS,   /* own-softdeps.conf.in: @MODULE@ @FROM@ */
	VB_MODPROBE_KERNELS_DIFFER, /* kernels-differ.conf.in: @MODULE@ @KERNELS@ */
	VB_MODPROBE_INSTALL_KEPT,   /* install-kept.conf.in: @MODULE@ @FROM@ */
	VB_MODPROBE_BLACKLIST,      /* blacklist.conf.in: @MODULE@ */
	VB_MODPROBE_IDS_COMMENTED,  /* ids-commented.conf.in */
};

/* The text as the file holds it (its ## lines left out). */
const char *vb_modprobe_text(enum vb_modprobe_text which);

/*
 * Writes the text to out with each @KEY@ replaced by its value, from the
 * pairs KEY, VALUE that follow (ended by NULL); an @KEY@ not given is written
 * as it is. A value's control characters are written as '?' and its
 * backslashes doubled: kmod reads a backslash as "the next byte as it is"
 * and joins a line that ends in one to the next, so a file name in a comment
 * cannot start or swallow a line, and a module name reads back as it was.
 */
void vb_modprobe_text_fill(FILE *out, enum vb_modprobe_text which, ...)
	__attribute__((sentinel));
