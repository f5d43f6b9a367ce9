// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <string.h>

#include "modprobe_text.h"
#include "modprobe_d.h" /* generated from modprobe.d/ */

static const char *const texts[] = {
	[VB_MODPROBE_HEADER] = VB_TEXT_HEADER,
	[VB_MODPROBE_SOFTDEP] = VB_TEXT_SOFTDEP,
	[VB_MODPROBE_OWN_SOFTDEPS] = VB_TEXT_OWN_SOFTDEPS,
	[VB_MODPROBE_KERNELS_DIFFER] = VB_TEXT_KERNELS_DIFFER,
	[VB_MODPROBE_INSTALL_KEPT] = VB_TEXT_INSTALL_KEPT,
	[VB_MODPROBE_BLACKLIST] = VB_TEXT_BLACKLIST,
	[VB_MODPROBE_IDS_COMMENTED] = VB_TEXT_IDS_COMMENTED,
};

const char *vb_modprobe_text(enum vb_modprobe_text which)
{
	return texts[which];
}

/* The value of the key that is len bytes at key, from the pairs of ap, or NULL. */
static const char *value_of(const char *key, size_t len, va_list ap)
{
	va_list copy;
	const char *k, *value = NULL;

	va_copy(copy, ap);
	while (!value && (k = va_arg(copy, const char *)) != NULL) {
		const char *v = va_arg(copy, const char *);

		if (strlen(k) == len && memcmp(k, key, len) == 0)
			value = v ? v : "";
	}
	va_end(copy);
	return value;
}

void vb_modprobe_text_fill(FILE *out, enum vb_modprobe_text which, ...)
{
	const char *p = texts[which];
	va_list ap;

	va_start(ap, which);
	while (*p) {
		const char *end = p[0] == '@' ? strchr(p + 1, '@') : NULL;
		const char *value = end ? value_of(p + 1, (size_t)(end - p - 1), ap) : NULL;

		if (!value) {
			fputc(*p++, out);
			continue;
		}
		for (; *value; value++) {
			if (*value == '\\')
				fputc('\\', out);
			fputc((unsigned char)*value < 0x20 || *value == 0x7f ? '?' : *value, out);
		}
		p = end + 1;
	}
	va_end(ap);
}
