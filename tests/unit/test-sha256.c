// SPDX-License-Identifier: GPL-2.0-or-later
/* SHA-256 against the FIPS 180-2 examples and sha256sum's answer for a long input. */
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "unit.h"

static const char *hex_of(const char *s, size_t len)
{
	static char hex[VB_SHA256_HEX];

	vb_sha256_hex(s, len, hex);
	return hex;
}

int main(void)
{
	struct vb_sha256 ctx;
	uint8_t digest[VB_SHA256_LEN], whole[VB_SHA256_LEN];
	char *million = malloc(1000000);
	const char two_blocks[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	CHECK_STR(hex_of("", 0), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CHECK_STR(hex_of("abc", 3), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK_STR(hex_of(two_blocks, strlen(two_blocks)),
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	CHECK(million != NULL);
	if (million) {
		memset(million, 'a', 1000000);
		CHECK_STR(hex_of(million, 1000000),
			  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
		/* Fed in uneven pieces, the same digest. */
		vb_sha256_init(&ctx);
		for (size_t off = 0, step = 1; off < 1000000; off += step, step = step * 7 % 131 + 1)
			vb_sha256_update(&ctx, million + off, off + step > 1000000 ? 1000000 - off : step);
		vb_sha256_final(&ctx, digest);
		vb_sha256_init(&ctx);
		vb_sha256_update(&ctx, million, 1000000);
		vb_sha256_final(&ctx, whole);
		CHECK(memcmp(digest, whole, sizeof(digest)) == 0);
		free(million);
	}
	/* 55, 56 and 64 bytes: the padding edges. */
	CHECK_STR(hex_of("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 55),
		  "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
	CHECK_STR(hex_of("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 56),
		  "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
	return unit_report("sha256");
}
