// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the journal reader (what a crash, a full disk or an
 * editor may leave in /var/lib/vfio-boot/journal). Whatever it reads back,
 * written again and read again, it is the same journal, byte for byte, and
 * the text it read is the one spelling of it.
 *
 * An input that starts with 0x01 is records to frame first: "TYPE\nBODY"
 * pieces split at "\0\0", each given its right checksum, and the end record
 * its right count, so that the fuzzer reaches the step and changeset bodies
 * past the checksums.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "sha256.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The pieces of data framed as records, with an end record. */
static char *frame(const char *data, size_t size, size_t *len)
{
	char *text = NULL, hex[VB_SHA256_HEX];
	FILE *out = open_memstream(&text, len);
	size_t records = 0;

	if (!out)
		return NULL;
	while (size > 0) {
		const char *sep = memmem(data, size, "\0\0", 2);
		size_t piece = sep ? (size_t)(sep - data) : size;
		const char *nl = memchr(data, '\n', piece);
		size_t tlen = nl ? (size_t)(nl - data) : piece;
		const char *body = nl ? nl + 1 : data + piece;
		size_t blen = piece - (size_t)(body - data);

		vb_sha256_hex(body, blen, hex);
		fprintf(out, "vfio-boot-journal %.*s %zu %s\n", (int)tlen, data, blen, hex);
		fwrite(body, 1, blen, out);
		fputc('\n', out);
		records++;
		data += piece + (sep ? 2 : 0);
		size -= piece + (sep ? 2 : 0);
	}
	{
		char end[32];
		int n = snprintf(end, sizeof(end), "records %zu\n", records);

		vb_sha256_hex(end, (size_t)n, hex);
		fprintf(out, "vfio-boot-journal end %d %s\n%s\n", n, hex, end);
	}
	fclose(out);
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vb_journal j, again;
	struct vb_journal_damage d;
	char *framed = NULL, *text = NULL, *text2 = NULL;
	const char *in = (const char *)data;
	size_t len = 0, len2 = 0, inlen = size;

	if (size > 0 && data[0] == 0x01) {
		framed = frame(in + 1, size - 1, &inlen);
		if (!framed)
			return 0;
		in = framed;
	}
	if (vb_journal_parse(in, inlen, &j, &d) != 0) {
		vb_journal_damage_free(&d);
		free(framed);
		return 0;
	}
	if (vb_journal_format(&j, &text, &len) != 0)
		abort();
	if (vb_journal_parse(text, len, &again, &d) != 0)
		abort(); /* what it writes, it reads */
	if (vb_journal_format(&again, &text2, &len2) != 0 || len2 != len ||
	    memcmp(text, text2, len) != 0)
		abort();
	if (len != inlen || memcmp(text, in, inlen) != 0)
		abort(); /* one spelling only */
	free(framed);
	free(text);
	free(text2);
	vb_journal_free(&j);
	vb_journal_free(&again);
	return 0;
}
