// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: a modprobe.d file read as kmod reads it (the softdep,
 * install and alias lines, src/configure/host/kmodconf.c). Property: the
 * lines, written as libkmod is handed them, read back as the same lines, and
 * a key never keeps a '-' outside brackets (kmod reads it as '_').
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmodconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool dash_outside_brackets(const char *key)
{
	for (size_t i = 0; key[i]; i++) {
		if (key[i] == '[')
			i += strcspn(key + i, "]");
		if (!key[i])
			break;
		if (key[i] == '-')
			return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vb_kmodconf conf = { 0 }, again = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	if (vb_kmodconf_set(&conf, "f.conf", (const char *)data, size) < 0 || conf.count != 1)
		abort();
	out = open_memstream(&text, &len);
	if (!out)
		abort();
	vb_kmodconf_write(&conf.files[0], out);
	fclose(out);
	if (vb_kmodconf_set(&again, "f.conf", text, len) < 0 || again.count != 1 ||
	    again.files[0].nlines != conf.files[0].nlines)
		abort(); /* a line lost or gained on the way to libkmod */
	for (size_t i = 0; i < conf.files[0].nlines; i++) {
		const struct vb_kmodconf_line *a = &conf.files[0].lines[i], *b = &again.files[0].lines[i];

		if (strcmp(a->cmd, b->cmd) != 0 || strcmp(a->key, b->key) != 0 ||
		    strcmp(a->rest, b->rest) != 0 || dash_outside_brackets(a->key))
			abort();
	}
	free(text);
	vb_kmodconf_free(&conf);
	vb_kmodconf_free(&again);
	return 0;
}
