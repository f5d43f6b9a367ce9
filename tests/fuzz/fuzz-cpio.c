// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the cpio reader behind the image check (archives one
 * after another, padding, trailers, a compressed part after them) and the
 * PE header reader that finds a unified kernel image's .initrd.
 */
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "cpio.h"
#include "pe.h"

struct mem {
	const uint8_t *p;
	size_t len, pos;
};

static ssize_t mem_read(void *ctx, void *buf, size_t len)
{
	struct mem *m = ctx;
	size_t n = m->len - m->pos < len ? m->len - m->pos : len;

	/* Uneven reads, as from a pipe. */
	if (n > 1 + (m->pos % 13))
		n = 1 + (m->pos % 13);
	memcpy(buf, m->p + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

static int on_entry(void *ctx, const struct vb_cpio_entry *e)
{
	size_t *count = ctx;

	(*count)++;
	return (e->name[0] != '\0') && !(e->mode & 1);
}

static int on_data(void *ctx, const struct vb_cpio_entry *e, const unsigned char *data, size_t len)
{
	(void)ctx;
	/* Touch every byte: ASan catches a short buffer. */
	volatile unsigned char sum = 0;
	for (size_t i = 0; i < len; i++)
		sum ^= data[i];
	(void)sum;
	if (len != e->size)
		__builtin_trap();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mem m = { data, size, 0 };
	struct vb_cpio_source src = { mem_read, &m };
	size_t count = 0;
	struct vb_cpio_visitor v = { on_entry, on_data, &count };
	struct vb_cpio_end end;
	uint64_t off, len;
	int rc = vb_cpio_read(&src, &v, &end);

	if (rc == 1 && (end.offset > size || end.tail_len == 0 ||
			memcmp(end.tail, data + end.offset, end.tail_len) != 0))
		__builtin_trap();
	if (vb_pe_section(data, size, size, ".initrd", &off, &len) == 0 &&
	    (off > size || len > size - off))
		__builtin_trap();
	(void)vb_pe_is_signed(data, size);
	return 0;
}
