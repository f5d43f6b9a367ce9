// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the journal reader (what a crash, a full disk or an
 * editor may leave in /var/lib/vfio-boot/journal). Whatever it reads back,
 * written again and read again, it is the same journal, byte for byte, and
 * the text it read, when version 2, is the one spelling of it (a version 1
 * journal is written again as version 2).
 *
 * An input that starts with 0x01 is records to frame first: "TYPE\nBODY"
 * pieces split at "\0\0", each given its right checksum (version 2's,
 * chained), and the end record its right count, so that the fuzzer reaches
 * the step and changeset bodies past the checksums.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "sha256.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Version 2's checksum: the previous one's, the type, the body. */
static void chain(char sum[VB_SHA256_HEX], const char *type, size_t tlen, const char *body,
		  size_t blen)
{
	struct vb_sha256 ctx;

	vb_sha256_init(&ctx);
	vb_sha256_update(&ctx, sum, strlen(sum));
	vb_sha256_update(&ctx, type, tlen);
	vb_sha256_update(&ctx, "\n", 1);
	vb_sha256_update(&ctx, body, blen);
	vb_sha256_final_hex(&ctx, sum);
}

/* The pieces of data framed as records, with an end record. */
static char *frame(const char *data, size_t size, size_t *len)
{
	char *text = NULL, hex[VB_SHA256_HEX] = "";
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

		chain(hex, data, tlen, body, blen);
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

		chain(hex, "end", 3, end, (size_t)n);
		fprintf(out, "vfio-boot-journal end %d %s\n%s\n", n, hex, end);
	}
	fclose(out);
	return text;
}

/* True when the header record names version 1. */
static bool is_version_1(const char *text, size_t len)
{
	const char *nl = memchr(text, '\n', len);

	return nl && (size_t)(text + len - nl) > 10 && memcmp(nl + 1, "version 1\n", 10) == 0;
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
	/* One spelling only; a version 1 journal comes back as version 2. */
	if ((len != inlen || memcmp(text, in, inlen) != 0) && !is_version_1(in, inlen))
		abort();
	free(framed);
	free(text);
	free(text2);
	vb_journal_free(&j);
	vb_journal_free(&again);
	return 0;
}
